"""Loading the curated fixture: check everything, then replace everything, in one transaction.

The fixture (``fixtures/archive.json``) is the whole truth of the archive.
``check_fixture`` reads it and collects every problem, each naming the record
and the field; ``load_fixture`` writes only when there are none, and writes
inside one transaction, so a refused or failed load leaves the database exactly
as it was. Loading the same fixture twice changes nothing.
"""

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from . import dates, facets, fixture_schema, pages
from .models import (
    COMMON_FIELDS,
    DETENTION_FIELDS,
    PROTEST_FIELDS,
    REF_PATTERN,
    Case,
    Citation,
    DataLoad,
    Detention,
    Involvement,
    Person,
    PersonName,
    PersonRelation,
    Place,
    Protest,
    Quote,
    RetiredRef,
    Source,
)
from .names import search_key
from .progress import SILENT
from .search import index_cases

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
QUOTE_KEY = re.compile(r"(?P<source>[a-z0-9]+(?:-[a-z0-9]+)*)#(?P<number>[1-9][0-9]*)")
SECTIONS = ("sources", "places", "people", "relations", "cases", "retired")


class FixtureError(Exception):
    """The fixture was refused; ``errors`` lists every problem found."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s) in the fixture:\n" + "\n".join(self.errors))


@dataclass
class Report:
    sha256: str
    counts: dict = field(default_factory=dict)
    unchanged: bool = False


class _Checker:
    """Walks the fixture once, collecting problems as "<record>.<field>: <what is wrong>"."""

    def __init__(self, data, base_dir, advance=None):
        self.data = data
        self.advance = advance or (lambda n=1: None)  # called for each record checked, as its check begins
        self.base_dir = base_dir
        self.errors = []
        self.texts = {}  # source slug -> archived text
        self.quotes = {}  # "slug#n" -> quote record
        self.people = {}
        self.places = {}
        self.refs = set()

    def error(self, where, message):
        self.errors.append(f"{where}: {message}")

    @staticmethod
    def label(section, i, record, key):
        """How a message names a record: by its slug or ref when it has one, else by position."""
        value = record.get(key) if isinstance(record, dict) else None
        return f"{section}[{value}]" if isinstance(value, str) and value else f"{section}[{i}]"

    def require(self, record, where, name, kind=str, allow_blank=False):
        value = record.get(name)
        if value is None or (kind is str and not allow_blank and isinstance(value, str) and not value.strip()):
            self.error(f"{where}.{name}", "is required")
            return None
        if not isinstance(value, kind):
            self.error(f"{where}.{name}", f"must be {kind.__name__}, not {type(value).__name__}")
            return None
        return value

    def optional(self, record, where, name, kind=str, default=""):
        value = record.get(name, default)
        if value is None:
            return default
        if not isinstance(value, kind):
            self.error(f"{where}.{name}", f"must be {kind.__name__}, not {type(value).__name__}")
            return default
        return value

    def slug(self, record, where, name="slug"):
        value = self.require(record, where, name)
        if value is not None and not SLUG.fullmatch(value):
            self.error(f"{where}.{name}", f"{value!r} is not a slug (lower-case letters, digits and hyphens)")
        return value

    def day(self, record, where, name, required=True):
        value = record.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            self.error(f"{where}.{name}", "is required, as YYYY-MM-DD" if value is None else "must be YYYY-MM-DD")
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(f"{where}.{name}", f"{value!r} is not a day (YYYY-MM-DD)")
        return None

    def partial_date(self, record, where, name):
        value = self.require(record, where, name)
        if value is None:
            return None
        try:
            return dates.parse(value)
        except dates.PartialDateError as error:
            self.error(f"{where}.{name}", str(error))
            return None

    def choice(self, record, where, name, choices, required=True, default=None):
        value = record.get(name, default)
        if value is None and not required:
            return default
        if value not in choices.values:
            self.error(f"{where}.{name}", f"{value!r} is not one of {', '.join(choices.values)}")
            return None
        return value

    def keys(self, record, where, allowed):
        if not isinstance(record, dict):
            self.error(where, "must be an object")
            return False
        for key in record:
            if key not in allowed:
                self.error(f"{where}.{key}", "is not a known field")
        return True

    def quote_ref(self, where, value):
        if not isinstance(value, str) or not QUOTE_KEY.fullmatch(value):
            self.error(where, f"{value!r} is not a quote reference (source-slug#number)")
            return None
        if value not in self.quotes:
            self.error(where, f"quote {value!r} does not exist")
            return None
        return value

    def quote_list(self, where, values, required=True):
        if not isinstance(values, list) or (required and not values):
            self.error(where, "must list at least one quote" if required else "must be a list of quotes")
            return []
        return [key for key in (self.quote_ref(f"{where}[{i}]", v) for i, v in enumerate(values)) if key]

    # The sections, in dependency order.

    def check(self):
        if not isinstance(self.data, dict):
            self.error("fixture", "must be a JSON object")
            return
        for section in SECTIONS:
            if not isinstance(self.data.get(section, []), list):
                self.error(section, "must be a list")
                return
        self.check_sources()
        self.check_places()
        self.check_people()
        self.check_quote_speakers()
        self.check_relations()
        self.check_cases()
        self.check_retired()

    def check_sources(self):
        for i, record in enumerate(self.data.get("sources", [])):
            self.advance()
            where = self.label("sources", i, record, "slug")
            allowed = {
                "slug", "title", "publisher", "author", "language", "original_language", "original_title",
                "url", "archived_url", "published", "retrieved", "is_machine_translation", "translation_note",
                "text_file", "sha256", "notes", "modified", "quotes",
            }  # fmt: skip
            if not self.keys(record, where, allowed):
                continue
            slug = self.slug(record, where)
            if slug and slug in self.texts:
                self.error(f"{where}.slug", "is used by another source")
            for name in ("title", "publisher", "language"):
                self.require(record, where, name)
            self.partial_date(record, where, "published")
            self.day(record, where, "retrieved", required=False)
            self.day(record, where, "modified")
            self.optional(record, where, "is_machine_translation", bool, False)
            text = self.source_text(record, where)
            if slug is None:
                continue
            self.texts[slug] = text
            self.check_quotes(slug, text, record.get("quotes", []), where)

    def source_text(self, record, where):
        name = self.require(record, where, "text_file")
        expected = self.require(record, where, "sha256")
        if name is None or not name.isprintable():
            return None  # a name no path can hold: the fixture's schema names it
        path = (self.base_dir / name).resolve()
        if self.base_dir.resolve() not in path.parents:
            self.error(f"{where}.text_file", f"{name!r} lies outside the fixture's folder")
            return None
        try:
            raw = path.read_bytes()
        except OSError as error:
            self.error(f"{where}.text_file", f"cannot read {name!r}: {error.strerror}")
            return None
        actual = hashlib.sha256(raw).hexdigest()
        if expected is not None and actual != expected:
            self.error(f"{where}.sha256", f"the text's SHA-256 is {actual}, not {expected}")
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.error(f"{where}.text_file", f"{name!r} is not UTF-8")
            return None

    def check_quotes(self, slug, text, quotes, where):
        if not isinstance(quotes, list):
            self.error(f"{where}.quotes", "must be a list")
            return
        for i, quote in enumerate(quotes):
            qwhere = f"{where}.quotes[{i}]"
            if not self.keys(quote, qwhere, {"n", "exact", "start", "end", "speaker", "attribution"}):
                continue
            number = self.require(quote, qwhere, "n", int)
            if number is not None:
                qwhere = f"quote {slug}#{number}"
                if number < 1:
                    self.error(f"{qwhere}.n", "must be 1 or more")
            exact = self.require(quote, qwhere, "exact")
            start = self.require(quote, qwhere, "start", int)
            end = self.require(quote, qwhere, "end", int)
            self.optional(quote, qwhere, "attribution")
            if None in (number, exact, start, end):
                continue
            key = f"{slug}#{number}"
            if key in self.quotes:
                self.error(f"{qwhere}.n", "is used by another quote of this source")
                continue
            self.quotes[key] = quote
            if text is None:
                continue
            if not 0 <= start < end <= len(text):
                self.error(f"{qwhere}.start", f"offsets {start}..{end} lie outside the text ({len(text)} code points)")
            elif text[start:end] != exact:
                found = text.find(exact)
                hint = f"; the passage is at {found}..{found + len(exact)}" if found >= 0 else "; it is not in the text"
                self.error(f"{qwhere}.exact", f"not found verbatim at {start}..{end}{hint}")

    def check_quote_speakers(self):
        for key, quote in self.quotes.items():
            speaker = quote.get("speaker")
            if speaker is not None and speaker not in self.people:
                self.error(f"quote {key}.speaker", f"person {speaker!r} does not exist")

    def check_places(self):
        records = self.data.get("places", [])
        for i, record in enumerate(records):
            self.advance()
            where = self.label("places", i, record, "slug")
            allowed = {"slug", "name", "kind", "parent", "latitude", "longitude", "description", "modified"}
            if not self.keys(record, where, allowed):
                continue
            slug = self.slug(record, where)
            if slug:
                if slug in self.places:
                    self.error(f"{where}.slug", "is used by another place")
                self.places[slug] = record
            self.require(record, where, "name")
            self.choice(record, where, "kind", Place.Kind)
            self.day(record, where, "modified")
            lat, lon = record.get("latitude"), record.get("longitude")
            if (lat is None) != (lon is None):
                self.error(f"{where}.latitude", "latitude and longitude go together")
            elif lat is not None:
                if not isinstance(lat, (int, float)) or not -90 <= lat <= 90:
                    self.error(f"{where}.latitude", f"{lat!r} is not a latitude")
                if not isinstance(lon, (int, float)) or not -180 <= lon <= 180:
                    self.error(f"{where}.longitude", f"{lon!r} is not a longitude")
        for slug, record in self.places.items():
            parent = record.get("parent")
            if parent is not None and parent not in self.places:
                self.error(f"places[{slug}].parent", f"place {parent!r} does not exist")
        for slug in self.places:
            seen, current = set(), slug
            while current is not None and current in self.places:
                if current in seen:
                    self.error(f"places[{slug}].parent", "the places above it loop back to it")
                    break
                seen.add(current)
                current = self.places[current].get("parent")

    def check_people(self):
        for i, record in enumerate(self.data.get("people", [])):
            self.advance()
            where = self.label("people", i, record, "slug")
            if not self.keys(record, where, {"slug", "name", "kind", "description", "modified", "names"}):
                continue
            slug = self.slug(record, where)
            if slug:
                if slug in self.people:
                    self.error(f"{where}.slug", "is used by another person")
                self.people[slug] = record
            self.require(record, where, "name")
            self.choice(record, where, "kind", Person.Kind, required=False, default=Person.Kind.PERSON)
            self.day(record, where, "modified")
            names = record.get("names", [])
            if not isinstance(names, list):
                self.error(f"{where}.names", "must be a list")
                continue
            seen = set()
            for j, name in enumerate(names):
                nwhere = f"{where}.names[{j}]"
                if not self.keys(name, nwhere, {"name", "kind", "language", "quote", "note"}):
                    continue
                text = self.require(name, nwhere, "name")
                kind = self.choice(name, nwhere, "kind", PersonName.Kind)
                if kind == PersonName.Kind.CANONICAL:
                    self.error(f"{nwhere}.kind", "the canonical name is the person's own name field")
                quote = name.get("quote")
                if kind == PersonName.Kind.SOURCE:
                    if quote is None:
                        self.error(f"{nwhere}.quote", "a spelling as in a source needs the quote it appears in")
                    elif self.quote_ref(f"{nwhere}.quote", quote) and text:
                        exact = self.quotes[quote]["exact"]
                        if text not in exact:
                            self.error(f"{nwhere}.name", f"{text!r} does not appear in quote {quote}")
                elif kind is not None and quote is not None:
                    self.error(f"{nwhere}.quote", "an editorial spelling is in no source and takes no quote")
                identity = (text, kind if quote is None else quote)
                if identity in seen:
                    self.error(f"{nwhere}.name", f"{text!r} is listed twice")
                seen.add(identity)

    def check_relations(self):
        seen = set()
        for i, record in enumerate(self.data.get("relations", [])):
            self.advance()
            where = f"relations[{i}]"
            if not self.keys(record, where, {"person", "relation", "relative", "quote"}):
                continue
            for name in ("person", "relative"):
                value = self.require(record, where, name)
                if value is not None and value not in self.people:
                    self.error(f"{where}.{name}", f"person {value!r} does not exist")
            self.choice(record, where, "relation", PersonRelation.Relation)
            if record.get("person") == record.get("relative"):
                self.error(f"{where}.relative", "a person is not their own relative")
            self.quote_ref(f"{where}.quote", record.get("quote"))
            identity = (record.get("person"), record.get("relation"), record.get("relative"))
            if identity in seen:
                self.error(where, "is listed twice")
            seen.add(identity)

    def check_ref(self, record, where):
        ref = self.require(record, where, "ref")
        if ref is None:
            return None
        if not REF_PATTERN.fullmatch(ref):
            self.error(f"{where}.ref", f"{ref!r} is not a ref: six characters from {'0-9 a-z without i l o u'}")
            return None
        if ref in self.refs:
            self.error(f"{where}.ref", f"{ref!r} is used by another case: a ref is never reused")
        self.refs.add(ref)
        return ref

    def check_cases(self):
        cases = self.data.get("cases", [])
        protests = {c.get("ref") for c in cases if isinstance(c, dict) and c.get("kind") == Case.Kind.PROTEST}
        for i, record in enumerate(cases):
            self.advance()
            where = self.label("cases", i, record, "ref")
            allowed = {
                "ref", "kind", "title", "summary", "date", "place", "created", "modified",
                "people", "citations", "detention", "protest",
            }  # fmt: skip
            if not self.keys(record, where, allowed):
                continue
            self.check_ref(record, where)
            kind = self.choice(record, where, "kind", Case.Kind)
            self.require(record, where, "title")
            self.require(record, where, "summary")
            self.partial_date(record, where, "date")
            place = self.require(record, where, "place")
            if place is not None and place not in self.places:
                self.error(f"{where}.place", f"place {place!r} does not exist")
            created, modified = self.day(record, where, "created"), self.day(record, where, "modified")
            if created and modified and modified < created:
                self.error(f"{where}.modified", "is earlier than created")
            self.check_involvements(record, where)
            if kind is None:
                continue
            details_name, other = ("detention", "protest") if kind == Case.Kind.DETENTION else ("protest", "detention")
            if other in record:
                self.error(f"{where}.{other}", f"a {kind} case has no {other} details")
            details = record.get(details_name)
            if not isinstance(details, dict):
                self.error(f"{where}.{details_name}", "is required, as an object")
                details = {}
            if kind == Case.Kind.DETENTION:
                shown = self.check_detention(details, f"{where}.detention", protests)
            else:
                shown = self.check_protest(details, f"{where}.protest")
            self.check_citations(record, where, kind, shown)

    def check_involvements(self, record, where):
        people = record.get("people")
        # A rally of unnamed people names no one; the list is still required,
        # so that leaving it out is a decision and not an oversight.
        if not isinstance(people, list):
            self.error(f"{where}.people", "is required: the people involved with their roles (may be empty)")
            return
        seen = set()
        for j, involvement in enumerate(people):
            iwhere = f"{where}.people[{j}]"
            if not self.keys(involvement, iwhere, {"person", "role", "quotes"}):
                continue
            person = self.require(involvement, iwhere, "person")
            if person is not None and person not in self.people:
                self.error(f"{iwhere}.person", f"person {person!r} does not exist")
            role = self.choice(involvement, iwhere, "role", Involvement.Role)
            if (person, role) in seen:
                self.error(iwhere, f"{person} is listed twice as {role}")
            seen.add((person, role))
            # Who was involved, and how, is a fact like any other: it needs its passage.
            self.quote_list(f"{iwhere}.quotes", involvement.get("quotes"))

    def check_detention(self, details, where, protests):
        allowed = {"authority", "reason", "sentence", "duration", "release", "status", "arose_from"}
        if not self.keys(details, where, allowed):
            return set()
        for name in ("authority", "reason", "sentence", "duration", "release"):
            self.optional(details, where, name)
        status = self.choice(details, where, "status", Detention.Status, required=False, default="not-stated")
        arose_from = details.get("arose_from")
        if arose_from is not None and arose_from not in protests:
            self.error(f"{where}.arose_from", f"{arose_from!r} is not the ref of a protest in the fixture")
        shown = {name for name in ("authority", "reason", "sentence", "duration", "release") if details.get(name)}
        if status and status != Detention.Status.NOT_STATED:
            shown.add("status")
        if arose_from:
            shown.add("arose_from")
        return shown

    def check_protest(self, details, where):
        allowed = {"form", "size", "target", "demands", "slogans", "outcome"}
        if not self.keys(details, where, allowed):
            return set()
        self.choice(details, where, "form", Protest.Form)
        for name in ("size", "target", "demands", "slogans"):
            self.optional(details, where, name)
        outcome = self.choice(details, where, "outcome", Protest.Outcome, required=False, default="not-stated")
        shown = {"form"} | {name for name in ("size", "target", "demands", "slogans") if details.get(name)}
        if outcome and outcome != Protest.Outcome.NOT_STATED:
            shown.add("outcome")
        return shown

    def check_citations(self, record, where, kind, shown):
        citations = record.get("citations")
        if not isinstance(citations, dict):
            self.error(f"{where}.citations", "is required: an object from field name to quotes")
            return
        allowed = set(COMMON_FIELDS) | set(DETENTION_FIELDS if kind == Case.Kind.DETENTION else PROTEST_FIELDS)
        for name, quotes in citations.items():
            if name not in allowed:
                self.error(f"{where}.citations.{name}", f"is not a field of a {kind}")
                continue
            self.quote_list(f"{where}.citations.{name}", quotes)
        # Every fact the case page shows must be traceable to the source's words.
        for name in sorted(set(COMMON_FIELDS) | shown):
            if name not in citations:
                self.error(f"{where}.citations.{name}", "is shown on the case page but cites no quote")

    def check_retired(self):
        live = {c.get("ref") for c in self.data.get("cases", []) if isinstance(c, dict)}
        for i, record in enumerate(self.data.get("retired", [])):
            self.advance()
            where = self.label("retired", i, record, "ref")
            if not self.keys(record, where, {"ref", "status", "title", "reason", "replaced_by", "retired"}):
                continue
            self.check_ref(record, where)
            status = self.choice(record, where, "status", RetiredRef.Status)
            self.require(record, where, "title")
            self.require(record, where, "reason")
            self.day(record, where, "retired")
            successor = record.get("replaced_by")
            if status == RetiredRef.Status.REPLACED:
                if successor not in live:
                    self.error(f"{where}.replaced_by", f"{successor!r} is not the ref of a case in the fixture")
            elif successor is not None:
                self.error(f"{where}.replaced_by", "a withdrawn record has no successor")


def read_fixture(path):
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise FixtureError([f"fixture: cannot read {str(path)!r}: {error.strerror}"]) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FixtureError([f"fixture: {path.name} is not valid UTF-8 JSON: {error}"]) from None
    return data, raw


def fixture_digest(path, data, raw):
    """The fixture's version: its own bytes and every source text it names."""
    digest = hashlib.sha256(raw)
    for record in data.get("sources", []) if isinstance(data, dict) else []:
        if isinstance(record, dict) and isinstance(record.get("sha256"), str):
            digest.update(record["sha256"].encode())
    return digest.hexdigest()


def check_fixture(path, progress=SILENT):
    """Check the fixture and its place against the database; raise FixtureError listing every problem."""
    path = Path(path)
    data, raw = read_fixture(path)
    with progress.stage("records checked against the schema", _record_count(data)) as advance:
        shape, wrong_type = fixture_schema.problems(data, advance)
    if wrong_type:
        # The checks below read each value as the type the schema gives it.
        raise FixtureError(shape)
    with progress.stage("records checked", _record_count(data)) as advance:
        checker = _Checker(data, path.parent, advance)
        checker.check()
    checker.errors = fixture_schema.merge(checker.errors, [*shape, *fixture_schema.text_problems(checker.texts)])
    # A ref once published must stay answerable: as a case, or retired with a
    # 301 or a 410. A fixture that drops one would break someone's citation.
    known = set(Case.objects.values_list("ref", flat=True)) | set(RetiredRef.objects.values_list("ref", flat=True))
    for ref in sorted(known - checker.refs):
        checker.error(
            f"ref {ref}",
            "is published but missing from the fixture: keep the case, or retire it (withdrawn or replaced)",
        )
    if checker.errors:
        raise FixtureError(checker.errors)
    return data, checker, fixture_digest(path, data, raw)


def _record_count(data):
    """The fixture's records (sources, places, people, relations, cases, retired refs), as its stages count them."""
    sections = (data.get(name) for name in SECTIONS) if isinstance(data, dict) else ()
    return sum(len(section) for section in sections if isinstance(section, list))


def load_fixture(path, *, force=False, progress=SILENT):
    """Check, then replace the archive's records with the fixture's, atomically.

    Returns a Report; ``unchanged`` is true when this exact fixture is what was
    loaded last, in which case nothing is written unless ``force``.
    """
    with transaction.atomic():
        data, checker, digest = check_fixture(path, progress)
        latest = DataLoad.objects.order_by("-loaded_at", "-pk").first()
        if latest and latest.fixture_sha256 == digest and not force:
            # The records are unchanged. What is derived from them (the facet summary, the
            # record pages) is written again where it is missing or in another format.
            facets.summarize(latest)
            if not pages.written(latest):
                _prepare_pages(latest, progress)
            return Report(sha256=digest, counts=latest.counts, unchanged=True)
        with progress.stage("records written", _record_count(data)) as advance:
            counts = _write(data, checker.texts, advance)
        load = DataLoad.objects.create(
            loaded_at=timezone.now(), fixture_sha256=digest, counts=counts, facets=facets.archive_summary()
        )
        _prepare_pages(load, progress)
    return Report(sha256=digest, counts=counts)


def _prepare_pages(load, progress):
    total = sum(model.objects.count() for model in (Case, Person, Place, Source)) + 1  # and the home page
    with progress.stage("pages prepared", total, unit="pages") as advance:
        pages.prepare_all(load, advance=advance)


def _write(data, texts, advance):
    for model in (RetiredRef, Citation, Involvement, Detention, Protest, Case, PersonRelation, PersonName):
        model.objects.all().delete()
    Quote.objects.all().delete()
    Place.objects.update(parent=None)  # the tree protects its own branches from deletion
    for model in (Person, Place, Source):
        model.objects.all().delete()

    places = {}
    # Parents before children: walk the tree from its roots.
    records = {p["slug"]: p for p in data.get("places", [])}
    pending = sorted(records, key=lambda slug: _depth(records, slug))
    for slug in pending:
        advance()
        record = records[slug]
        parent = places.get(record.get("parent"))
        place = Place.objects.create(
            slug=slug,
            name=record["name"],
            kind=record["kind"],
            parent=parent,
            latitude=record.get("latitude"),
            longitude=record.get("longitude"),
            description=record.get("description", ""),
            modified=record["modified"],
        )
        place.derive_tree_fields()
        place.save(update_fields=["depth", "full_name", "path"])
        places[slug] = place

    people = {}
    for record in data.get("people", []):
        advance()
        people[record["slug"]] = Person.objects.create(
            slug=record["slug"],
            name=record["name"],
            kind=record.get("kind", Person.Kind.PERSON),
            description=record.get("description", ""),
            modified=record["modified"],
        )

    quotes = {}
    for record in data.get("sources", []):
        advance()
        source = Source(
            slug=record["slug"],
            title=record["title"],
            publisher=record["publisher"],
            author=record.get("author", ""),
            language=record["language"],
            original_language=record.get("original_language", ""),
            original_title=record.get("original_title", ""),
            url=record.get("url", ""),
            archived_url=record.get("archived_url", ""),
            retrieved=record.get("retrieved"),
            is_machine_translation=record.get("is_machine_translation", False),
            translation_note=record.get("translation_note", ""),
            text=texts[record["slug"]],
            sha256=record["sha256"],
            notes=record.get("notes", ""),
            modified=record["modified"],
        )
        source.set_partial_date("published", record["published"])
        source.save()
        for quote in record.get("quotes", []):
            quotes[f"{source.slug}#{quote['n']}"] = Quote.objects.create(
                source=source,
                number=quote["n"],
                exact=quote["exact"],
                start=quote["start"],
                end=quote["end"],
                speaker=people.get(quote.get("speaker")),
                attribution=quote.get("attribution", ""),
            )

    for slug, record in ((r["slug"], r) for r in data.get("people", [])):
        person = people[slug]
        PersonName.objects.create(
            person=person, name=person.name, kind=PersonName.Kind.CANONICAL, search_key=search_key(person.name)
        )
        for name in record.get("names", []):
            PersonName.objects.create(
                person=person,
                name=name["name"],
                kind=name["kind"],
                language=name.get("language", ""),
                quote=quotes.get(name.get("quote")),
                note=name.get("note", ""),
                search_key=search_key(name["name"]),
            )

    for record in data.get("relations", []):
        advance()
        PersonRelation.objects.create(
            person=people[record["person"]],
            relation=record["relation"],
            relative=people[record["relative"]],
            quote=quotes[record["quote"]],
        )

    cases = {}
    for record in data.get("cases", []):
        advance()
        case = Case(
            ref=record["ref"],
            kind=record["kind"],
            title=record["title"],
            summary=record["summary"],
            place=places[record["place"]],
            created=record["created"],
            modified=record["modified"],
        )
        case.set_partial_date("date", record["date"])
        case.save()
        cases[case.ref] = case
        for involvement in record["people"]:
            row = Involvement.objects.create(case=case, person=people[involvement["person"]], role=involvement["role"])
            row.quotes.set([quotes[key] for key in involvement["quotes"]])
        Citation.objects.bulk_create(
            Citation(case=case, field=name, quote=quotes[key])
            for name, keys in record["citations"].items()
            for key in keys
        )

    protests = {}
    for record in data.get("cases", []):
        if record["kind"] == Case.Kind.PROTEST:
            details = record["protest"]
            protests[record["ref"]] = Protest.objects.create(
                case=cases[record["ref"]],
                form=details["form"],
                size=details.get("size", ""),
                target=details.get("target", ""),
                demands=details.get("demands", ""),
                slogans=details.get("slogans", ""),
                outcome=details.get("outcome", Protest.Outcome.NOT_STATED),
            )
    for record in data.get("cases", []):
        if record["kind"] == Case.Kind.DETENTION:
            details = record["detention"]
            Detention.objects.create(
                case=cases[record["ref"]],
                authority=details.get("authority", ""),
                reason=details.get("reason", ""),
                sentence=details.get("sentence", ""),
                duration=details.get("duration", ""),
                release=details.get("release", ""),
                status=details.get("status", Detention.Status.NOT_STATED),
                arose_from=protests.get(details.get("arose_from")),
            )

    for record in data.get("retired", []):
        advance()
        RetiredRef.objects.create(
            ref=record["ref"],
            status=record["status"],
            title=record["title"],
            reason=record["reason"],
            replaced_by=cases.get(record.get("replaced_by")),
            retired=record["retired"],
        )

    # Derived for the case search: one document per case, from what was just written.
    index_cases()

    return {
        "cases": len(cases),
        "people": len(people),
        "places": len(places),
        "sources": len(texts),
        "quotes": len(quotes),
        "retired": len(data.get("retired", [])),
        # Read by the home page, so that it need not count 100,000 rows on every visit.
        "detentions": sum(1 for case in cases.values() if case.kind == Case.Kind.DETENTION),
        "protests": sum(1 for case in cases.values() if case.kind == Case.Kind.PROTEST),
    }


def _depth(records, slug):
    depth = 0
    while records[slug].get("parent") is not None:
        slug = records[slug]["parent"]
        depth += 1
    return depth
