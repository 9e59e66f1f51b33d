"""The fixture's schema and the models' field rules: everything the database would refuse or a page
could not render is refused before anything is written, each problem naming its record and field."""

import hashlib
import json
import shutil

import jsonschema
import pytest
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from django.core.management.base import CommandError

from cases import fixture_schema
from cases.loader import FixtureError, load_fixture
from cases.models import (
    Case,
    Detention,
    EditorialNote,
    Fact,
    Person,
    PersonName,
    Place,
    Protest,
    Quote,
    RetiredRef,
    Source,
    Statement,
)
from tests.test_loader import SOURCE, _set, original, snapshot


@pytest.fixture
def fixture_dir(tmp_path, settings):
    """A copy of the real fixture folder that a test may break."""
    shutil.copytree(settings.ARCHIVE_FIXTURE.parent, tmp_path / "fixtures")
    return tmp_path / "fixtures"


def write(fixture_dir, data):
    """The fixture as JSON with \\u escapes, the only way JSON can carry a lone surrogate."""
    path = fixture_dir / "archive.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def chain(prefix, levels, name=lambda i: f"Level {i}"):
    """``levels`` places, each inside the one before."""
    return [
        {"slug": f"{prefix}-{i}", "name": name(i), "kind": "site", "modified": "2026-11-27"}
        | ({"parent": f"{prefix}-{i - 1}"} if i else {})
        for i in range(levels)
    ]


def add_places(places):
    return lambda data: data["places"].extend(places)


# One rule a line: how to break the fixture, and the record and field the message must name.
RULES = {
    "a title over 300 characters": (["cases", "2n2181", "title"], "x" * 301, "cases[2n2181].title"),
    "a slug over 120 characters": (["people", "zhang-xiao", "slug"], "z" * 121, f"people[{'z' * 121}].slug"),
    "a language tag over 35 characters": (["sources", SOURCE, "language"], "en-" + "x" * 33,
                                          f"sources[{SOURCE}].language"),
    "a quote's attribution over 300 characters": (["sources", SOURCE, "quotes", 4, "attribution"], "a" * 301,
                                                  f"quote {SOURCE}#5.attribution"),
    "a latitude of true": (["places", "almaty", "latitude"], True, "places[almaty].latitude"),
    "a title that is a number": (["cases", "2n2181", "title"], 7, "cases[2n2181].title"),
    "a quote number of true": (["sources", SOURCE, "quotes", 0, "n"], True, f"sources[{SOURCE}].quotes[0].n"),
    "a longitude out of range": (["places", "almaty", "longitude"], 181, "places[almaty].longitude"),
    "a line break in a title": (["cases", "2n2181", "title"], "Sentenced\nto ten years", "cases[2n2181].title"),
    "CR/LF in a title": (["cases", "2n2181", "title"], "Sentenced\r\nTY  - ELEC", "cases[2n2181].title"),
    "a line separator in a place name": (["places", "ili", "name"], "Ili\u2028Prefecture", "places[ili].name"),
    "a line break in a person's name": (["people", "zhang-xiao", "name"], "Zhang\nXiao", "people[zhang-xiao].name"),
    "a control character in a title": (["cases", "2n2181", "title"], "Sentenced\x0b", "cases[2n2181].title"),
    "a control character in a summary": (["cases", "2n2181", "summary"], "Sentenced\x1b[31m",
                                         "cases[2n2181].summary"),
    "NUL in a summary": (["cases", "2n2181", "summary"], "Sentenced\x00", "cases[2n2181].summary"),
    "NUL in a detention's sentence": (["cases", "2n2181", "detention", "sentence"], "10\x00 years",
                                      "cases[2n2181].detention.sentence"),
    "a lone surrogate in a name": (["people", "zhang-xiao", "names", 1, "name"], "Zhang \ud800",
                                   "people[zhang-xiao].names[1].name"),
    "a lone surrogate in a summary": (["cases", "2n2181", "summary"], "\udfff", "cases[2n2181].summary"),
    "a javascript: address": (["sources", SOURCE, "url"], "javascript:alert(1)", f"sources[{SOURCE}].url"),
    "a data: address": (["sources", SOURCE, "archived_url"], "data:text/html,<script>", f"sources[{SOURCE}].archived_url"),
    "an address the model's validator refuses": (["sources", SOURCE, "archived_url"], "https://archive",
                                                 f"sources[{SOURCE}].archived_url"),
    "a name whose search key outgrows its column": (["people", "zhang-xiao", "names", 1, "name"], "\ufdfa" * 12,
                                                    "people[zhang-xiao].names[1].name"),
}  # fmt: skip

# Rules about the whole place tree: the records to add, and the place and field the message names.
TREE_RULES = {
    "a place tree deeper than the path column holds": (chain("deep", 13), "places[deep-12].parent"),
    "a full place name longer than its column": (chain("long", 6, lambda i: f"{i}" * 200), "places[long-5].name"),
}


def assert_refused(fixture_path, where):
    before = snapshot()
    with pytest.raises(FixtureError) as error:
        load_fixture(fixture_path, force=True)
    assert any(line.startswith(f"{where}: ") for line in error.value.errors), error.value.errors
    assert snapshot() == before


@pytest.mark.parametrize("rule", list(RULES))
def test_a_value_the_database_or_a_page_cannot_take_is_refused(article, fixture_dir, rule):
    path, value, where = RULES[rule]
    data = original()
    _set(data, path, value)
    assert_refused(write(fixture_dir, data), where)


@pytest.mark.parametrize("rule", list(TREE_RULES))
def test_a_place_tree_its_columns_cannot_hold_is_refused(article, fixture_dir, rule):
    places, where = TREE_RULES[rule]
    data = original()
    data["places"].extend(places)
    assert_refused(write(fixture_dir, data), where)


def test_a_place_tree_as_deep_as_the_path_column_holds_loads(article, fixture_dir):
    data = original()
    data["places"].extend(chain("deep", 12))
    load_fixture(write(fixture_dir, data))
    assert Place.objects.get(slug="deep-11").depth == 11


def test_a_source_text_with_a_nul_is_refused(article, fixture_dir):
    text = fixture_dir / "sources" / f"{SOURCE}.txt"
    raw = text.read_bytes() + b"\x00"
    text.write_bytes(raw)
    data = original()
    _set(data, ["sources", SOURCE, "sha256"], hashlib.sha256(raw).hexdigest())
    assert_refused(write(fixture_dir, data), f"sources[{SOURCE}].text_file")


def test_a_line_break_names_the_character_and_where_it_is(db, fixture_dir):
    data = original()
    _set(data, ["cases", "2n2181", "title"], "Reported sentenced\nto ten years")
    with pytest.raises(FixtureError) as error:
        load_fixture(write(fixture_dir, data))
    assert "cases[2n2181].title: must be one line of text" in error.value.errors[0]
    assert "U+000A at position 18" in error.value.errors[0]


def test_check_names_every_problem_once_and_writes_nothing(db, fixture_dir, capsys):
    data = original()
    _set(data, ["cases", "2n2181", "title"], "x" * 301)
    _set(data, ["cases", "ha3c3r", "date"], "2021-13-40")
    _set(data, ["sources", SOURCE, "url"], "javascript:alert(1)")
    _set(data, ["people", "zhang-xiao", "kind"], "robot")
    with pytest.raises(CommandError, match="4 problem"):
        call_command("loadarchive", str(write(fixture_dir, data)), "--check")
    lines = capsys.readouterr().err.splitlines()
    assert sorted(line.split(": ")[0] for line in lines) == [
        "cases[2n2181].title",
        "cases[ha3c3r].date",
        "people[zhang-xiao].kind",
        f"sources[{SOURCE}].url",
    ]
    assert not Case.objects.exists()


def test_the_real_fixture_passes_the_schema():
    assert fixture_schema.problems(original()) == ([], False)


# The schema and the models must agree: a length or a choice changed in one is changed in the other.

SCHEMA_DEFS = {Source: "source", Quote: "quote", Place: "place", Person: "person", PersonName: "name",
               Case: "case", Detention: "detention", Protest: "protest", RetiredRef: "retired", Fact: "basis",
               Statement: "statement", EditorialNote: "editorial_note"}  # fmt: skip


def _effective(schema, prop, key):
    defs = schema["$defs"]
    while key not in prop and "$ref" in prop:
        prop = defs[prop["$ref"].rsplit("/", 1)[1]]
    return prop.get(key)


def test_the_schema_holds_every_text_column_s_length_and_every_choice():
    schema = fixture_schema.validator().schema
    checked = 0
    for model, name in SCHEMA_DEFS.items():
        for prop_name, prop in schema["$defs"][name]["properties"].items():
            column = fixture_schema.COLUMNS.get((model, prop_name), prop_name)
            try:
                field = model._meta.get_field(column)
            except FieldDoesNotExist:
                continue
            if field.is_relation:
                continue
            if field.choices:
                choices = {value for value, _ in field.choices} - {PersonName.Kind.CANONICAL}
                assert set(_effective(schema, prop, "enum")) == choices, (model, prop_name)
                checked += 1
            elif field.max_length:
                assert _effective(schema, prop, "maxLength") == field.max_length, (model, prop_name)
                checked += 1
    assert checked > 30


def test_the_schema_is_published_on_the_data_page(client, db):
    text = client.get("/data/").content.decode()
    assert 'href="/data/fixture.schema.json"' in text
    response = client.get("/data/fixture.schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    published = json.loads(response.content)
    jsonschema.Draft202012Validator.check_schema(published)
    assert published == fixture_schema.validator().schema


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:2]):
            yield (*path, i)
            yield from _leaves(item, (*path, i))


def test_the_quick_check_refuses_every_record_jsonschema_refuses():
    """fastjsonschema only decides which records jsonschema must explain: it may let none through."""
    data = original()
    retired = {"ref": "84a8j7", "status": "replaced", "title": "T", "reason": "R", "replaced_by": "84a8j6",
               "retired": "2026-11-27"}  # fmt: skip
    samples = [(name, records[0]) for name, records in data.items() if records] + [("retired", retired)]
    samples.append(("cases", next(c for c in data["cases"] if c["kind"] == "protest")))
    _, validators = fixture_schema.section_validators()
    bad_values = ([1], {"a": 1}, True, 7, 1.5, None, "", "a\nb", "\x00", "\ud800", "x" * 1001, "javascript:x", -1000)
    compared = 0
    for section, record in samples:
        quick, explain = validators[section]
        for path in _leaves(record):
            for bad in bad_values:
                broken = json.loads(json.dumps(record))
                target = broken
                for step in path[:-1]:
                    target = target[step]
                target[path[-1]] = bad
                refused_quickly = fixture_schema.record_errors((quick, explain), broken) != ()
                assert refused_quickly or explain.is_valid(broken), (section, path, bad)
                compared += 1
    assert compared > 2000
