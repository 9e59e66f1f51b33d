import datetime
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
