"""URL text fragments: a link that opens a source's own page scrolled to, and highlighting, a quote.

A text fragment is the part of a URL after ``#:~:text=`` (WICG "URL Fragment
Text Directives"): ``text=[prefix-,]textStart[,textEnd][,-suffix]``. The
browser finds ``textStart`` on the page, matching whole words, ignoring case
and collapsing white space, and highlights it (or the range from it to
``textEnd``). Browsers that do not know the syntax simply open the page.

The directive is built from the archived text so that it finds the quote and
nothing before it:

- only whole words: a quote whose offsets cut a word loses the cut word;
- a short quote inside one paragraph is given whole;
- a long one, or one that crosses a paragraph break (a match may not cross a
  block boundary), is given as its first and last words, ``textStart,textEnd``,
  with as many words as it takes for the first match to be the quote itself;
- when even that is ambiguous, the words before it are added as a prefix;
- ``-``, ``,`` and ``&`` are syntax in a directive, so they are
  percent-encoded, as is everything that is not a letter, a digit, ``.``,
  ``_`` or ``~`` (non-Latin text as UTF-8).
"""

import itertools
import re
import unicodedata
from urllib.parse import quote as _quote

# More words than this and the directive names the first and last words only.
RANGE_ABOVE_WORDS = 8
# Words taken from each end of a long quote to begin with.
RANGE_WORDS = 4
# Words of context a prefix may take to make a match unique.
MAX_PREFIX_WORDS = 4

_WORD = re.compile(r"\S+")


def encode(value):
    """Percent-encode one directive term: all but unreserved characters, and ``-`` too."""
    return _quote(value, safe="").replace("-", "%2D")


def _words(text, start, end):
    """(start, end) offsets of the white-space-separated words of ``text[start:end]``."""
    return [(start + m.start(), start + m.end()) for m in _WORD.finditer(text[start:end])]


# Scripts written without spaces between words: a browser finds word
# boundaries in them by dictionary, and any character may begin a word.
_UNSPACED = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")


def _in_word(ch):
    """True for a letter or digit of a script that separates words with spaces."""
    return ch.isalnum() and not unicodedata.name(ch, "").startswith(_UNSPACED)


def _whole_words(text, start, end):
    """The quote's words, without a first or last word that the offsets cut in two."""
    words = _words(text, start, end)
    if words and start > 0 and _in_word(text[start - 1]) and _in_word(text[start]):
        words = words[1:]
    if words and end < len(text) and _in_word(text[end - 1]) and _in_word(text[end]):
        words = words[:-1]
    return words


def _pattern(text, words):
    """A case-insensitive, white-space-tolerant pattern for ``words``, matched as whole words."""
    first, last = text[words[0][0]], text[words[-1][1] - 1]
    body = r"\s+".join(re.escape(text[a:b]) for a, b in words)
    before = r"(?<!\w)" if _in_word(first) else ""
    after = r"(?!\w)" if _in_word(last) else ""
    return re.compile(f"{before}{body}{after}", re.IGNORECASE)


def _finds(text, start_words, end_words, prefix_words=None):
    """True when a browser's first match for the directive is exactly the quote's words.

    Simulates the search: the first whole-word match of (prefix and) textStart
    must be the quote's first words, and the first match of textEnd after it
    the quote's last words.
    """
    pattern = _pattern(text, start_words).pattern
    if prefix_words:
        pattern = _pattern(text, prefix_words).pattern + r"\s*(" + pattern + ")"
    match = re.compile(pattern, re.IGNORECASE).search(text)
    if match is None:
        return False
    found_start, found_end = (match.start(1), match.end(1)) if prefix_words else (match.start(), match.end())
    if found_start != start_words[0][0]:
        return False
    if end_words is None:
        return found_end == start_words[-1][1]
    match = _pattern(text, end_words).search(text, found_end)
    return match is not None and match.start() == end_words[0][0]


def _term(text, words):
    return " ".join(text[a:b] for a, b in words)


def _blocks(text, words):
    """Split a word list where a line break separates two words (a paragraph or line on the page)."""
    blocks = [[words[0]]]
    for previous, word in itertools.pairwise(words):
        if "\n" in text[previous[1] : word[0]]:
            blocks.append([])
        blocks[-1].append(word)
    return blocks


def _candidates(text, words):
    """(textStart words, textEnd words or None), from the shortest directive to the most specific."""
    blocks = _blocks(text, words)
    if len(blocks) == 1 and len(words) <= RANGE_ABOVE_WORDS:
        return [(words, None)]
    head, tail = blocks[0], blocks[-1]
    candidates = []
    longest = max(len(head), len(tail))
    for n in range(min(RANGE_WORDS, longest), longest + 1):
        # Within one paragraph the two ends must not meet.
        if len(blocks) == 1 and 2 * n >= len(words):
            break
        candidates.append((head[:n], tail[-n:]))
    if len(blocks) == 1:
        candidates.append((words, None))
    return candidates


def _directive(text, start_words, end_words, prefix_words=None):
    directive = "text="
    if prefix_words:
        directive += encode(_term(text, prefix_words)) + "-,"
    directive += encode(_term(text, start_words))
    if end_words is not None:
        directive += "," + encode(_term(text, end_words))
    return directive


def text_directive(text, start, end):
    """The ``text=...`` directive that finds ``text[start:end]``, or None when no whole word is left."""
    words = _whole_words(text, start, end)
    if not words:
        return None
    candidates = _candidates(text, words)
    for start_words, end_words in candidates:
        if _finds(text, start_words, end_words):
            return _directive(text, start_words, end_words)
    # The same words come earlier in the text: name the words just before the
    # quote (in its own paragraph) as a prefix.
    start_words, end_words = candidates[-1]
    block_start = text.rfind("\n", 0, words[0][0]) + 1
    before = _words(text, block_start, words[0][0])
    for n in range(1, min(MAX_PREFIX_WORDS, len(before)) + 1):
        if _finds(text, start_words, end_words, before[-n:]):
            return _directive(text, start_words, end_words, before[-n:])
    # Nothing this side of the page makes it unique: the longest form still
    # finds the quote's words, if not their first occurrence.
    return _directive(text, start_words, end_words, before[-MAX_PREFIX_WORDS:] or None)


def with_text_fragment(url, directive):
    """``url`` with the directive appended after ``:~:``, keeping any fragment it already has."""
    if not url or not directive:
        return url
    if "#" in url:
        return f"{url}:~:{directive}"
    return f"{url}#:~:{directive}"


def quote_url(url, quote):
    """A link to ``url`` that highlights ``quote`` (a Quote with its source's text), or ``url`` alone."""
    return with_text_fragment(url, text_directive(quote.source.text, quote.start, quote.end))
