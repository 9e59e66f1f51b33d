"""The full release of a load, its Data Package and the dataset's description for machines."""

import csv
import hashlib
import io
import json
import sqlite3

import frictionless
import pytest
from django.core.cache import cache
from lxml import html
from pyld import jsonld

from cases import exports, release
from cases.models import (
    Case,
    Citation,
    DataLoad,
    Fact,
    Involvement,
    Person,
    PersonName,
    Place,
    Quote,
    RetiredRef,
    Source,
    Statement,
)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def body(response):
    assert response.status_code == 200, response
    return b"".join(response.streaming_content) if response.streaming else response.content


def version():
    return DataLoad.objects.latest().fixture_sha256[:12]


def download(client, suffix):
    return body(client.get(f"/data/archive-{version()}.{suffix}"))


@pytest.fixture
def database(client, article, tmp_path):
    """The release's SQLite database as a reader downloads it, open read-only in Python's sqlite3."""
    path = tmp_path / "archive.sqlite3"
    path.write_bytes(download(client, "sqlite3"))
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield connection
    connection.close()


def test_the_release_database_holds_every_case_with_the_exports_columns(client, database):
    cursor = database.execute("SELECT * FROM cases ORDER BY ref")
    columns = [d[0] for d in cursor.description]
    assert columns == list(exports.COLUMN_NAMES)
    rows = [dict(zip(columns, row, strict=True)) for row in cursor]
    assert [row["ref"] for row in rows] == sorted(Case.objects.values_list("ref", flat=True))
    exported = {row["ref"]: row for row in json.loads(body(client.get("/cases.json")))["cases"]}
    for row in rows:
        for name, value in row.items():
            expected = exported[row["ref"]][name]
            assert (json.loads(value) if isinstance(expected, list) else value) == expected, (row["ref"], name)


def test_the_release_database_holds_people_with_every_spelling(database):
    people = dict(database.execute("SELECT slug, name FROM people"))
    assert people == dict(Person.objects.values_list("slug", "name"))
    spellings = sorted(database.execute("SELECT person, name, kind, language FROM person_names"))
    expected = PersonName.objects.values_list("person__slug", "name", "kind", "language")
    assert spellings == sorted((p, n, k, lang or None) for p, n, k, lang in expected)
    assert any(kind == "native" for _, _, kind, _ in spellings)


def test_the_release_database_holds_sources_whole_and_every_quote_at_its_offsets(database):
    sources = list(database.execute("SELECT slug, text, sha256 FROM sources"))
    assert {slug for slug, _, _ in sources} == set(Source.objects.values_list("slug", flat=True))
    for slug, text, sha256 in sources:
        assert text == Source.objects.get(slug=slug).text
        assert hashlib.sha256(text.encode()).hexdigest() == sha256
    assert database.execute("SELECT count(*) FROM quotes").fetchone() == (Quote.objects.count(),)
    # SQLite counts characters as the archive counts code points: each quote is where it says.
    misplaced = database.execute(
        'SELECT q.id FROM quotes q JOIN sources s ON s.slug = q.source WHERE substr(s.text, q.start + 1, q."end" - q.start) != q.exact'
    ).fetchall()
    assert misplaced == []


def test_the_release_database_ties_each_fact_and_person_to_its_quotes(database):
    citations = sorted(database.execute('SELECT "case", field, quote FROM citations'))
    expected = Citation.objects.values_list("case__ref", "field", "quote__source__slug", "quote__number")
    assert citations == sorted((ref, field, f"{slug}#{number}") for ref, field, slug, number in expected)
    dangling = database.execute(
        "SELECT quote FROM citations WHERE quote NOT IN (SELECT id FROM quotes) UNION "
        "SELECT quote FROM involvements WHERE quote NOT IN (SELECT id FROM quotes) UNION "
        'SELECT "case" FROM involvements WHERE "case" NOT IN (SELECT ref FROM cases)'
    ).fetchall()
    assert dangling == []
    roles = set(database.execute('SELECT "case", person, role FROM involvements'))
    assert roles == set(Involvement.objects.values_list("case__ref", "person__slug", "role"))


def test_the_release_database_holds_places_and_retired_refs(client, article, tmp_path):
    case = Case.objects.get(ref="84a8j6")
    RetiredRef.objects.create(ref="7q7q7q", status="replaced", title="Old", reason="Merged", replaced_by=case,
                              retired=case.modified)  # fmt: skip
    path = tmp_path / "archive.sqlite3"
    path.write_bytes(download(client, "sqlite3"))
    database = sqlite3.connect(path)
    assert set(database.execute("SELECT slug, parent FROM places")) == set(
        Place.objects.values_list("slug", "parent__slug")
    )
    assert list(database.execute("SELECT ref, status, replaced_by FROM retired_refs")) == [
        ("7q7q7q", "replaced", "84a8j6")
    ]
    assert dict(database.execute("SELECT key, value FROM release"))["version"] == version()
    database.close()


def test_the_release_is_written_once_and_then_served_from_disk(client, article, django_assert_num_queries):
    download(client, "csv")
    kept = release.Release.of(DataLoad.objects.latest().fixture_sha256)
    assert sorted(p.name for p in kept.directory.iterdir()) == sorted(kept.names)
    modified = {name: kept.path(name).stat().st_mtime_ns for name in kept.names}
    url = f"/data/archive-{version()}.sqlite3"
    with django_assert_num_queries(1):  # which load is current, for the response's validators; nothing else
        body(client.get(url))
    assert {name: kept.path(name).stat().st_mtime_ns for name in kept.names} == modified


def test_the_release_csv_and_json_are_the_exports(client, article):
    rows = list(csv.DictReader(io.StringIO(download(client, "csv").decode("utf-8-sig"))))
    live = list(csv.DictReader(io.StringIO(body(client.get("/cases.csv")).decode("utf-8-sig"))))
    assert rows == live
    assert json.loads(download(client, "json"))["cases"] == json.loads(body(client.get("/cases.json")))["cases"]


def test_the_checksums_file_gives_each_files_sha256(client, article):
    lines = download(client, "sha256").decode().splitlines()
    sums = dict(reversed(line.split("  ")) for line in lines)
    name = f"archive-{version()}"
    assert set(sums) == {f"{name}.sqlite3", f"{name}.csv", f"{name}.json", "datapackage.json"}
    for suffix in ("sqlite3", "csv", "json"):
        assert hashlib.sha256(download(client, suffix)).hexdigest() == sums[f"{name}.{suffix}"]
    assert hashlib.sha256(body(client.get("/data/datapackage.json"))).hexdigest() == sums["datapackage.json"]


def test_a_release_of_a_version_that_is_not_kept_is_not_found(client, article):
    assert client.get("/data/archive-000000000000.sqlite3").status_code == 404


def test_no_release_before_any_load(client, db):
    assert client.get("/data/datapackage.json").status_code == 404


def test_the_data_package_validates_with_frictionless_and_declares_the_ref_as_text(client, article, tmp_path):
    """Downloaded beside its files, the Data Package is valid, and every CSV row fits its table schema."""
    package = json.loads(body(client.get("/data/datapackage.json")))
    (tmp_path / "datapackage.json").write_bytes(body(client.get("/data/datapackage.json")))
    for resource in package["resources"]:
        (tmp_path / resource["path"]).write_bytes(download(client, resource["path"].rsplit(".", 1)[1]))
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    [table] = [task for task in report.tasks if task.name == "cases"]
    assert table.stats["rows"] == Case.objects.count()
    fields = {field["name"]: field for field in package["resources"][0]["schema"]["fields"]}
    assert list(fields) == list(exports.COLUMN_NAMES)
    assert fields["ref"]["type"] == "string"
    assert fields["date_earliest"]["type"] == "date"
    assert package["version"] == version()


def test_frictionless_refuses_a_csv_that_breaks_the_table_schema(client, article, tmp_path):
    """The schema is checked, not decorative: a row whose ref is not a ref fails validation."""
    package = json.loads(body(client.get("/data/datapackage.json")))
    text = download(client, "csv").decode("utf-8-sig").replace("a8023r", "A-8023")
    table = {**package["resources"][0]}
    table.pop("hash"), table.pop("bytes")
    table["path"] = "cases.csv"
    (tmp_path / "cases.csv").write_text(text, encoding="utf-8-sig")
    (tmp_path / "datapackage.json").write_text(json.dumps({**package, "resources": [table]}))
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert "constraint-error" in [error_type for (error_type,) in report.flatten(["type"])]


def test_the_data_page_links_the_release_and_describes_the_dataset_for_json_ld(client, article):
    doc = html.fromstring(client.get("/data/").content)
    links = set(doc.xpath("//a/@href"))
    for suffix in ("sqlite3", "csv", "json", "sha256"):
        assert f"/data/archive-{version()}.{suffix}" in links
    assert doc.xpath("//head/link[@rel='describedby']/@href") == ["/data/datapackage.json"]
    [block] = doc.xpath("//head/script[@type='application/ld+json']")
    # pyld expands it with no document loader: nothing is fetched from another host.
    [dataset] = jsonld.expand(json.loads(block.text), {"documentLoader": refuse_to_fetch})
    schema = "https://schema.org/"
    assert dataset["@type"] == [f"{schema}Dataset"]
    assert dataset[f"{schema}version"] == [{"@value": version()}]
    assert dataset[f"{schema}name"] == [{"@value": "Archive of Detentions and Protests"}]
    downloads = {d[f"{schema}contentUrl"][0]["@value"] for d in dataset[f"{schema}distribution"]}
    assert f"http://testserver/data/archive-{version()}.sqlite3" in downloads


def refuse_to_fetch(url, options=None):
    raise AssertionError(f"the JSON-LD made its processor fetch {url}")


def test_the_release_database_gives_each_fact_its_basis_and_holds_the_statements(database):
    facts = {(case, field): (basis, text) for case, field, basis, text in database.execute(
        'SELECT "case", field, basis, basis_text FROM facts')}  # fmt: skip
    assert set(facts) == set(Fact.objects.values_list("case__ref", "field"))
    assert facts[("a8023r", "date")][0] == "derived"
    assert facts[("2n2181", "sentence")] == ("stated", "stated, according to Serikzhan Bilash, by phone to CNA")
    (inputs,) = database.execute("""SELECT inputs FROM facts WHERE "case" = 'gvce2m' AND field = 'date'""").fetchone()
    assert {"quote": "kazakh-anti-communist-heats-up-again#8", "words": "last August"} in json.loads(inputs)
    assert database.execute("SELECT count(*) FROM statements").fetchone()[0] == Statement.objects.count() > 0
    (copy,) = database.execute("SELECT copy_url FROM sources").fetchone()
    assert copy == "https://todaychina.cc/15302.html"
