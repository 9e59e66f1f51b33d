"""A source's text as sentences: what the loader checks quotes and coverage against.

A sentence ends at ``.``, ``!`` or ``?`` (with any closing quotation marks
after it) followed by white space and the start of a new sentence (a capital
letter, possibly after an opening quotation mark), or at the end of a
paragraph. A known abbreviation ("Sept.") ends no sentence. A headline
(a paragraph without final punctuation) is a sentence of its own.
"""

import re
from dataclasses import dataclass

from .sourcetext import paragraphs

ABBREVIATIONS = frozenset(
    [
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "Prof",
        "St",
        "No",
        "Gen",
        "Col",
        "Lt",
        "Sgt",
        "Gov",
        "Sen",
        "Rep",
        "Jr",
        "Sr",
    ]
)
_END = re.compile(r"[.!?][\"”’)\]]*(?=\s+[\"“‘(\[]?[A-Z\u0400-\u04FF\u4e00-\u9fff])")


@dataclass(frozen=True)
class Sentence:
    """One sentence: half-open code-point offsets into the text, and its words."""

    start: int
    end: int
    text: str


def split(text):
    """Every sentence of ``text``, in order."""
    sentences = []
    for first, last in paragraphs(text):
        at = first
        for end in _END.finditer(text, first, last):
            word = re.search(r"(\w+)\.$", text[at : end.start() + 1])
            if word and word.group(1) in ABBREVIATIONS:
                continue
            sentences.append(_sentence(text, at, end.end()))
            at = end.end()
        if text[at:last].strip():
            sentences.append(_sentence(text, at, last))
    return sentences


def _sentence(text, start, end):
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(start, end, text[start:end])


def boundaries(text):
    """The offsets at which a sentence starts or ends."""
    return {offset for s in split(text) for offset in (s.start, s.end)}
