"""URL text fragments (#:~:text=) that open a source's page on the quoted words."""

import json
import re
from urllib.parse import unquote

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from cases.fragments import encode, text_directive, with_text_fragment

FIXTURE_DIR = settings.ARCHIVE_FIXTURE.parent


def terms(directive):
    """Split a directive into (prefix, start, end, suffix), decoded, the way a browser reads it."""
    assert directive.startswith("text=")
    parts = directive[len("text=") :].split(",")
    prefix = unquote(parts.pop(0)[:-1]) if parts[0].endswith("-") else None
    suffix = unquote(parts.pop()[1:]) if parts[-1].startswith("-") else None
    start = unquote(parts[0])
    end = unquote(parts[1]) if len(parts) > 1 else None
    return prefix, start, end, suffix


def tokens(text):
    """Words and punctuation marks as separate tokens, with their offsets: (start, end, folded)."""
    return [(m.start(), m.end(), m.group().casefold()) for m in re.finditer(r"\w+|[^\w\s]", text)]


def first_match(text, phrase, from_offset=0):
    """(start, end) offsets of the first token-for-token match of ``phrase`` at or after ``from_offset``."""
    have = [t for t in tokens(text) if t[0] >= from_offset]
    want = [t[2] for t in tokens(phrase)]
    for i in range(len(have) - len(want) + 1):
        if [t[2] for t in have[i : i + len(want)]] == want:
            return have[i][0], have[i + len(want) - 1][1]
    return None


def browser_finds(text, directive):
    """The (start, end) offsets a browser would highlight, simulated token by token; None when nothing."""
    prefix, start, end, _ = terms(directive)
    at = 0
    while True:
        if prefix is not None:
            p = first_match(text, prefix, at)
            if p is None:
                return None
            s = first_match(text, start, p[1])
            if s is None or text[p[1] : s[0]].strip():
                at = p[0] + 1
                continue
        else:
            s = first_match(text, start, at)
            if s is None:
                return None
        if end is None:
            return s
        e = first_match(text, end, s[1])
        return (s[0], e[1]) if e is not None else None


@pytest.mark.parametrize(
    "value, expected",
    [
        ("one-person", "one%2Dperson"),
        ("1,049 days", "1%2C049%20days"),
        ("Belt & Road", "Belt%20%26%20Road"),
        ("“have started again”", "%E2%80%9Chave%20started%20again%E2%80%9D"),
        ("China’s", "China%E2%80%99s"),
        ("Байболат", "%D0%91%D0%B0%D0%B9%D0%B1%D0%BE%D0%BB%D0%B0%D1%82"),
        ("张霄", "%E5%BC%A0%E9%9C%84"),
        ("a.b_c~d", "a.b_c~d"),
        ("it's (not) 100%!", "it%27s%20%28not%29%20100%25%21"),
    ],
)
def test_directive_terms_percent_encode_syntax_and_everything_not_unreserved(value, expected):
    assert encode(value) == expected


def test_a_short_quote_is_named_whole():
    text = "Before. Kazakh police intervened and arrested him. After."
    start = text.index("Kazakh")
    end = text.index(" After")
    assert text_directive(text, start, end) == "text=Kazakh%20police%20intervened%20and%20arrested%20him."


def test_a_long_quote_is_named_by_its_first_and_last_words():
    text = (
        "Intro. According to a five-minute video posted on Facebook, Kunbolat was holding a photo "
        "of his brother and announced that he had been detained for “1,049 days today. Next."
    )
    start = text.index("According")
    end = text.index(" Next.")
    directive = text_directive(text, start, end)
    assert directive == "text=According%20to%20a%20five%2Dminute,for%20%E2%80%9C1%2C049%20days%20today."
    _, first, last, _ = terms(directive)
    assert first == "According to a five-minute"
    assert last == "for “1,049 days today."


def test_no_raw_dash_comma_or_ampersand_is_left_inside_a_term():
    text = "A well-known, long-running protest & rally at the consulate-general went on, and on, and on."
    directive = text_directive(text, 0, len(text))
    for term in directive[len("text=") :].split(","):
        assert "&" not in term
        assert "-" not in term.rstrip("-").lstrip("-")


def test_a_quote_cut_mid_word_is_trimmed_to_whole_words():
    text = "Kazakh social activist Baibolat Kunbolat was arrested today."
    start = text.index("akh social")  # cuts "Kazakh"
    end = text.index("today") + 3  # cuts "today"
    _, first, _, _ = terms(text_directive(text, start, end))
    assert first == "social activist Baibolat Kunbolat was arrested"


def test_a_quote_with_no_whole_word_has_no_directive():
    assert text_directive("Kazakhstan", 2, 5) is None
    assert with_text_fragment("https://example.org/a", None) == "https://example.org/a"


def test_a_quote_across_a_paragraph_break_is_named_as_a_range_within_each_paragraph():
    text = "First paragraph ends here.\n\nSecond one starts here and goes on."
    start = text.index("ends")
    end = text.index(" and goes")
    prefix, first, last, _ = terms(text_directive(text, start, end))
    assert prefix is None
    assert "\n" not in first and "\n" not in last
    assert first == "ends here."
    assert last == "Second one starts here"


def test_words_that_occur_earlier_are_extended_until_the_first_match_is_the_quote():
    text = "He was arrested and held. Later: he was arrested and held for 15 days after protesting at the consulate."
    start = text.index("he was arrested and held for")
    end = len(text)
    directive = text_directive(text, start, end)
    assert browser_finds(text, directive) == (start, end)


def test_a_repeated_short_quote_is_disambiguated_with_a_prefix():
    text = "Police came. The crowd said: police came. Then it ended."
    start = text.index("police came")
    end = start + len("police came")
    directive = text_directive(text, start, end)
    prefix, first, _, _ = terms(directive)
    assert prefix == "said:"
    assert first == "police came"
    assert browser_finds(text, directive) == (start, end)


def test_curly_quotes_and_non_latin_text_round_trip():
    text = "Он сказал: «Байболат Күнболатұлы — активист, 1,049 дней» & ушёл."
    start = text.index("«")
    end = text.index(" & ушёл")
    prefix, first, last, _ = terms(text_directive(text, start, end))
    assert prefix is None
    assert first == "«Байболат Күнболатұлы — активист, 1,049 дней»"
    assert last is None


def test_chinese_text_without_spaces_is_named_whole():
    text = "他说：“中国没有停止迫害哈萨克人。”然后离开。"
    start = text.index("“")
    end = text.index("然后")
    assert text_directive(text, start, end) == "text=" + encode("“中国没有停止迫害哈萨克人。”")
    assert terms(text_directive(text, start, end))[1] == "“中国没有停止迫害哈萨克人。”"


def test_an_existing_fragment_is_kept():
    assert with_text_fragment("https://example.org/a#part", "text=x") == "https://example.org/a#part:~:text=x"
    assert with_text_fragment("https://example.org/a", "text=x") == "https://example.org/a#:~:text=x"


def test_every_quote_of_the_article_is_found_first_where_it_stands():
    data = json.loads(settings.ARCHIVE_FIXTURE.read_text(encoding="utf-8"))
    for source in data["sources"]:
        text = (FIXTURE_DIR / source["text_file"]).read_text(encoding="utf-8")
        for quote in source["quotes"]:
            directive = text_directive(text, quote["start"], quote["end"])
            assert browser_finds(text, directive) == (quote["start"], quote["end"]), (quote["n"], directive)


WORDS = st.sampled_from(["police", "Police,", "came.", "the", "crowd", "said", "“no", "more”", "–", "Алматы", "1,049"])


@given(st.lists(WORDS, min_size=1, max_size=40), st.data())
def test_the_simulated_browser_highlights_exactly_the_quoted_words(words, data):
    """Whatever the words and their repeats, the first match of the directive is the quote itself."""
    text = " ".join(words)
    spans = [m.span() for m in re.finditer(r"\S+", text)]
    first = data.draw(st.integers(0, len(words) - 1))
    last = data.draw(st.integers(first, len(words) - 1))
    quote = (spans[first][0], spans[last][1])
    directive = text_directive(text, *quote)
    found = browser_finds(text, directive)
    if found != quote:
        # Only when the quote with the four words before it occurs earlier
        # too: then nothing on this side of the page tells the two apart.
        context_start = spans[max(0, first - 4)][0]
        earlier = first_match(text, text[context_start : quote[1]])
        assert earlier is not None and earlier[0] < context_start, directive
