"""A source's archived text as HTML paragraphs, every quote in it marked.

Each quote becomes ``<mark id="q-<n>">`` around its exact passage, so that a
case's citation link (``/sources/<slug>/#q-<n>``) lands on the words it
cites. The text is escaped: whatever a source contains is shown, never
interpreted. Paragraphs (text between blank lines) become ``<p>``; a single
line break becomes ``<br>``.

Quotes may nest (a phrase quoted for a name inside a sentence quoted for a
fact) or overlap. HTML elements can only nest, so where two quotes cross, or
a quote runs over a paragraph break, the one that has to give way is closed
and opened again: the piece that carries the id is the quote's first, the
later pieces say which quote they continue (``data-quote``). A quote that
encloses another keeps all its words in one element.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


@dataclass(frozen=True)
class Span:
    """One quote's place in the text: half-open code-point offsets."""

    start: int
    end: int
    number: int


def paragraphs(text):
    """(start, end) of each paragraph of ``text``: the runs between blank lines."""
    bounds = []
    at = 0
    for separator in _PARAGRAPH_BREAK.finditer(text):
        if separator.start() > at:
            bounds.append((at, separator.start()))
        at = separator.end()
    if at < len(text):
        bounds.append((at, len(text)))
    return bounds


def _text(piece):
    return escape(piece).replace("\n", "<br>\n")


def _open(span, first):
    if first:
        return format_html('<mark id="q-{}" class="quote" data-quote="{}" dir="auto">', span.number, span.number)
    return format_html('<mark class="quote quote-continued" data-quote="{}" dir="auto">', span.number)


def _reference(span):
    """The small link after a quote to the list of what cites it (not part of the quote's text)."""
    return format_html(
        '<a class="quote-ref" href="#cited-q-{}" aria-label="Passage {}: where the archive cites it">{}</a>',
        span.number,
        span.number,
        span.number,
    )


def _order(span):
    # Opened together: the longer first, so that the shorter nests inside it.
    return (span.start, -span.end, span.number)


def render(text, spans):
    """The text as a list of safe HTML strings, one per paragraph, with every span marked."""
    spans = sorted(spans, key=_order)
    opened = set()
    out_paragraphs = []
    bounds = paragraphs(text)
    for index, (p_start, p_end) in enumerate(bounds):
        next_start = bounds[index + 1][0] if index + 1 < len(bounds) else len(text)
        inside = [s for s in spans if s.start < p_end and s.end > p_start]
        cuts = {p_start, p_end}
        cuts.update(s.start for s in inside if s.start > p_start)
        cuts.update(s.end for s in inside if s.end < p_end)
        cuts = sorted(cuts)
        stack = []
        out = []
        for i, at in enumerate(cuts):
            ending = [s for s in stack if s.end == at] if at < p_end else list(stack)
            if ending:
                reopen = []
                while any(s in stack for s in ending):
                    top = stack.pop()
                    out.append("</mark>")
                    if top not in ending:
                        reopen.append(top)
                for span in sorted(ending, key=_order):
                    # A quote that ends here, or in the blank lines before the next paragraph.
                    if span.end <= at or (at == p_end and span.end <= next_start):
                        out.append(_reference(span))
                for span in reversed(reopen):
                    out.append(_open(span, first=False))
                    stack.append(span)
            if at == p_end:
                break
            for span in (s for s in inside if (s.start == at) or (at == p_start and s.start < p_start)):
                out.append(_open(span, first=span not in opened))
                opened.add(span)
                stack.append(span)
            out.append(_text(text[at : cuts[i + 1]]))
        # Every piece above is escaped text or built with format_html.
        out_paragraphs.append(mark_safe("".join(out)))
    return out_paragraphs
