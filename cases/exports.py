"""The case list as data: one set of column definitions for the CSV, the JSON and the data dictionary.

``COLUMNS`` names every column, says what it holds and computes its value, so
the CSV header, the JSON keys and the dataset page's dictionary cannot drift
apart. ``rows`` walks any queryset of cases in chunks, fetching what a chunk
needs in a fixed number of queries, so memory stays flat however many cases
there are; ``csv_chunks`` and ``json_chunks`` turn those rows into text for a
StreamingHttpResponse.
"""

import csv
import io
import itertools
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse

from .models import Case, Citation, Detention, Fact, Involvement, Place, Protest, basis_text, path_ids

# Cases per chunk: each chunk costs one prefetch of its people, one of its
# places' ancestors and two of its sources.
CHUNK_SIZE = 500
# CSV rows written out together, so a streamed response is not thousands of tiny writes.
ROWS_PER_WRITE = 100
# Text cells starting with one of these, after any white space and read as
# NFKC (so a full-width "＝" is "="), or starting with a tab or a line break,
# are prefixed with an apostrophe, so a spreadsheet shows them instead of
# running them as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")
# Text a spreadsheet reads as a day ("August 2020", "Aug 2020", "1 February 2021", "February 1, 2021")
# and writes back, when the file is saved again, as "08/01/20": prefixed with an apostrophe too.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
READS_AS_A_DAY = re.compile(rf"\s*(?:\d{{1,2}}\s+)?{_MONTH}\s+(?:\d{{1,2}},?\s+)?\d{{2,4}}\s*", re.IGNORECASE)
LIST_SEPARATOR = "; "
PATH_SEPARATOR = " > "
_CHARACTER_NAMES = {" ": "a space", ";": "a semicolon", ">": "a greater-than sign", ",": "a comma", "|": "a bar"}


def describe_separator(separator):
    """A separator in words, so that its spaces are not lost on the page: "a semicolon, then a space"."""
    return ", then ".join(_CHARACTER_NAMES[ch] for ch in separator)


def _values(choices):
    return ", ".join(choices.values)


@dataclass(frozen=True)
class Column:
    """One column of the exports: its name, what it holds, and how to compute it from a case's row."""

    name: str
    type: str  # "text", "code", "url", "date", "number", "list"
    description: str
    example: str
    value: Callable[[dict, "_Chunk"], Any] = field(repr=False)  # (row of FIELDS, its chunk) -> JSON value
    applies_to: str = "every case"

    @property
    def is_free_text(self):
        """Text written by people (titles, names): the cells a spreadsheet could mistake for a formula."""
        return self.type in ("text", "list")


def _field(name):
    return lambda row, chunk: row[name]


def _day(name):
    return lambda row, chunk: row[name].isoformat()


def _detail(kind, name):
    """A kind-specific field: None for a case of the other kind, or when the source does not state it."""
    return lambda row, chunk: (row[f"{kind}__{name}"] or None) if row["kind"] == kind else None


COLUMNS = (
    Column(
        "ref",
        "code",
        "The case's permanent reference: six characters, assigned once and never reused or changed. "
        "Text, never a number: no ref is all digits, or digits around one “e”, so no spreadsheet reads one as a number.",
        "a8023r",
        _field("ref"),
    ),
    Column(
        "permalink",
        "url",
        "The case's page, with every fact and its quote. Cite this address.",
        "https://…/cases/a8023r/",
        lambda row, chunk: chunk.absolute(reverse("case-detail", args=[row["ref"]])),
    ),
    Column("kind", "code", f"What the case records: {_values(Case.Kind)}.", "protest", _field("kind")),
    Column("title", "text", "A one-line title.", "Baibolat Kunbolat's one-person picket…", _field("title")),
    Column("summary", "text", "What happened, in a few sentences.", "Baibolat Kunbolat staged…", _field("summary")),
    Column(
        "date",
        "text",
        "The date in words, never more precise than its basis allows: a year, a month, a day, an approximate "
        "date or one of two days. Whether the source states it or the archive worked it out is in bases.",
        "1 or 2 February 2021",
        _field("date_display"),
    ),
    Column(
        "date_edtf",
        "code",
        "The same date in the Extended Date/Time Format (EDTF, ISO 8601-2).",
        "[2021-02-01,2021-02-02]",
        _field("date_edtf"),
    ),
    Column(
        "date_earliest",
        "date",
        "The first day the date can mean (YYYY-MM-DD).",
        "2021-02-01",
        _day("date_earliest"),
    ),
    Column(
        "date_latest",
        "date",
        "The last day the date can mean (YYYY-MM-DD).",
        "2021-02-02",
        _day("date_latest"),
    ),
    Column(
        "place",
        "code",
        "Where it happened: the place's slug.",
        "chinese-consulate-general-almaty",
        _field("place__slug"),
    ),
    Column("place_name", "text", "The place's name.", "Chinese Consulate General in Almaty", _field("place__name")),
    Column(
        "place_path",
        "list",
        f"The places that contain it, from the top down, ending with the place itself. "
        f"In the CSV joined by “{PATH_SEPARATOR}” ({describe_separator(PATH_SEPARATOR)}).",
        "Kazakhstan > Almaty > Chinese Consulate General in Almaty",
        lambda row, chunk: chunk.path_names(row["place__path"]),
    ),
    Column(
        "latitude",
        "number",
        "Latitude (WGS 84, decimal degrees) of the place, or of the nearest place containing it whose "
        "coordinates are known; blank when none are.",
        "43.2389",
        lambda row, chunk: chunk.coordinates(row["place__path"])[0],
    ),
    Column(
        "longitude",
        "number",
        "Longitude (WGS 84, decimal degrees), as for latitude.",
        "76.8897",
        lambda row, chunk: chunk.coordinates(row["place__path"])[1],
    ),
    Column(
        "coordinates_place",
        "code",
        "The slug of the place the coordinates belong to: the place itself, or the place containing it.",
        "almaty",
        lambda row, chunk: chunk.coordinates(row["place__path"])[2],
    ),
    Column(
        "people",
        "list",
        f"Each person or organisation involved, with their role ({_values(Involvement.Role)}). "
        f"In the CSV “Name (role)”, joined by “{LIST_SEPARATOR}” ({describe_separator(LIST_SEPARATOR)}); "
        "in the JSON objects with "
        "slug, name and role.",
        "Baibolat Kunbolat (protester); Serikzhan Bilash (source-of-statement)",
        lambda row, chunk: [
            {"slug": slug, "name": name, "role": role} for slug, name, role in chunk.people.get(row["pk"], [])
        ],
    ),
    Column(
        "people_slugs",
        "list",
        "The same people's slugs, in the same order: each has a page at /people/<slug>/.",
        "baibolat-kunbolat; serikzhan-bilash",
        lambda row, chunk: [slug for slug, _, _ in chunk.people.get(row["pk"], [])],
    ),
    Column(
        "detention_authority",
        "text",
        "Who detained the person.",
        "Kazakh police",
        _detail(Case.Kind.DETENTION, "authority"),
        "detentions",
    ),
    Column(
        "detention_reason",
        "text",
        "The reason given for the detention, as reported: whose word it is, when one person's, is in bases.",
        "having studied in Kazakhstan",
        _detail(Case.Kind.DETENTION, "reason"),
        "detentions",
    ),
    Column(
        "detention_sentence",
        "text",
        "The sentence, as reported: whose word it is, when one person's, is in bases.",
        "10 years in prison",
        _detail(Case.Kind.DETENTION, "sentence"),
        "detentions",
    ),
    Column(
        "detention_duration",
        "text",
        "How long the person has been or was held, as stated.",
        "1,049 days as of…",
        _detail(Case.Kind.DETENTION, "duration"),
        "detentions",
    ),
    Column(
        "detention_release",
        "text",
        "The release, as stated.",
        "",
        _detail(Case.Kind.DETENTION, "release"),
        "detentions",
    ),
    Column(
        "detention_status",
        "code",
        f"The person's status as of the source's date: {_values(Detention.Status)}.",
        "sentenced",
        _detail(Case.Kind.DETENTION, "status"),
        "detentions",
    ),
    Column(
        "detention_arose_from",
        "code",
        "The ref of the protest the detention arose from.",
        "a8023r",
        _detail(Case.Kind.DETENTION, "arose_from__case__ref"),
        "detentions",
    ),
    Column(
        "protest_form",
        "code",
        f"The form of the protest: {_values(Protest.Form)}.",
        "one-person-picket",
        _detail(Case.Kind.PROTEST, "form"),
        "protests",
    ),
    Column(
        "protest_size",
        "text",
        "How many took part, as stated.",
        "one person",
        _detail(Case.Kind.PROTEST, "size"),
        "protests",
    ),
    Column(
        "protest_target",
        "text",
        "Whom or what the protest addressed.",
        "the Chinese Consulate General in Almaty",
        _detail(Case.Kind.PROTEST, "target"),
        "protests",
    ),
    Column(
        "protest_demands",
        "text",
        "What the protesters demanded, as reported: whose word it is, when one person's, is in bases.",
        "the release of his brother…",
        _detail(Case.Kind.PROTEST, "demands"),
        "protests",
    ),
    Column(
        "protest_slogans",
        "text",
        "Slogans, or the text of placards.",
        "a photo of his brother…",
        _detail(Case.Kind.PROTEST, "slogans"),
        "protests",
    ),
    Column(
        "protest_outcome",
        "code",
        f"How it ended: {_values(Protest.Outcome)}.",
        "arrests",
        _detail(Case.Kind.PROTEST, "outcome"),
        "protests",
    ),
    Column(
        "bases",
        "list",
        "How the archive knows each fact in this row: “field: basis”. Stated by the source; stated according to "
        "one person (who, and to whom), when only their word carries it; derived by the archive (the rule); or "
        f"added by the editors (the reference, or unsourced). In the CSV joined by “{LIST_SEPARATOR}”.",
        "date: derived by the archive: The report calls the day of the picket “today”…",
        lambda row, chunk: chunk.bases.get(row["pk"], []),
    ),
    Column(
        "sources",
        "list",
        "The slugs of the sources the case's facts are quoted from: each has a page at /sources/<slug>/.",
        "kazakh-anti-communist-heats-up-again",
        lambda row, chunk: chunk.sources.get(row["pk"], []),
    ),
    Column(
        "created",
        "date",
        "The day the record was first published (YYYY-MM-DD).",
        "2026-11-27",
        _day("created"),
    ),
    Column(
        "modified",
        "date",
        "The day the record last changed (YYYY-MM-DD).",
        "2026-11-27",
        _day("modified"),
    ),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)


# What the main query reads for each case: its own columns and its details'.
FIELDS = (
    "pk", "ref", "kind", "title", "summary", "date_display", "date_edtf", "date_earliest", "date_latest",
    "place__slug", "place__name", "place__path", "created", "modified",
    *(f"detention__{name}" for name in ("authority", "reason", "sentence", "duration", "release", "status")),
    "detention__arose_from__case__ref",
    *(f"protest__{name}" for name in ("form", "size", "target", "demands", "slogans", "outcome")),
)  # fmt: skip


class _Places:
    """Places by id, fetched as chunks need them: at most one query per chunk, one small tuple per place."""

    def __init__(self):
        self.known = {}

    def fetch(self, paths):
        wanted = {pk for path in paths for pk in path_ids(path)} - self.known.keys()
        if wanted:
            for row in Place.objects.filter(pk__in=wanted).values_list("pk", "slug", "name", "latitude", "longitude"):
                self.known[row[0]] = row

    def ancestry(self, path):
        """The place's rows from the top of the tree down to the place itself."""
        return [self.known[pk] for pk in path_ids(path)]


class _Chunk:
    """What the rows of one chunk of cases share: the public address, their people, places and sources."""

    def __init__(self, cases, places, base_url):
        self.base_url = base_url
        self.places = places
        places.fetch(case["place__path"] for case in cases)
        ids = [case["pk"] for case in cases]
        self.people = {}
        involvements = Involvement.objects.filter(case_id__in=ids).order_by("case_id", "pk")
        for case_id, *person in involvements.values_list("case_id", "person__slug", "person__name", "role"):
            self.people.setdefault(case_id, []).append(person)
        found = set(Citation.objects.filter(case_id__in=ids).values_list("case_id", "quote__source__slug"))
        found |= set(
            Involvement.quotes.through.objects.filter(involvement__case_id__in=ids).values_list(
                "involvement__case_id", "quote__source__slug"
            )
        )
        self.bases = {}
        facts = (
            Fact.objects.filter(case_id__in=ids)
            .exclude(field=Citation.Field.CASE)
            .order_by("case_id", "field")
            .values_list("case_id", "field", "basis", "according_to__name", "attribution", "rule",
                         "reference_title", "reference_url")
        )  # fmt: skip
        for case_id, name, *basis in facts:
            self.bases.setdefault(case_id, []).append(f"{name}: {basis_text(*basis)}")
        self.sources = {}
        for case_id, slug in sorted(found):
            self.sources.setdefault(case_id, []).append(slug)

    def absolute(self, path):
        return f"{self.base_url}{path}"

    def path_names(self, path):
        return [row[2] for row in self.places.ancestry(path)]

    def coordinates(self, path):
        for _, slug, _, latitude, longitude in reversed(self.places.ancestry(path)):
            if latitude is not None:
                return float(latitude), float(longitude), slug
        return None, None, None


def rows(queryset, base_url):
    """Yield each case of ``queryset`` as a dict of column name -> JSON value, in the queryset's order.

    ``queryset`` may be filtered, sorted and annotated as the list is. Rows are
    read as plain values, not model instances: instances with their related
    caches form reference cycles that only the garbage collector frees, which
    lets memory climb with the row count. Queries: one for the cases, read in
    chunks from one cursor, then at most five per chunk of CHUNK_SIZE.
    """
    places = _Places()
    cases = queryset.prefetch_related(None).values(*FIELDS).iterator(chunk_size=CHUNK_SIZE)
    while batch := list(itertools.islice(cases, CHUNK_SIZE)):
        chunk = _Chunk(batch, places, base_url)
        for case in batch:
            yield {column.name: column.value(case, chunk) for column in COLUMNS}


def _cell(column, value):
    if value is None:
        return ""
    if column.name == "people":
        text = LIST_SEPARATOR.join(f"{person['name']} ({person['role']})" for person in value)
    elif column.name == "place_path":
        text = PATH_SEPARATOR.join(value)
    elif isinstance(value, list):
        text = LIST_SEPARATOR.join(value)
    else:
        text = str(value)
    if column.is_free_text and _spreadsheet_would_change(text):
        return "'" + text
    return text


def _spreadsheet_would_change(text):
    """Whether a spreadsheet would run the text as a formula or read it as a day, and so not keep it as written."""
    return (
        text.startswith(("\t", "\r", "\n"))
        or unicodedata.normalize("NFKC", text.lstrip()[:1]).startswith(FORMULA_STARTS)
        or READS_AS_A_DAY.fullmatch(text) is not None
    )


class _Line:
    """A file-like object that hands back what the csv writer writes."""

    def __init__(self):
        self.buffer = io.StringIO()

    def write(self, text):
        self.buffer.write(text)

    def take(self):
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def csv_chunks(row_iterator):
    """The CSV text in pieces: a byte-order mark, the header, then the rows, CRLF line ends.

    UTF-8 with a BOM, so Excel reads Cyrillic and Chinese correctly (LibreOffice
    reads it either way).
    """
    out = _Line()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMN_NAMES)
    yield "\ufeff" + out.take()
    for group in itertools.batched(row_iterator, ROWS_PER_WRITE):
        writer.writerows([_cell(column, row[column.name]) for column in COLUMNS] for row in group)
        yield out.take()


def json_chunks(row_iterator, metadata):
    """The JSON text in pieces: ``metadata``'s keys, then ``"cases": [...]`` one case at a time."""
    head = json.dumps(metadata, ensure_ascii=False, indent=1)
    yield head[:-2] + ',\n "cases": ['
    separator = "\n"
    for group in itertools.batched(row_iterator, ROWS_PER_WRITE):
        text = []
        for row in group:
            text.append(separator + json.dumps(row, ensure_ascii=False))
            separator = ",\n"
        yield "".join(text)
    yield "\n ]\n}\n"


def dataset_metadata(version, documentation, query):
    """The head of the JSON export: what the data is, its licence, its version and the filters applied."""
    return {
        "dataset": settings.ARCHIVE_NAME,
        "licence": settings.ARCHIVE_DATA_LICENCE,
        "licence_url": settings.ARCHIVE_DATA_LICENCE_URL,
        "documentation": documentation,
        "version": None if version is None else {"fixture_sha256": version[1], "loaded_at": version[2].isoformat()},
        "query": query,
        "columns": list(COLUMN_NAMES),
    }


# The list's own filters, for the exports and the feed.


def filter_cases(request):
    """The case list's FilterSet for this request: the exports and the feed follow the list's own rules."""
    from .filters import CaseFilter

    return CaseFilter(data=request.GET, queryset=Case.objects.all())


def filter_error_response(filterset):
    """A short plain-text 400 naming each invalid parameter."""
    from django.http import HttpResponseBadRequest

    lines = [f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in filterset.errors.items()]
    return HttpResponseBadRequest(
        "This filter cannot be applied.\n" + "\n".join(lines) + "\n", content_type="text/plain; charset=utf-8"
    )
