"""The loader refuses bad data with a message naming the record and the field, and changes nothing."""

import copy
import hashlib
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.loader import FixtureError, load_fixture
from cases.models import (
    Case,
    Citation,
    DataLoad,
    Detention,
    EditorialNote,
    Fact,
    Involvement,
    Person,
    PersonName,
    PersonRelation,
    Place,
    Protest,
    Quote,
    RetiredRef,
    Source,
    Statement,
    is_issuable_ref,
)

MODELS = (Source, Quote, Person, PersonName, PersonRelation, Place, Case, Detention, Protest, Involvement, Citation,
          Fact, Statement, EditorialNote, RetiredRef, DataLoad)  # fmt: skip
SOURCE = "kazakh-anti-communist-heats-up-again"


def snapshot():
    """Every stored row of every archive table."""
    return {model.__name__: sorted(map(repr, model.objects.values_list())) for model in MODELS}


def original():
    return json.loads(settings.ARCHIVE_FIXTURE.read_text(encoding="utf-8"))


def write(fixture_dir, data):
    path = fixture_dir / "archive.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def case(data, ref):
    return next(c for c in data["cases"] if c["ref"] == ref)


def test_the_article_loads_and_every_quote_matches_its_source(article):
    source = Source.objects.get(slug=SOURCE)
    assert source.quotes.count() == 17
    for quote in Quote.objects.all():
        assert source.text[quote.start : quote.end] == quote.exact
    assert Case.objects.count() == 6
    assert Case.objects.filter(kind="detention").count() == 3


def test_the_article_is_archived_byte_for_byte(article):
    source = Source.objects.get(slug=SOURCE)
    # The repository's own copy, checked against the SHA-256 the source's record gives: a clone has
    # nothing outside the repository to compare with.
    archived = (settings.BASE_DIR / "fixtures" / "sources" / f"{SOURCE}.txt").read_bytes()
    assert source.text.encode("utf-8") == archived
    assert hashlib.sha256(archived).hexdigest() == source.sha256
    assert len(source.text) == 2981
    assert source.sha256 == "2e781c10d528fad3c4bdbd472ac911babc8129b65a11a93c6cdcb2b86da2a412"
    assert source.is_machine_translation
    assert source.published_display == "1 or 2 February 2021"


def test_dates_are_as_vague_as_the_article(article):
    assert Case.objects.get(title__startswith="Baimurat").date_display == "2018"
    assert Case.objects.get(ref="74t3yk").date_display == "August 2020"
    assert Case.objects.get(ref="84a8j6").date_display == "4 September 2019"


def test_every_shown_fact_of_every_case_has_a_basis_and_cites_a_quote(article):
    for case_ in Case.objects.all():
        cited = set(case_.citations.values_list("field", flat=True))
        assert {"case", "date", "place"} <= cited
        assert set(case_.facts.values_list("field", flat=True)) == cited
        for involvement in case_.involvements.all():
            assert involvement.quotes.exists()


def test_claims_by_serikzhan_bilash_are_attributed_to_him(article):
    quote = Quote.objects.get(exact__contains="sentenced to 10 years")
    assert quote.speaker.slug == "serikzhan-bilash"
    assert quote.attribution == "Serikzhan Bilash, by phone to CNA"


def test_loading_twice_changes_nothing(article):
    before = snapshot()
    report = load_fixture(settings.ARCHIVE_FIXTURE)
    assert report.unchanged
    assert snapshot() == before


def test_forced_reload_does_not_duplicate_records(article):
    before = {model.__name__: model.objects.count() for model in MODELS if model is not DataLoad}
    load_fixture(settings.ARCHIVE_FIXTURE, force=True)
    assert {model.__name__: model.objects.count() for model in MODELS if model is not DataLoad} == before


def _set(data, path, value):
    """Set data[...][...] along path; a path step that is a ref or slug picks that record."""
    target = data
    for step in path[:-1]:
        if isinstance(target, list) and isinstance(step, str):
            target = next(r for r in target if r.get("ref") == step or r.get("slug") == step)
        else:
            target = target[step]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


DELETE = object()

BAD = {
    "quote not at its offsets": (["sources", SOURCE, "quotes", 1, "start"], 5, f"quote {SOURCE}#2.exact"),
    "quote altered": (["sources", SOURCE, "quotes", 0, "exact"], "The founder said so.", f"quote {SOURCE}#1.exact"),
    "quote outside the text": (["sources", SOURCE, "quotes", 0, "end"], 99999, f"quote {SOURCE}#1.start"),
    "wrong sha256": (["sources", SOURCE, "sha256"], "0" * 64, f"sources[{SOURCE}].sha256"),
    "date not EDTF": (["cases", "2n2181", "date"], "2021-13-40", "cases[2n2181].date"),
    "source date not EDTF": (["sources", SOURCE, "published"], "early 2021", f"sources[{SOURCE}].published"),
    "dangling place": (["cases", "2n2181", "place"], "atlantis", "cases[2n2181].place"),
    "dangling person": (["cases", "2n2181", "people", 0, "person"], "nobody", "cases[2n2181].people[0].person"),
    "dangling quote": (["cases", "2n2181", "citations", "date"], [f"{SOURCE}#99"], "cases[2n2181].citations.date[0]"),
    "dangling parent place": (["places", "ili", "parent"], "nowhere", "places[ili].parent"),
    "dangling protest": (["cases", "ha3c3r", "detention", "arose_from"], "2n2181", "cases[ha3c3r].detention.arose_from"),
    "reused ref": (["cases", "2n2181", "ref"], "a8023r", "ref"),
    "malformed ref": (["cases", "2n2181", "ref"], "CASE-1", "cases[CASE-1].ref"),
    "ref of digits": (["cases", "2n2181", "ref"], "408093", "cases[408093].ref"),
    "ref read as a number": (["cases", "2n2181", "ref"], "847e81", "cases[847e81].ref"),
    "uncited fact": (["cases", "2n2181", "citations", "sentence"], DELETE, "cases[2n2181].citations.sentence"),
    "uncited date": (["cases", "2n2181", "citations", "date"], DELETE, "cases[2n2181].citations.date"),
    "uncited person": (["cases", "2n2181", "people", 0, "quotes"], [], "cases[2n2181].people[0].quotes"),
    "unknown field": (["cases", "2n2181", "victim"], "x", "cases[2n2181].victim"),
    "unknown kind": (["cases", "2n2181", "kind"], "arrest", "cases[2n2181].kind"),
    "spelling not in its quote": (["people", "baibolat-kunbolat", "names", 2, "name"], "Kumbolatov",
                                  "people[baibolat-kunbolat].names[2].name"),
    "source spelling without quote": (["people", "zhang-xiao", "names", 0, "quote"], DELETE,
                                      "people[zhang-xiao].names[0].quote"),
    "editorial spelling with a quote": (["people", "zhang-xiao", "names", 1, "quote"], f"{SOURCE}#9",
                                        "people[zhang-xiao].names[1].quote"),
    "modified before created": (["cases", "2n2181", "modified"], "2020-01-01", "cases[2n2181].modified"),
    "bad coordinates": (["places", "almaty", "latitude"], 123.0, "places[almaty].latitude"),
    "a character XML forbids": (["cases", "2n2181", "title"], "A title\ufffe", "cases[2n2181].title"),
    "a control character": (["cases", "2n2181", "summary"], "A summary\x01", "cases[2n2181].summary"),
    "a character XML forbids, deep": (["places", "almaty", "name"], "Almaty\uffff", "places[almaty].name"),
}  # fmt: skip


@pytest.mark.parametrize("problem", list(BAD))
def test_bad_fixture_is_refused_naming_record_and_field_and_nothing_changes(article, fixture_dir, problem):
    path, value, where = BAD[problem]
    data = original()
    _set(data, path, value)
    before = snapshot()
    with pytest.raises(FixtureError) as error:
        load_fixture(write(fixture_dir, data), force=True)
    assert any(line.startswith(where) for line in error.value.errors), error.value.errors
    assert snapshot() == before


def test_a_source_text_with_a_character_xml_forbids_is_refused(article, fixture_dir):
    text = fixture_dir / "sources" / f"{SOURCE}.txt"
    text.write_text(text.read_text(encoding="utf-8") + "\x0c", encoding="utf-8")
    data = original()
    _set(data, ["sources", SOURCE, "sha256"], hashlib.sha256(text.read_bytes()).hexdigest())
    with pytest.raises(FixtureError, match=rf"sources\[{SOURCE}\]\.text_file: holds U\+000C"):
        load_fixture(write(fixture_dir, data), force=True)


def test_bad_fixture_is_refused_on_an_empty_database_too(db, fixture_dir):
    data = original()
    case(data, "2n2181")["date"] = "2021-13-40"
    with pytest.raises(FixtureError):
        load_fixture(write(fixture_dir, data))
    assert all(not model.objects.exists() for model in MODELS)


def test_a_changed_source_text_is_refused(article, fixture_dir):
    text = fixture_dir / "sources" / f"{SOURCE}.txt"
    text.write_text(text.read_text(encoding="utf-8").replace("10 years", "12 years"), encoding="utf-8")
    before = snapshot()
    with pytest.raises(FixtureError, match=rf"sources\[{SOURCE}\]\.sha256"):
        load_fixture(fixture_dir / "archive.json", force=True)
    assert snapshot() == before


def test_a_published_ref_cannot_disappear_from_the_fixture(article, fixture_dir):
    data = original()
    data["cases"] = [c for c in data["cases"] if c["ref"] != "84a8j6"]
    with pytest.raises(FixtureError, match="ref 84a8j6: is published but missing"):
        load_fixture(write(fixture_dir, data))


def test_a_retired_ref_may_replace_a_case(article, fixture_dir):
    data = original()
    data["cases"] = [c for c in data["cases"] if c["ref"] != "84a8j6"]
    # Its sentence is then used by no record, and the source's record says why.
    data["sources"][0]["unused"].append(
        {
            "sentence": "Kazakhs rally in Almaty on Sept. 4, 2019, to protest the government’s construction of a "
            "Chinese factory.",
            "reason": "The rally's record was withdrawn as a duplicate.",
        }
    )
    data["retired"] = [
        {"ref": "84a8j6", "status": "withdrawn", "title": "Rally", "reason": "Duplicate.", "retired": "2026-11-27"}
    ]
    load_fixture(write(fixture_dir, data))
    assert not Case.objects.filter(ref="84a8j6").exists()
    assert RetiredRef.objects.get(ref="84a8j6").status == "withdrawn"


def test_a_retired_ref_cannot_be_reused_by_a_case(article, fixture_dir):
    data = original()
    data["retired"] = [
        {"ref": "84a8j6", "status": "withdrawn", "title": "Rally", "reason": "Duplicate.", "retired": "2026-11-27"}
    ]
    with pytest.raises(FixtureError, match="never reused"):
        load_fixture(write(fixture_dir, data))


def test_a_failure_while_writing_rolls_everything_back(article, fixture_dir, monkeypatch):
    data = original()
    case(data, "2n2181")["title"] = "Baimurat Nauryzbek reported arrested in 2018"
    before = snapshot()

    def fail(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(Detention.objects, "bulk_update", fail)
    with pytest.raises(RuntimeError):
        load_fixture(write(fixture_dir, data))
    assert snapshot() == before


def test_every_problem_is_reported_at_once(db, fixture_dir):
    data = copy.deepcopy(original())
    case(data, "2n2181")["date"] = "2021-13-40"
    case(data, "ha3c3r")["place"] = "atlantis"
    with pytest.raises(FixtureError) as error:
        load_fixture(write(fixture_dir, data))
    assert len(error.value.errors) == 2


def test_invalid_json_is_refused_clearly(db, fixture_dir):
    path = fixture_dir / "archive.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(FixtureError, match="not valid UTF-8 JSON"):
        load_fixture(path)


def test_the_command_exits_non_zero_and_names_the_problem(db, fixture_dir, capsys):
    data = original()
    case(data, "2n2181")["date"] = "2021-13-40"
    with pytest.raises(CommandError, match="database was not changed"):
        call_command("loadarchive", str(write(fixture_dir, data)))
    assert "cases[2n2181].date: '2021-13-40' is not an EDTF date" in capsys.readouterr().err
    assert not Case.objects.exists()


def test_check_mode_writes_nothing(db, capsys):
    call_command("loadarchive", "--check")
    assert "OK (6 cases, 17 quotes in 1 sources" in capsys.readouterr().out
    assert not Case.objects.exists()


def test_load_command_reports_counts_then_nothing_to_do(db, capsys):
    call_command("loadarchive")
    assert "6 cases, 6 people, 6 places, 1 sources, 17 quotes" in capsys.readouterr().out
    call_command("loadarchive")
    assert "already loaded" in capsys.readouterr().out


def test_place_paths_nest(article):
    ili = Place.objects.get(slug="ili")
    china = Place.objects.get(slug="china")
    assert ili.path.startswith(china.path)
    assert ili.full_name == "Ili Kazakh Autonomous Prefecture, Xinjiang Uyghur Autonomous Region, China"
    assert list(Case.objects.within_place(china).values_list("ref", flat=True)) == ["2n2181"]


def test_the_fixture_has_no_ref_a_spreadsheet_reads_as_a_number():
    data = original()
    refs = [record["ref"] for record in data["cases"] + data["retired"]]
    assert refs and all(is_issuable_ref(ref) for ref in refs)
