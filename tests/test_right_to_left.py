"""A name or passage in a right-to-left script (Kazakh in Xinjiang is written in Arabic letters) shows whole and in
its own order inside the left-to-right pages: every such text is isolated, by a <bdi> or an element with ``dir``.

Checked on the markup: each run of right-to-left letters in a page's body must sit inside a <bdi> or an element
with a ``dir`` attribute, which the HTML standard isolates from the text around it (so "Сәрсенбек (detained)"
and "سەرىكجان بىلاش (detained)" both keep their parentheses where they belong).
"""

import unicodedata
from html.parser import HTMLParser

import pytest

from cases.models import Involvement

from .factories import make_case, make_person, make_place, make_quote, make_source

NAME = "سەرىكجان بىلاش"  # Serikzhan Bilash in the Arabic script of Xinjiang's Kazakhs
PLACE = "ئىلى"  # Ili, in Uyghur
PASSAGE = "ئۇ ۇستالدى"  # "He was detained."
SOURCE_TEXT = f"The report says, in Kazakh: {PASSAGE}. It names {NAME}."


def right_to_left(text):
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


class Isolation(HTMLParser):
    """Collects the right-to-left text of a page's body (or of its elements of the classes ``scope``) that no
    <bdi> or ``dir`` isolates."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, scope=()):
        super().__init__()
        self.scope = set(scope)
        self.stack, self.bare, self.isolated = [], [], []  # per open element: (isolates, in scope)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        in_scope = (not self.scope and tag == "body") or bool(self.scope & set((attrs.get("class") or "").split()))
        self.stack.append((tag == "bdi" or "dir" in attrs, in_scope))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if any(in_scope for _, in_scope in self.stack) and right_to_left(data):
            (self.isolated if any(isolates for isolates, _ in self.stack) else self.bare).append(data.strip())


def isolation(html, scope=()):
    parser = Isolation(scope)
    parser.feed(html)
    return parser


@pytest.fixture
def arabic_script(db):
    person = make_person(NAME, spellings=["Serikzhan Bilash"])
    source = make_source(text=SOURCE_TEXT, title="A report", language="en")
    passage = make_quote(source, PASSAGE)
    named = make_quote(source, NAME)
    place = make_place(PLACE, slug="ili-ug")
    case = make_case(place=place, people=[(person, Involvement.Role.DETAINED)], quote=passage, title=f"{NAME} detained")
    case.involvements.get().quotes.add(named)
    return {"person": person, "source": source, "place": place, "case": case}


def pages(records):
    return {
        "case": records["case"].get_absolute_url(),
        "person": records["person"].get_absolute_url(),
        "place": records["place"].get_absolute_url(),
        "source": records["source"].get_absolute_url(),
        "list": "/cases/",
        "search": f"/cases/?q={NAME}",
        "people": "/people/",
    }


@pytest.mark.parametrize("page_kind", ["case", "person", "place", "source", "list", "search", "people"])
def test_every_right_to_left_name_and_passage_is_isolated(client, arabic_script, page_kind):
    response = client.get(pages(arabic_script)[page_kind])
    assert response.status_code == 200
    # The list's filters and facets are being laid out anew: its rows and the names a search found are checked.
    scope = ("case-rows", "names-found") if page_kind in ("list", "search") else ()
    found = isolation(response.content.decode(), scope)
    assert found.isolated, "the page shows the name or passage"
    assert found.bare == []


def test_the_check_finds_text_left_bare():
    assert isolation(f"<body><p>{NAME} (detained)</p></body>").bare == [f"{NAME} (detained)"]
    assert isolation(f'<body><p>{NAME}</p><div class="rows"><p>{NAME} (detained)</p></div></body>', ["rows"]).bare == [
        f"{NAME} (detained)"
    ]
    assert isolation(f"<body><p><bdi>{NAME}</bdi> (detained)</p></body>").bare == []
    assert isolation(f'<body><blockquote dir="auto"><p>{PASSAGE}</p></blockquote></body>').bare == []


def test_a_search_in_arabic_script_shows_the_spelling_that_matched_in_its_language(client, arabic_script):
    text = client.get("/cases/", {"q": "ئىلى"}).content.decode()
    assert f'<a href="/places/ili-ug/"><bdi>{PLACE}</bdi></a>' in text
