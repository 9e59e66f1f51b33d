import datetime
import xml.etree.ElementTree as ET
from urllib.parse import quote

import feedparser
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cases.models import Case

from .factories import make_case, make_person, make_place

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def feed(client, url="/feed/"):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root):
    return root.findall(f"{ATOM}entry")


def refs(root):
    return [entry.find(f"{ATOM}link").get("href").rstrip("/").rsplit("/", 1)[-1] for entry in entries(root)]


def test_the_feed_is_atom_with_every_case_of_the_archive(client, article):
    root = feed(client)
    assert root.find(f"{ATOM}title").text.startswith("Archive of Detentions and Protests")
    assert root.find(f"{ATOM}id").text == "http://testserver/feed/"
    assert root.find(f"{ATOM}author/{ATOM}name").text == "Archive of Detentions and Protests"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/feed/"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/cases/"
    assert "CC BY 4.0" in root.find(f"{ATOM}rights").text
    assert sorted(refs(root)) == sorted(Case.objects.values_list("ref", flat=True))


def test_an_entry_is_identified_by_its_permalink_and_updated_when_the_record_changed(client, article):
    (entry,) = [e for e in entries(feed(client)) if e.find(f"{ATOM}id").text.endswith("/a8023r/")]
    assert entry.find(f"{ATOM}id").text == "http://testserver/cases/a8023r/"
    assert entry.find(f"{ATOM}link").get("href") == "http://testserver/cases/a8023r/"
    assert entry.find(f"{ATOM}updated").text.startswith("2026-11-27T00:00:00")
    assert entry.find(f"{ATOM}published").text.startswith("2026-11-27T00:00:00")
    assert entry.find(f"{ATOM}title").text.endswith("(1 or 2 February 2021)")
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "Chinese Consulate General in Almaty, Almaty, Kazakhstan" in summary.text
    assert "Baibolat Kunbolat (protester)" in summary.text
    assert {c.get("term") for c in entry.findall(f"{ATOM}category")} == {
        "protest",
        "Chinese Consulate General in Almaty",
    }


def test_newest_published_cases_come_first(client, db):
    older = make_case(created=datetime.date(2025, 1, 1), modified=datetime.date(2025, 1, 1), date="2024")
    newer = make_case(created=datetime.date(2026, 3, 1), modified=datetime.date(2026, 3, 1), date="2018")
    root = feed(client)
    assert refs(root) == [newer.ref, older.ref]
    assert root.find(f"{ATOM}updated").text.startswith("2026-03-01")


def test_the_feed_honours_the_place_filter_including_places_inside(client, db):
    kazakhstan = make_place("Kazakhstan", kind="country", slug="kazakhstan")
    almaty = make_place("Almaty", parent=kazakhstan, slug="almaty")
    consulate = make_place("Consulate", parent=almaty, kind="site", slug="consulate")
    elsewhere = make_place("Astana", parent=kazakhstan, slug="astana")
    inside = {make_case(place=almaty).ref, make_case(place=consulate).ref}
    make_case(place=elsewhere)
    root = feed(client, "/feed/?place=almaty")
    assert set(refs(root)) == inside
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://testserver/feed/?place=almaty"
    assert root.find(f"{ATOM}id").text == "http://testserver/feed/?place=almaty"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/cases/?place=almaty"
    assert "Almaty" in root.find(f"{ATOM}title").text


def test_the_feed_honours_kind_person_and_dates(client, db):
    person = make_person(slug="someone")
    protest = make_case(kind="protest", date="2021-02-01", people=[(person, "protester")])
    make_case(kind="detention", date="2021-02-01", people=[(person, "detained")])
    make_case(kind="protest", date="2019")
    assert refs(feed(client, "/feed/?kind=protest&person=someone")) == [protest.ref]
    assert refs(feed(client, "/feed/?kind=protest&date_from=2021&date_to=2021")) == [protest.ref]


def test_an_empty_feed_is_still_valid_atom(client, db):
    root = feed(client, "/feed/?kind=protest")
    assert entries(root) == []
    assert root.find(f"{ATOM}updated") is not None


@pytest.mark.parametrize(
    ("query", "field"),
    [("date_from=2021-13-40", "date_from"), ("place=nowhere", "place"), ("kind=riot", "kind"), ("q=" + "x" * 201, "q")],
)
def test_an_invalid_filter_answers_400_naming_the_field(client, article, query, field):
    response = client.get(f"/feed/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert field in response.content.decode()
    assert "public" not in response.get("Cache-Control", "")


def test_the_feeds_query_count_does_not_grow_with_cases(client, db):
    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            feed(client)
        return len(captured)

    make_case(people=[(make_person(), "detained")])
    few = queries()
    for _ in range(10):
        make_case(people=[(make_person(), "detained")])
    assert queries() == few


def test_the_same_filters_make_the_same_feed_whatever_their_order_or_extra_parameters(client, article):
    """feedparser reads the feed's id: built from the filters in effect, not from the address as typed."""
    plain = feedparser.parse(client.get("/feed/?kind=protest&place=almaty").content)
    assert plain.feed.id == "http://testserver/feed/?kind=protest&place=almaty"
    for query in (
        "place=almaty&kind=protest",
        # An unknown parameter is dropped by a redirect to the clean address.
        "place=almaty&kind=protest&utm_source=newsletter",
        "kind=protest&q=&place=almaty&sort=oldest",
        "kind=protest&place=almaty&date_match=overlaps",
    ):
        parsed = feedparser.parse(client.get(f"/feed/?{query}", follow=True).content)
        assert not parsed.bozo, query
        assert parsed.feed.id == plain.feed.id, query
        assert [link.href for link in parsed.feed.links if link.rel == "self"] == [plain.feed.id]
        assert [entry.id for entry in parsed.entries] == [entry.id for entry in plain.entries]
    dated = feedparser.parse(client.get("/feed/?date_to=2020&date_match=within").content)
    assert dated.feed.id == "http://testserver/feed/?date_to=2020&date_match=within"


def test_the_feed_lists_newest_published_first_whatever_the_sort_as_the_data_page_says(client, db):
    older = make_case(created=datetime.date(2025, 1, 1), modified=datetime.date(2025, 1, 1), date="2024")
    newer = make_case(created=datetime.date(2026, 3, 1), modified=datetime.date(2026, 3, 1), date="2018")
    for sort in ("", "?sort=oldest", "?sort=newest", "?sort=ref"):
        parsed = feedparser.parse(client.get(f"/feed/{sort}").content)
        assert [entry.link for entry in parsed.entries] == [
            f"http://testserver{newer.get_absolute_url()}",
            f"http://testserver{older.get_absolute_url()}",
        ], sort
    assert "newest published first, whatever the <code>sort</code>" in client.get("/data/").content.decode()


# Any text a reader sends: the feed is XML an XML parser reads, or a 400.

XML_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(["\ufffe", "\uffff", "\x00", "\x0b", "\x7f", "\x85", "<", "&", "]", "\U0010ffff"]),
    ),
    max_size=30,
)


@settings(max_examples=120, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(q=XML_TEXT, kind=st.sampled_from(["", "protest", "\ufffe"]), place=st.sampled_from(["", "almaty", "\uffff"]))
@example(q="\ufffe", kind="", place="")
@example(q="a\uffffb", kind="", place="")
def test_the_feed_is_xml_whatever_its_filters_say_or_a_400(client, article, q, kind, place):
    response = client.get("/feed/", {"q": q, "kind": kind, "place": place})
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 200:
        ET.fromstring(response.content)  # raises ParseError on any character XML forbids


@pytest.mark.parametrize("character", ["\ufffe", "\uffff"])
@pytest.mark.parametrize(
    "url", ["/feed/?q=x{}", "/cases/?q=x{}", "/cases.csv?q={}", "/sitemap.xml?p={}", "/cases/a{}/"]
)
def test_a_character_xml_forbids_is_refused_with_a_400(client, article, character, url):
    response = client.get(url.format(quote(character)))
    assert response.status_code == 400
    if url.startswith("/cases/?"):
        assert f"Remove the character U+{ord(character):04X} from the search" in response.content.decode()
