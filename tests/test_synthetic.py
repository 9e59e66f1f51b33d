"""The benchmark's synthetic fixture (bench/synthetic.py): it passes the loader's checks, has the real data's shapes, and repeats."""

import json
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from bench.synthetic import SLUG_PREFIX, SYNTHETIC_PUBLISHER, write_fixture
from cases import dates
from cases.models import Case, Citation, Fact, Involvement, Person, Source, Statement

ROOT = Path(__file__).resolve().parent.parent
CASES = 150


@pytest.fixture
def fixture_path(synthetic_fixture):
    return synthetic_fixture(CASES, 7)


@pytest.fixture
def data(fixture_path):
    return json.loads(fixture_path.read_text())


def quotes_of(data):
    return {f"{source['slug']}#{quote['n']}": quote for source in data["sources"] for quote in source["quotes"]}


def test_every_record_passes_the_loaders_checks(db, fixture_path, capsys):
    call_command("loadarchive", str(fixture_path), "--check")
    out = capsys.readouterr().out
    assert f"OK ({CASES} cases" in out
    # The headlines and the fillers no record uses, each listed with its reason.
    assert int(re.search(r"Sentences no record uses: (\d+)", out).group(1)) > CASES // 10


def test_it_loads_with_the_records_asked_for_and_people_and_sources_in_proportion(db, load_synthetic):
    report = load_synthetic(CASES, 7)
    assert report.counts["cases"] == Case.objects.count() == CASES
    assert report.counts["people"] == Person.objects.count() == CASES // 5
    assert report.counts["sources"] == Source.objects.count() == CASES // 10
    assert Involvement.objects.count() >= CASES
    assert Citation.objects.count() >= 4 * CASES
    assert Statement.objects.exists()


def test_facts_resting_on_one_persons_word_name_that_person(db, load_synthetic):
    load_synthetic(CASES, 7)
    attributed = Fact.objects.filter(according_to__isnull=False)
    assert attributed.exists()
    for fact in attributed.select_related("according_to")[:20]:
        assert fact.attribution.startswith(fact.according_to.name)


def test_cases_of_both_kinds_each_with_their_details(data):
    kinds = Counter(case["kind"] for case in data["cases"])
    assert kinds["detention"] > CASES // 4 and kinds["protest"] > CASES // 4
    assert all(("detention" in case) == (case["kind"] == "detention") for case in data["cases"])
    assert all(("protest" in case) == (case["kind"] == "protest") for case in data["cases"])
    assert any("arose_from" in case.get("detention", {}) for case in data["cases"])


def test_every_fact_shown_cites_a_passage_that_states_it(data):
    quotes = quotes_of(data)
    places = {place["slug"]: place["name"] for place in data["places"]}
    for case in data["cases"]:
        cited = {name: [quotes[key]["exact"] for key in keys] for name, keys in case["citations"].items()}
        assert {"case", "place"} <= set(cited)
        assert any(places[case["place"]] in exact for exact in cited["place"])
        details = case.get("detention") or case["protest"]
        for name, value in details.items():
            if name in ("status", "form", "outcome", "arose_from") or value in ("not-stated",):
                continue
            assert any(value in exact for exact in cited[name]), (case["ref"], name)


def test_every_involvement_cites_a_passage_naming_the_person(data):
    quotes = quotes_of(data)
    spellings = {
        person["slug"]: [person["name"]] + [name["name"] for name in person.get("names", [])]
        for person in data["people"]
    }
    for case in data["cases"]:
        for involvement in case["people"]:
            exacts = [quotes[key]["exact"] for key in involvement["quotes"]]
            assert any(name in exact for name in spellings[involvement["person"]] for exact in exacts)


def test_dates_come_in_every_precision_the_archive_accepts(data):
    edtfs = {case["date"] for case in data["cases"]}
    assert any(re.fullmatch(r"\d{4}", d) for d in edtfs)
    assert any(re.fullmatch(r"\d{4}-\d{2}", d) for d in edtfs)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in edtfs)
    assert any(re.fullmatch(r"\[\d{4}-\d{2}-\d{2},\d{4}-\d{2}-\d{2}\]", d) for d in edtfs)
    assert any(re.fullmatch(r"\[\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}\]", d) for d in edtfs)
    assert any(re.fullmatch(r"\d{4}-\d{2}/\d{4}-\d{2}", d) for d in edtfs)
    for qualifier in "~?%":
        assert any(d.endswith(qualifier) for d in edtfs), qualifier


def test_a_date_given_as_today_is_derived_from_the_reports_date(data):
    published = {source["slug"]: source["published"] for source in data["sources"]}
    derived = [case for case in data["cases"] if "date" in case.get("bases", {})]
    assert derived
    for case in derived:
        basis = case["bases"]["date"]
        assert basis["basis"] == "derived" and "date" not in case["citations"]
        (source,) = [item["published"] for item in basis["inputs"] if "published" in item]
        assert case["date"] == published[source]


def test_a_few_people_appear_in_far_more_cases_than_most(data):
    involvements = Counter(i["person"] for case in data["cases"] for i in case["people"])
    assert max(involvements.values()) >= 4 * statistics.median(involvements.values())


def test_people_have_spellings_in_latin_cyrillic_chinese_and_with_accents(data):
    names = [name for person in data["people"] for name in [person["name"], *(n["name"] for n in person["names"])]]
    assert any(re.search("[а-яәғқңөұүһі]", name.lower()) for name in names)
    assert any(re.search("[\u4e00-\u9fff]", name) for name in names)
    assert any(re.search("[äöüūñşğıāáǎàēéěèīíǐìōóǒòúǔù]", name) for name in names)
    assert any(n["kind"] == "source" for person in data["people"] for n in person["names"])
    assert any(person.get("kind") == "organisation" for person in data["people"])


def test_the_place_tree_is_five_levels_deep(data):
    parents = {place["slug"]: place.get("parent") for place in data["places"]}
    kinds = {}
    for place in data["places"]:
        depth, at = 0, place["slug"]
        while parents[at]:
            depth, at = depth + 1, parents[at]
        kinds.setdefault(depth, set()).add(place["kind"])
    assert kinds == {0: {"country"}, 1: {"region"}, 2: {"prefecture"}, 3: {"city"}, 4: {"site"}}


def test_sources_are_shared_by_several_cases_and_record_what_no_case_uses(data):
    cases_per_source = Counter()
    for case in data["cases"]:
        for source in {key.split("#")[0] for key in case["citations"]["case"]}:
            cases_per_source[source] += 1
    assert set(cases_per_source.values()) == {10}
    assert data["statements"] and data["relations"]
    assert all(source["unused"] and all(u["reason"] for u in source["unused"]) for source in data["sources"])


def test_retired_refs_are_both_replaced_and_withdrawn(data):
    assert {record["status"] for record in data["retired"]} == {"replaced", "withdrawn"}


def test_everything_is_marked_as_synthetic(data):
    assert {source["publisher"] for source in data["sources"]} == {SYNTHETIC_PUBLISHER}
    for section in ("sources", "people", "places"):
        assert all(record["slug"].startswith(SLUG_PREFIX) for record in data[section])
    assert all(dates.parse(source["published"]) for source in data["sources"])


def test_the_same_seed_gives_the_same_files_and_another_seed_others(tmp_path):
    def files(folder):
        return {path.relative_to(folder): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}

    first = files(write_fixture(tmp_path / "a", cases=40, seed=3).parent)
    assert files(write_fixture(tmp_path / "b", cases=40, seed=3).parent) == first
    other = files(write_fixture(tmp_path / "c", cases=40, seed=4).parent)
    assert other[Path("archive.json")] != first[Path("archive.json")]


def test_a_larger_archive_of_the_same_seed_keeps_the_smaller_ones_refs(synthetic_fixture):
    def refs(cases):
        data = json.loads(synthetic_fixture(cases, 3).read_text())
        return {case["ref"] for case in data["cases"]} | {record["ref"] for record in data["retired"]}

    assert refs(60) <= refs(600)


def test_the_command_line_writes_a_fixture_folder(tmp_path):
    command = [sys.executable, "bench/synthetic.py", "--cases", "20", "--seed", "3", "--out", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    assert "20 cases" in done.stdout
    data = json.loads((tmp_path / "archive.json").read_text())
    assert len(data["cases"]) == 20
    assert all((tmp_path / source["text_file"]).is_file() for source in data["sources"])


def test_the_command_line_refuses_a_size_of_nothing(tmp_path):
    command = [sys.executable, "bench/synthetic.py", "--cases", "0", "--out", str(tmp_path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert "--cases must be 1 or more" in done.stderr
    assert not (tmp_path / "archive.json").exists()
