"""The full release of a load: the whole archive as files to download and keep.

One release per load, named by the load's version (the first 12 hex digits of
the fixture's SHA-256), in ``ARCHIVE_RELEASE_DIR/<version>/``:

- ``archive-<version>.sqlite3``: every record in one SQLite database that opens
  in any SQLite tool: cases (the export's columns), the basis of each of their
  facts, their citations (each fact tied to a quote), the sources' statements,
  people and every spelling of their names, places, sources with their full
  texts and SHA-256, quotes, retired refs;
- ``archive-<version>.csv`` and ``archive-<version>.json``: the case list as
  ``/cases.csv`` and ``/cases.json`` give it, written by the same code;
- ``datapackage.json``: a Frictionless Data Package describing the files, with
  a table schema for the CSV;
- ``archive-<version>.sha256``: the SHA-256 of each of the above, in the format
  ``sha256sum --check`` reads.

A release is written once, on the first request for it, into a temporary
directory renamed into place, and then served as a file: no request after the
first reads the database for it. The whole release is read in one transaction,
so it holds one load.
"""

import datetime
import decimal
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from . import exports
from .models import (
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
from .snapshot import snapshot

DATAPACKAGE = "datapackage.json"
SUFFIXES = ("sqlite3", "csv", "json", "sha256")
# A column's SQLite type from its export type; lists are JSON arrays in TEXT.
_SQLITE_TYPES = {"number": "REAL"}
# A column's Table Schema field from its export type (https://specs.frictionlessdata.io/table-schema/).
_TABLE_SCHEMA_TYPES = {
    "date": {"type": "date", "format": "default"},
    "number": {"type": "number"},
    "url": {"type": "string", "format": "uri"},
}


@dataclass(frozen=True)
class Release:
    """The files of one load's release: where they are kept and what they are called."""

    version: str
    directory: Path

    @classmethod
    def of(cls, fixture_sha256):
        version = fixture_sha256[:12]
        return cls(version, Path(settings.ARCHIVE_RELEASE_DIR) / version)

    def name(self, suffix):
        return f"archive-{self.version}.{suffix}"

    @property
    def names(self):
        return [self.name(suffix) for suffix in SUFFIXES] + [DATAPACKAGE]

    def path(self, name):
        return self.directory / name

    @property
    def exists(self):
        return self.directory.is_dir()


def current(base_url):
    """The release of the current load (written if it is not yet), or None before any load.

    ``base_url`` is the public address the permalinks in the files are written with.
    """
    load = DataLoad.objects.order_by("-loaded_at", "-pk").values_list("fixture_sha256", flat=True).first()
    if load is None:
        return None
    release = Release.of(load)
    if not release.exists:
        write(release, base_url)
    return release


def write(release, base_url):
    """Write every file of ``release`` into a temporary directory, then rename it into place."""
    parent = release.directory.parent
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{release.version}-", dir=parent))
    try:
        with snapshot():  # every table read as of one moment: a load committed meanwhile is not half in
            load = DataLoad.objects.order_by("-loaded_at", "-pk").first()
            if load is None or load.fixture_sha256[:12] != release.version:
                raise LookupError(f"release {release.version} is not the current load's")
            _write_files(release, load, work, base_url)
        try:
            os.rename(work, release.directory)
        except OSError:
            if not release.exists:
                raise
            # Another process wrote the same release first: keep theirs.
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write_files(release, load, work, base_url):
    cases = Case.objects.newest_first()
    with open(work / release.name("csv"), "w", encoding="utf-8", newline="") as out:
        out.writelines(exports.csv_chunks(exports.rows(cases, base_url)))
    version = (load.pk, load.fixture_sha256, load.loaded_at)
    metadata = exports.dataset_metadata(version, f"{base_url}/data/", {})
    with open(work / release.name("json"), "w", encoding="utf-8") as out:
        out.writelines(exports.json_chunks(exports.rows(cases, base_url), metadata))
    _write_database(work / release.name("sqlite3"), load, base_url)
    package = datapackage(release, load, work, base_url)
    (work / DATAPACKAGE).write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    sums = [f"{_sha256(work / name)}  {name}\n" for name in release.names if name != release.name("sha256")]
    (work / release.name("sha256")).write_text("".join(sums), encoding="utf-8")


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# The SQLite database.

_TABLES = """
CREATE TABLE release (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    slug TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT NOT NULL, author TEXT, language TEXT NOT NULL,
    original_language TEXT, original_title TEXT, url TEXT, copy_url TEXT, copy_note TEXT, archived_url TEXT,
    published TEXT NOT NULL, published_edtf TEXT NOT NULL, published_earliest TEXT NOT NULL,
    published_latest TEXT NOT NULL, retrieved TEXT, is_machine_translation INTEGER NOT NULL,
    translation_note TEXT, notes TEXT, sha256 TEXT NOT NULL, text TEXT NOT NULL
);
CREATE TABLE people (slug TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, description TEXT);
CREATE TABLE quotes (
    id TEXT PRIMARY KEY, source TEXT NOT NULL REFERENCES sources(slug), number INTEGER NOT NULL,
    exact TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    speaker TEXT REFERENCES people(slug), attribution TEXT
);
CREATE TABLE person_names (
    person TEXT NOT NULL REFERENCES people(slug), name TEXT NOT NULL, kind TEXT NOT NULL, language TEXT,
    quote TEXT REFERENCES quotes(id), note TEXT
);
CREATE TABLE places (
    slug TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, parent TEXT REFERENCES places(slug),
    full_name TEXT NOT NULL, latitude REAL, longitude REAL, description TEXT
);
CREATE TABLE involvements (
    "case" TEXT NOT NULL REFERENCES cases(ref), person TEXT NOT NULL REFERENCES people(slug), role TEXT NOT NULL,
    quote TEXT NOT NULL REFERENCES quotes(id)
);
CREATE TABLE citations (
    "case" TEXT NOT NULL REFERENCES cases(ref), field TEXT NOT NULL, quote TEXT NOT NULL REFERENCES quotes(id)
);
CREATE TABLE facts (
    "case" TEXT NOT NULL REFERENCES cases(ref), field TEXT NOT NULL, basis TEXT NOT NULL, basis_text TEXT NOT NULL,
    according_to TEXT REFERENCES people(slug), attribution TEXT, rule TEXT, inputs TEXT NOT NULL,
    reference_title TEXT, reference_url TEXT, PRIMARY KEY ("case", field)
);
CREATE TABLE statements (
    quote TEXT NOT NULL REFERENCES quotes(id), kind TEXT NOT NULL, summary TEXT NOT NULL,
    speaker TEXT REFERENCES people(slug), attribution TEXT
);
CREATE TABLE retired_refs (
    ref TEXT PRIMARY KEY, status TEXT NOT NULL, title TEXT NOT NULL, reason TEXT NOT NULL,
    replaced_by TEXT REFERENCES cases(ref), retired TEXT NOT NULL
);
"""


def _quote_id(source_slug, number):
    """A quote's identity across the release: its source and number, as the fixture writes it."""
    return None if source_slug is None else f"{source_slug}#{number}"


def _write_database(path, load, base_url):
    columns = ", ".join(
        f"{column.name} {_SQLITE_TYPES.get(column.type, 'TEXT')}{' PRIMARY KEY' if column.name == 'ref' else ''}"
        for column in exports.COLUMNS
    )
    database = sqlite3.connect(path)
    try:
        database.executescript(f"CREATE TABLE cases ({columns});" + _TABLES)
        database.executemany(
            "INSERT INTO release VALUES (?, ?)",
            [
                ("name", settings.ARCHIVE_NAME),
                ("version", load.fixture_sha256[:12]),
                ("fixture_sha256", load.fixture_sha256),
                ("loaded_at", load.loaded_at.isoformat()),
                ("licence", settings.ARCHIVE_DATA_LICENCE),
                ("licence_url", settings.ARCHIVE_DATA_LICENCE_URL),
            ],
        )
        placeholders = ", ".join("?" for _ in exports.COLUMNS)
        database.executemany(
            f"INSERT INTO cases VALUES ({placeholders})",
            (
                [json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value for value in row.values()]
                for row in exports.rows(Case.objects.newest_first(), base_url)
            ),
        )
        _insert(
            database,
            "sources",
            Source.objects.order_by("slug").values_list(
                "slug", "title", "publisher", "author", "language", "original_language", "original_title", "url",
                "copy_url", "copy_note", "archived_url", "published_display", "published_edtf", "published_earliest", "published_latest",
                "retrieved", "is_machine_translation", "translation_note", "notes", "sha256", "text",
            ),
        )  # fmt: skip
        _insert(database, "people", Person.objects.order_by("slug").values_list("slug", "name", "kind", "description"))
        _insert(
            database,
            "quotes",
            (
                (_quote_id(slug, number), slug, number, exact, start, end, speaker, attribution)
                for slug, number, exact, start, end, speaker, attribution in Quote.objects.order_by(
                    "source__slug", "number"
                ).values_list("source__slug", "number", "exact", "start", "end", "speaker__slug", "attribution")
            ),
        )
        _insert(
            database,
            "person_names",
            (
                (person, name, kind, language, _quote_id(source, number), note)
                for person, name, kind, language, source, number, note in PersonName.objects.order_by(
                    "person__slug", "pk"
                ).values_list(
                    "person__slug", "name", "kind", "language", "quote__source__slug", "quote__number", "note"
                )
            ),
        )
        _insert(
            database,
            "places",
            Place.objects.order_by("path").values_list(
                "slug", "name", "kind", "parent__slug", "full_name", "latitude", "longitude", "description"
            ),
        )
        _insert(
            database,
            "involvements",
            (
                (case, person, role, _quote_id(source, number))
                for case, person, role, source, number in Involvement.quotes.through.objects.order_by(
                    "involvement__case__ref", "involvement__pk", "quote__source__slug", "quote__number"
                ).values_list(
                    "involvement__case__ref",
                    "involvement__person__slug",
                    "involvement__role",
                    "quote__source__slug",
                    "quote__number",
                )
            ),
        )
        _insert(
            database,
            "citations",
            (
                (case, field, _quote_id(source, number))
                for case, field, source, number in Citation.objects.order_by(
                    "case__ref", "field", "quote__source__slug", "quote__number"
                ).values_list("case__ref", "field", "quote__source__slug", "quote__number")
            ),
        )
        _insert(
            database,
            "facts",
            (
                (fact.case.ref, fact.field, fact.basis, fact.description,
                 fact.according_to.slug if fact.according_to_id else None, fact.attribution, fact.rule,
                 json.dumps(fact.inputs, ensure_ascii=False), fact.reference_title, fact.reference_url)
                for fact in Fact.objects.select_related("case", "according_to").order_by("case__ref", "field")
            ),
        )  # fmt: skip
        _insert(
            database,
            "statements",
            (
                (_quote_id(source, number), kind, summary, speaker, attribution)
                for source, number, kind, summary, speaker, attribution in Statement.objects.order_by(
                    "quote__source__slug", "quote__number", "pk"
                ).values_list("quote__source__slug", "quote__number", "kind", "summary", "speaker__slug", "attribution")
            ),
        )
        _insert(
            database,
            "retired_refs",
            RetiredRef.objects.order_by("ref").values_list(
                "ref", "status", "title", "reason", "replaced_by__ref", "retired"
            ),
        )
        database.commit()
    finally:
        database.close()


def _insert(database, table, rows):
    width = len(database.execute(f"SELECT * FROM {table} LIMIT 0").description)
    database.executemany(
        f"INSERT INTO {table} VALUES ({', '.join('?' * width)})",
        ([_sqlite_value(value) for value in row] for row in rows),
    )


def _sqlite_value(value):
    """A value as SQLite keeps it: dates as ISO text, coordinates as floats, blanks as NULL."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return None if value == "" else value


# The Data Package.


def table_schema():
    """The CSV's Table Schema: one field per export column, the ref declared as text, never a number."""
    fields = []
    for column in exports.COLUMNS:
        field = {"name": column.name, "description": column.description, "type": "string"}
        field.update(_TABLE_SCHEMA_TYPES.get(column.type, {}))
        if column.name == "ref":
            field["constraints"] = {"required": True, "unique": True, "pattern": "[0-9a-hjkmnp-tv-z]{6}"}
        fields.append(field)
    return {"fields": fields, "primaryKey": ["ref"], "missingValues": [""]}


def datapackage(release, load, directory, base_url):
    """The Frictionless Data Package (v1) describing the files of ``release`` written in ``directory``."""

    def resource(name, suffix, **extra):
        path = directory / release.name(suffix)
        return {
            "name": name,
            "path": release.name(suffix),
            "bytes": path.stat().st_size,
            "hash": f"sha256:{_sha256(path)}",
            **extra,
        }

    return {
        "profile": "data-package",
        "name": "archive-of-detentions-and-protests",
        "title": settings.ARCHIVE_NAME,
        "description": (
            "Documented detentions and protests, every fact tied to the exact words of its source. "
            "The cases as CSV and JSON, and the whole archive as one SQLite database."
        ),
        "version": release.version,
        "created": load.loaded_at.isoformat(),
        "homepage": f"{base_url}/data/",
        "licenses": [
            {"name": "CC-BY-4.0", "title": settings.ARCHIVE_DATA_LICENCE, "path": settings.ARCHIVE_DATA_LICENCE_URL}
        ],
        "resources": [
            resource(
                "cases",
                "csv",
                profile="tabular-data-resource",
                format="csv",
                mediatype="text/csv",
                encoding="utf-8-sig",
                dialect={"delimiter": ",", "lineTerminator": "\r\n", "header": True},
                schema=table_schema(),
            ),
            resource("cases-json", "json", format="json", mediatype="application/json", encoding="utf-8"),
            resource("archive", "sqlite3", format="sqlite", mediatype="application/vnd.sqlite3"),
        ],
    }
