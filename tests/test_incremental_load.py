"""A load writes only what the fixture changes: records keep their ids, and only the pages that show a
change get a new version, so the page cache and validators of every other page stay as they were."""

import copy
import io
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command

from cases.loader import load_fixture
from cases.models import Case, DataLoad, Person, Place, Quote, Source
from tests.test_loader import case, original, write

SOURCE = "kazakh-anti-communist-heats-up-again"


def _ids():
    """Every record's database id, by its key."""
    return {
        "cases": dict(Case.objects.values_list("ref", "pk")),
        "people": dict(Person.objects.values_list("slug", "pk")),
        "places": dict(Place.objects.values_list("slug", "pk")),
        "sources": dict(Source.objects.values_list("slug", "pk")),
        "quotes": dict(Quote.objects.values_list("number", "pk")),
    }


def _record_urls():
    urls = []
    for c in Case.objects.all():
        urls += [c.get_absolute_url(), f"/cases/{c.ref}.json", f"/cases/{c.ref}/cite.ris"]
    for model in (Person, Place, Source):
        urls += [record.get_absolute_url() for record in model.objects.all()]
    return urls


def _served(client, urls):
    """Each address's body and ETag, rendered afresh (nothing from the page cache)."""
    cache.clear()
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = (response.content, response["ETag"])
    return pages


def _title(data):
    case(data, "2n2181")["title"] = "Baimurat Nauryzbek reported detained in Xinjiang in 2018"


def _person(data):
    next(p for p in data["people"] if p["slug"] == "serik-azhibay")["name"] = "Serik Azhibay (activist)"


def _place(data):
    next(p for p in data["places"] if p["slug"] == "almaty")["name"] = "Almaty City"


def _source(data):
    next(s for s in data["sources"] if s["slug"] == SOURCE)["title"] += " (republished)"


def _statement(data):
    data["statements"][0]["summary"] = "Anti-Communist sentiment is rising again in Kazakhstan."


def _replaced(data):
    new = copy.deepcopy(case(data, "74t3yk"))
    new["ref"] = "k7m2pq"
    data["cases"].append(new)
    data["cases"].remove(case(data, "74t3yk"))
    data["retired"].append({"ref": "74t3yk", "status": "replaced", "replaced_by": "k7m2pq", "title": new["title"],
                            "reason": "Recorded again under a new ref.", "retired": "2026-11-30"})  # fmt: skip


EDITS = {"title": _title, "person": _person, "place": _place, "source": _source, "statement": _statement,
         "replaced": _replaced}  # fmt: skip


@pytest.mark.parametrize("edit", EDITS)
def test_a_page_whose_content_changes_gets_a_new_version_and_the_others_keep_theirs(client, article, fixture_dir, edit):
    urls = _record_urls()
    before = _served(client, urls)
    data = original()
    EDITS[edit](data)
    load_fixture(write(fixture_dir, data))
    after = _served(client, [url for url in urls if client.get(url).status_code == 200])
    changed = {url for url in after if after[url][0] != before[url][0]}
    assert changed, "the edit shows on no page"
    for url in changed:
        assert after[url][1] != before[url][1], f"{url} changed under the same ETag"
    if edit in ("title", "person", "statement"):
        # A local edit leaves some pages as they were, validators included.
        kept = {url for url in after if after[url][1] == before[url][1]}
        assert kept


@pytest.mark.parametrize("edit", EDITS)
def test_a_page_cached_before_a_load_is_never_served_after_it_changed(client, article, fixture_dir, edit):
    urls = _record_urls()
    cache.clear()
    for url in urls:
        client.get(url)  # now in the page cache
    data = original()
    EDITS[edit](data)
    load_fixture(write(fixture_dir, data))
    served = {url: client.get(url).content for url in urls if client.get(url).status_code == 200}
    fresh = _served(client, list(served))
    assert {url: body for url, (body, _) in fresh.items()} == served


def test_records_keep_their_ids_and_the_load_says_what_it_changed(article, fixture_dir):
    before = _ids()
    data = original()
    _title(data)
    _replaced(data)
    report = load_fixture(write(fixture_dir, data))
    after = _ids()
    for kind in ("people", "places", "sources", "quotes"):
        assert after[kind] == before[kind]
    assert {ref: pk for ref, pk in after["cases"].items() if ref != "k7m2pq"} == {
        ref: pk for ref, pk in before["cases"].items() if ref != "74t3yk"
    }
    assert report.changes["cases"] == {"added": 1, "changed": 1, "retired": 1}
    assert report.changes["people"] == {"added": 0, "changed": 0, "retired": 0}


def test_one_edited_case_touches_only_the_pages_that_show_it(article, fixture_dir):
    data = original()
    _title(data)
    load_fixture(write(fixture_dir, data))
    load = DataLoad.objects.latest()
    touched = set(Case.objects.filter(changed_in=load).values_list("ref", flat=True))
    edited = Case.objects.get(ref="2n2181")
    people = set(edited.involvements.values_list("person", flat=True))
    sharing = set(Case.objects.filter(involvements__person__in=people).values_list("ref", flat=True))
    assert "2n2181" in touched
    assert touched <= sharing | {"2n2181"}
    assert set(Person.objects.filter(changed_in=load).values_list("pk", flat=True)) == people
    assert set(Place.objects.filter(changed_in=load).values_list("pk", flat=True)) == set(edited.place.path_ids)
    assert Source.objects.get().changed_in == load


def test_a_renamed_person_is_found_by_the_new_name(client, article, fixture_dir):
    data = original()
    assert 'class="case-row"' not in client.get("/cases/?q=Zhumagulov").content.decode()
    next(p for p in data["people"] if p["slug"] == "serik-azhibay")["name"] = "Serik Zhumagulov"
    load_fixture(write(fixture_dir, data))
    page = client.get("/cases/?q=Zhumagulov").content.decode()
    assert 'class="case-row"' in page


def test_the_command_prints_what_it_added_changed_and_retired(article, fixture_dir):
    data = original()
    _replaced(data)
    out = io.StringIO()
    call_command("loadarchive", str(write(fixture_dir, data)), stdout=out)
    lines = out.getvalue().splitlines()
    assert "  cases: 1 added, 0 changed, 1 retired" in lines
    assert "  people: 0 added, 0 changed, 0 retired" in lines


def test_a_load_checks_again_only_the_cases_it_cannot_trust(article, fixture_dir, monkeypatch):
    from cases import loader

    data = original()
    _title(data)
    assert loader.trusted_cases(data) == {c["ref"] for c in data["cases"]} - {"2n2181"}
    _person(data)  # a person's name is read by the checks of the cases that name them
    named = {c["ref"] for c in data["cases"] if any(p["person"] == "serik-azhibay" for p in c["people"])}
    assert named and not named & loader.trusted_cases(data)
    _source(data)  # every case quotes the article: none is trusted
    assert loader.trusted_cases(data) == set()
    monkeypatch.setattr(loader, "checking_code", lambda: "other code")  # a new version of the checks: all again
    assert loader.trusted_cases(original()) == set()


def test_a_trusted_case_still_fails_on_what_another_records_change_breaks(article, fixture_dir):
    from cases.loader import FixtureError

    data = original()
    next(p for p in data["places"] if p["slug"] == "almaty")["slug"] = "almaty-city"
    for place in data["places"]:
        if place.get("parent") == "almaty":
            place["parent"] = "almaty-city"
    with pytest.raises(FixtureError, match=r"cases\[84a8j6\]\.place: place 'almaty' does not exist"):
        load_fixture(write(fixture_dir, data))


def test_the_anchor_of_a_persons_part_in_a_case_stays_across_loads(client, article, fixture_dir):
    page = client.get("/cases/2n2181/").content.decode()
    anchors = set(re.findall(r'id="(fact-person-[^"]+)"', page))
    assert "fact-person-baimurat-nauryzbek-detained" in anchors
    data = original()
    _title(data)
    load_fixture(write(fixture_dir, data))
    assert set(re.findall(r'id="(fact-person-[^"]+)"', client.get("/cases/2n2181/").content.decode())) == anchors
