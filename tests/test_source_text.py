"""A source's text as HTML: escaped, paragraphs kept, every quote marked however quotes overlap."""

import copy

from hypothesis import given
from hypothesis import strategies as st
from lxml import html

from cases.sourcetext import Span, paragraphs, render


def parse(text, spans):
    body = "".join(f"<p>{paragraph}</p>" for paragraph in render(text, spans))
    return html.fromstring(f"<div>{body}</div>")


def text_of(element):
    element = copy.deepcopy(element)
    for ref in element.xpath(".//a[@class='quote-ref']"):
        ref.drop_tree()
    return element.text_content()


def test_paragraphs_are_the_runs_between_blank_lines():
    text = "One.\nStill one.\n\nTwo.\n \n\nThree."
    assert [text[a:b] for a, b in paragraphs(text)] == ["One.\nStill one.", "Two.", "Three."]


def test_a_single_line_break_becomes_br():
    assert render("One.\nStill one.", []) == ["One.<br>\nStill one."]


def test_markup_in_the_text_is_escaped():
    assert render('<a href="x">&amp;</a>', []) == ["&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;"]


def test_a_quote_is_a_mark_with_its_anchor_followed_by_its_number():
    out = render("Before. The quote. After.", [Span(8, 18, 7)])
    assert out == [
        'Before. <mark id="q-7" class="quote" data-quote="7" dir="auto">The quote.</mark>'
        '<a class="quote-ref" href="#cited-q-7" aria-label="Passage 7: where the archive cites it">7</a> After.'
    ]


WORDS = st.sampled_from(["alpha", "beta", "<b>", "&amp;", "“q”", "\n", "\n\n", "gamma."])


@given(st.lists(WORDS, min_size=1, max_size=30).map(" ".join), st.data())
def test_any_set_of_quotes_renders_as_valid_nesting_that_keeps_every_word(text, data):
    positions = st.integers(0, len(text) - 1)
    spans = []
    for number in range(1, data.draw(st.integers(0, 6)) + 1):
        start = data.draw(positions)
        end = data.draw(st.integers(start + 1, len(text)))
        spans.append(Span(start, end, number))
    doc = parse(text, spans)
    # Nothing is lost or added: the paragraphs read as the text does.
    assert [text_of(p) for p in doc.xpath("p")] == [text[a:b] for a, b in paragraphs(text)]
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids))
    bounds = paragraphs(text)
    for span in spans:
        pieces = doc.xpath(f"//mark[@data-quote='{span.number}']")
        visible = "".join(text[max(span.start, a) : min(span.end, b)] for a, b in bounds)
        if not visible:
            continue  # a quote of blank lines only has nothing to show
        assert pieces[0].get("id") == f"q-{span.number}"
        outermost = [p for p in pieces if not p.xpath(f"ancestor::mark[@data-quote='{span.number}']")]
        assert "".join(text_of(p) for p in outermost) == visible
        assert len(doc.xpath(f"//a[@href='#cited-q-{span.number}']")) == 1
