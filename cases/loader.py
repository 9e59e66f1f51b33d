"""Loading the curated fixture: check everything, then write what changed, in one transaction.

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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from . import dates, facets, fixture_schema, sentences, sync
from .characters import not_in_xml
from .models import (
    COMMON_FIELDS,
    DETENTION_FIELDS,
    PROTEST_FIELDS,
    REF_PATTERN,
    Basis,
    Case,
    DataLoad,
    Detention,
    Involvement,
    Person,
    PersonName,
    PersonRelation,
    Place,
    PlaceName,
    Protest,
    RetiredRef,
    Source,
    Statement,
    is_issuable_ref,
)
from .progress import SILENT

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
QUOTE_KEY = re.compile(r"(?P<source>[a-z0-9]+(?:-[a-z0-9]+)*)#(?P<number>[1-9][0-9]*)")
# A title or summary of a case that rests on one person's word says so in one of these ways.
ATTRIBUTING = re.compile(r"\b(reported|reportedly|according to|alleged|allegedly|said|says)\b", re.IGNORECASE)
SECTIONS = ("sources", "places", "people", "relations", "statements", "cases", "retired")


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
    changes: dict = field(default_factory=dict)  # by kind of record: how many were added, changed and retired


class _Checker:
    """Walks the fixture once, collecting problems as "<record>.<field>: <what is wrong>"."""

    def __init__(self, data, base_dir, advance=None, trusted=frozenset()):
        self.data = data
        self.trusted = trusted  # refs of cases checked by an earlier load and unchanged since (trusted_cases)
        self.advance = advance or (lambda n=1: None)  # called for each record checked, as its check begins
        self.base_dir = base_dir
        self.errors = []
        self.texts = {}  # source slug -> archived text
        self.quotes = {}  # "slug#n" -> quote record
        self.people = {}
        self.places = {}
        self.refs = set()
        self.used = set()  # keys of the quotes some record uses
        self.unused = []  # (source slug, Sentence, reason): the sentences no record uses, as the fixture explains

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
        self.used.add(value)
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
        for section in SECTIONS:
            for i, record in enumerate(self.data.get(section, [])):
                if not (section == "cases" and isinstance(record, dict) and record.get("ref") in self.trusted):
                    self.check_characters(
                        record, self.label(section, i, record, "ref" if section == "cases" else "slug")
                    )
        self.sources = {s.get("slug"): s for s in self.data.get("sources", []) if isinstance(s, dict)}
        self.check_sources()
        self.check_places()
        self.check_people()
        self.check_quote_speakers()
        self.check_relations()
        self.check_statements()
        self.check_cases()
        self.check_retired()
        self.check_coverage()

    def check_characters(self, value, where):
        """Every text of the fixture can be written as XML 1.0 (cases/characters.py)."""
        if isinstance(value, str):
            if (character := not_in_xml(value)) is not None:
                self.error(where, f"holds U+{ord(character):04X}, a character XML 1.0 forbids")
        elif isinstance(value, dict):
            for key, item in value.items():
                self.check_characters(key, where)
                self.check_characters(item, f"{where}.{key}" if where != "fixture" else key)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                label = self.label(where, i, item, "ref" if isinstance(item, dict) and "ref" in item else "slug")
                self.check_characters(item, label)

    def check_sources(self):
        for i, record in enumerate(self.data.get("sources", [])):
            self.advance()
            where = self.label("sources", i, record, "slug")
            allowed = {
                "slug", "title", "publisher", "author", "language", "original_language", "original_title",
                "url", "copy_url", "copy_note", "archived_url", "published", "retrieved", "is_machine_translation",
                "translation_note", "text_file", "sha256", "notes", "unused", "modified", "quotes",
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
            self.check_unused(slug, text, record.get("unused", []), where)

    def check_unused(self, slug, text, unused, where):
        """The sentences a source's record says no record uses, each with the reason."""
        if not isinstance(unused, list):
            self.error(f"{where}.unused", "must be a list")
            return
        by_text = {s.text: s for s in sentences.split(text)} if text is not None else {}
        for i, entry in enumerate(unused):
            uwhere = f"{where}.unused[{i}]"
            if not self.keys(entry, uwhere, {"sentence", "reason"}):
                continue
            sentence, reason = self.require(entry, uwhere, "sentence"), self.require(entry, uwhere, "reason")
            if sentence is None or text is None:
                continue
            if sentence not in by_text:
                self.error(f"{uwhere}.sentence", f"{sentence[:60]!r} is not a sentence of the source")
            elif reason:
                self.unused.append((slug, by_text[sentence], reason))

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
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            self.error(f"{where}.text_file", f"{name!r} is not UTF-8")
            return None
        self.check_characters(text, f"{where}.text_file")
        return text

    def check_quotes(self, slug, text, quotes, where):
        if not isinstance(quotes, list):
            self.error(f"{where}.quotes", "must be a list")
            return
        edges = sentences.boundaries(text) if text is not None else set()
        for i, quote in enumerate(quotes):
            qwhere = f"{where}.quotes[{i}]"
            if not self.keys(quote, qwhere, {"n", "exact", "start", "end", "speaker", "attribution", "partial"}):
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
            elif not self.optional(quote, qwhere, "partial"):
                # A quote cut inside a sentence can change what the sentence says.
                for name, offset in (("start", start), ("end", end)):
                    if offset not in edges:
                        self.error(
                            f"{qwhere}.{name}",
                            f"{offset} is inside a sentence: quote whole sentences, or say why not in partial",
                        )

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
            allowed = {
                "slug", "name", "kind", "parent", "latitude", "longitude", "coordinates_basis", "description",
                "description_quotes", "editorial", "modified", "names",
            }  # fmt: skip
            if not self.keys(record, where, allowed):
                continue
            self.check_description(record, where)
            self.check_place_names(record, where)
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
                # Coordinates come from outside the sources: they say from where.
                if "coordinates_basis" not in record:
                    self.error(
                        f"{where}.coordinates_basis",
                        "coordinates come from outside the sources: give their reference or unsourced: true",
                    )
                else:
                    self.editorial(record["coordinates_basis"], f"{where}.coordinates_basis", with_text=False)
            elif "coordinates_basis" in record:
                self.error(f"{where}.coordinates_basis", "is the basis of coordinates, and the place has none")
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

    def check_place_names(self, record, where):
        """A place's other names: editorial, each once, none its own name."""
        names = record.get("names", [])
        if not isinstance(names, list):
            self.error(f"{where}.names", "must be a list")
            return
        seen = {record.get("name")}
        for j, name in enumerate(names):
            nwhere = f"{where}.names[{j}]"
            if not self.keys(name, nwhere, {"name", "kind", "language", "note"}):
                continue
            text = self.require(name, nwhere, "name")
            if self.choice(name, nwhere, "kind", PlaceName.Kind) == PlaceName.Kind.CANONICAL:
                self.error(f"{nwhere}.kind", "the place's own name is its name field")
            if text in seen:
                self.error(f"{nwhere}.name", f"{text!r} is listed twice, or is the place's own name")
            seen.add(text)

    def check_people(self):
        for i, record in enumerate(self.data.get("people", [])):
            self.advance()
            where = self.label("people", i, record, "slug")
            allowed = {"slug", "name", "kind", "description", "description_quotes", "editorial", "modified", "names"}
            if not self.keys(record, where, allowed):
                continue
            self.check_description(record, where)
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

    def check_description(self, record, where):
        """A person's or place's description is what its quotes say; what editors add is listed apart."""
        if self.optional(record, where, "description") and "description_quotes" not in record:
            self.error(f"{where}.description_quotes", "the description needs the quotes that say it")
        elif "description_quotes" in record:
            self.quote_list(f"{where}.description_quotes", record["description_quotes"])
        notes = record.get("editorial", [])
        if not isinstance(notes, list):
            self.error(f"{where}.editorial", "must be a list")
            return
        for i, note in enumerate(notes):
            self.editorial(note, f"{where}.editorial[{i}]")

    def editorial(self, note, where, with_text=True):
        """An editorial addition: its reference (title and address), or marked unsourced; never both."""
        allowed = {"reference", "unsourced"} | ({"label", "text"} if with_text else set())
        if not self.keys(note, where, allowed):
            return
        if with_text:
            self.require(note, where, "label")
            self.require(note, where, "text")
        reference, unsourced = note.get("reference"), note.get("unsourced")
        if reference is None and unsourced is not True:
            self.error(where, "an editorial addition needs its reference (title and url) or unsourced: true")
        elif reference is not None and unsourced is not None:
            self.error(f"{where}.unsourced", "an editorial addition with a reference is not unsourced")
        elif reference is not None and self.keys(reference, f"{where}.reference", {"title", "url"}):
            self.require(reference, f"{where}.reference", "title")
            url = self.require(reference, f"{where}.reference", "url")
            if url is not None and not url.startswith(("https://", "http://")):
                self.error(f"{where}.reference.url", f"{url!r} is not an http(s) address")

    def check_statements(self):
        for i, record in enumerate(self.data.get("statements", [])):
            self.advance()
            where = f"statements[{i}]"
            if not self.keys(record, where, {"quote", "kind", "summary", "speaker", "attribution"}):
                continue
            self.quote_ref(f"{where}.quote", record.get("quote"))
            self.choice(record, where, "kind", Statement.Kind)
            self.require(record, where, "summary")
            self.optional(record, where, "attribution")
            speaker = record.get("speaker")
            if speaker is not None and speaker not in self.people:
                self.error(f"{where}.speaker", f"person {speaker!r} does not exist")

    def check_coverage(self):
        """Every sentence of every source is used by a record, or listed as unused with the reason."""
        spans = defaultdict(list)
        for key in self.used:
            quote = self.quotes[key]
            spans[key.split("#")[0]].append((quote["start"], quote["end"], key))
        listed = {(slug, sentence.start) for slug, sentence, _reason in self.unused}
        for slug, text in self.texts.items():
            if text is None:
                continue
            for sentence in sentences.split(text):
                users = [key for start, end, key in spans[slug] if start < sentence.end and end > sentence.start]
                if users and (slug, sentence.start) in listed:
                    self.error(f"sources[{slug}].unused", f"{sentence.text[:60]!r} is used by quote {users[0]}")
                elif not users and (slug, sentence.start) not in listed:
                    self.error(
                        f"sources[{slug}] sentence at {sentence.start}..{sentence.end}",
                        f"{sentence.text[:60]!r}… is used by no record: cite it, record it as a statement, "
                        "or list it under unused with the reason",
                    )

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
        if not is_issuable_ref(ref):
            self.error(
                f"{where}.ref",
                f"{ref!r} reads as a number in a spreadsheet (all digits, or digits around one e): "
                "take another from `manage.py newref`",
            )
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
                "people", "citations", "bases", "detention", "protest",
            }  # fmt: skip
            if not self.keys(record, where, allowed):
                continue
            if record.get("ref") in self.trusted:
                self.check_references(record, where, protests)
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
            self.check_attributed(record, where)

    def check_references(self, record, where, protests):
        """What changes elsewhere in the fixture could break in a case that is itself as checked before."""
        self.check_ref(record, where)
        if record["place"] not in self.places:
            self.error(f"{where}.place", f"place {record['place']!r} does not exist")
        for j, involvement in enumerate(record["people"]):
            if involvement["person"] not in self.people:
                self.error(f"{where}.people[{j}].person", f"person {involvement['person']!r} does not exist")
        for key in _quote_keys(record):
            self.quote_ref(where, key)
        arose_from = record.get("detention", {}).get("arose_from")
        if arose_from is not None and arose_from not in protests:
            self.error(f"{where}.detention.arose_from", f"{arose_from!r} is not the ref of a protest in the fixture")

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
        bases = record.get("bases", {})
        if not isinstance(bases, dict):
            self.error(f"{where}.bases", "must be an object from field name to basis")
            bases = {}
        for name in bases:
            if name not in set(COMMON_FIELDS) | shown:
                self.error(f"{where}.bases.{name}", f"is not a fact this {kind} shows")
        # Every fact the case page shows has a basis: the source's words, the archive's rule, or the editors'.
        for name in sorted(set(COMMON_FIELDS) | shown):
            self.check_basis(record, bases.get(name, {}), f"{where}.bases.{name}", name, name in citations)

    def check_basis(self, record, basis, where, name, cited):
        if not self.keys(basis, where, {"basis", "according_to", "attribution", "rule", "inputs", "reference",
                                         "unsourced"}):  # fmt: skip
            return
        kind = self.choice(basis, where, "basis", Basis, required=False, default=Basis.STATED)
        if kind == Basis.STATED:
            if not cited:
                self.error(f"{where.replace('.bases.', '.citations.')}", "is shown on the case page but cites no quote")
            person = basis.get("according_to")
            if person is not None and person not in self.people:
                self.error(f"{where}.according_to", f"person {person!r} does not exist")
            for key in ("rule", "inputs", "reference", "unsourced"):
                if key in basis:
                    self.error(f"{where}.{key}", "a stated fact rests on its quotes alone")
            return
        for key in ("according_to", "attribution"):
            if key in basis:
                self.error(f"{where}.{key}", f"a {kind} fact is the archive's, not someone's word")
        if cited:
            # Never merged: a derived fact cites its inputs, an editorial one its reference.
            self.error(f"{where.replace('.bases.', '.citations.')}", f"a {kind} fact takes no citations of its own")
        if kind == Basis.EDITORIAL:
            for key in ("rule", "inputs"):
                if key in basis:
                    self.error(f"{where}.{key}", "an editorial fact has no rule and no inputs")
            self.editorial({k: v for k, v in basis.items() if k != "basis"}, where, with_text=False)
            return
        if kind == Basis.DERIVED:
            self.require(basis, where, "rule")
            inputs = basis.get("inputs")
            if not isinstance(inputs, list) or not inputs:
                self.error(f"{where}.inputs", "a derived fact lists the inputs it was worked out from")
                return
            for i, item in enumerate(inputs):
                self.derived_input(item, f"{where}.inputs[{i}]", name, record)

    def derived_input(self, item, where, name, record):
        """One input of a derived fact: a quote with the words used, or a source's publication date."""
        if not self.keys(item, where, {"quote", "words", "published"}) or len(item) == 0:
            return
        if "published" in item:
            source = item["published"]
            published = self.sources.get(source)
            if published is None or set(item) != {"published"}:
                self.error(f"{where}.published", f"{source!r} is not a source of the fixture")
                return
            if name == "date":
                # Never more precise than the inputs allow: a date worked out from a publication date
                # spans at least as many days as that date does.
                value, base = _span(record.get("date")), _span(published.get("published"))
                if value and base and value < base:
                    self.error(f"{where}.published", f"the date is more precise than {source}'s publication date")
            return
        key = self.quote_ref(f"{where}.quote", item.get("quote"))
        words = self.require(item, where, "words")
        if key and words and words not in self.quotes[key]["exact"]:
            self.error(f"{where}.words", f"{words!r} does not appear in quote {key}")

    def check_attributed(self, record, where):
        """A case whose whole record rests on one person's word says so in its title and summary."""
        keys = record.get("citations", {}).get("case", []) if isinstance(record.get("citations"), dict) else []
        speakers = {self.quotes[k].get("speaker") for k in keys if isinstance(k, str) and k in self.quotes}
        if len(speakers) != 1 or None in speakers:
            return
        (speaker,) = speakers
        name = self.people.get(speaker, {}).get("name", speaker)
        if isinstance(record.get("title"), str) and not ATTRIBUTING.search(record["title"]):
            self.error(f"{where}.title", f"rests on {name}'s word alone: word it as reported, or attribute it")
        if isinstance(record.get("summary"), str) and name not in record["summary"]:
            self.error(f"{where}.summary", f"rests on {name}'s word alone and does not name them")

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


def _span(value):
    """How many days a partial date can mean, or None when it is not one."""
    try:
        parsed = dates.parse(value)
    except (dates.PartialDateError, TypeError):
        return None
    return (parsed.latest - parsed.earliest).days + 1


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
    trusted = trusted_cases(data)
    with progress.stage("records checked against the schema", _record_count(data)) as advance:
        shape, wrong_type = fixture_schema.problems(data, advance, trusted)
    if wrong_type:
        # The checks below read each value as the type the schema gives it.
        raise FixtureError(shape)
    with progress.stage("records checked", _record_count(data)) as advance:
        checker = _Checker(data, path.parent, advance, trusted)
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


def checking_code():
    """The version of the code that checks a fixture: its modules and the fixture's schema."""
    digest = hashlib.sha256()
    for path in [*sorted(Path(__file__).parent.glob("*.py")), fixture_schema.SCHEMA_PATH]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def trusted_cases(data):
    """The refs of the fixture's cases whose own checks can be skipped: none, unless the last load was checked by
    this same code; then each case that is as that load wrote it, whose sources and people are too.

    Their checks would find what they found then: nothing. What another record's change could break in
    them (a quote, place or person they name, a ref used twice) is still checked (``check_references``).
    """
    if not isinstance(data, dict) or not all(isinstance(data.get(name, []), list) for name in SECTIONS):
        return frozenset()
    latest = DataLoad.objects.order_by("-loaded_at", "-pk").values_list("checked_by", flat=True).first()
    if latest != checking_code():
        return frozenset()

    def same(model, key, section):
        stored = dict(model.objects.values_list(key, "fixture_sha256"))
        return {
            r.get(key)
            for r in data.get(section, [])
            if isinstance(r, dict) and stored.get(r.get(key)) == sync.digest(r)
        }

    sources, people = same(Source, "slug", "sources"), same(Person, "slug", "people")
    speakers = {
        f"{source.get('slug')}#{quote.get('n')}": quote.get("speaker")
        for source in data.get("sources", []) if isinstance(source, dict)
        for quote in source.get("quotes", []) if isinstance(quote, dict)
    }  # fmt: skip
    stored = dict(Case.objects.values_list("ref", "fixture_sha256"))
    trusted = set()
    for record in data.get("cases", []):
        if not isinstance(record, dict) or stored.get(record.get("ref")) != sync.digest(record):
            continue
        keys = _quote_keys(record)
        named = {i["person"] for i in record["people"]} | {speakers.get(key) for key in keys} - {None}
        named |= {b["according_to"] for b in record.get("bases", {}).values() if b.get("according_to")}
        if all(key.split("#")[0] in sources for key in keys) and named <= people:
            trusted.add(record["ref"])
    return frozenset(trusted)


def _quote_keys(record):
    """Every quote a case record names: in its people's parts, its citations and its derived facts' inputs."""
    keys = [key for involvement in record["people"] for key in involvement["quotes"]]
    keys += [key for quotes in record["citations"].values() for key in quotes]
    keys += [item["quote"] for basis in record.get("bases", {}).values() for item in basis.get("inputs", [])
             if "quote" in item]  # fmt: skip
    return keys


def _record_count(data):
    """The fixture's records (sources, places, people, relations, cases, retired refs), as its stages count them."""
    sections = (data.get(name) for name in SECTIONS) if isinstance(data, dict) else ()
    return sum(len(section) for section in sections if isinstance(section, list))


def load_fixture(path, *, force=False, progress=SILENT):
    """Check the fixture, then bring the archive's records to it, writing only what differs, in one transaction.

    Returns a Report; ``unchanged`` is true when this exact fixture is what was
    loaded last, in which case nothing is written unless ``force``.
    """
    with transaction.atomic():
        data, checker, digest = check_fixture(path, progress)
        latest = DataLoad.objects.order_by("-loaded_at", "-pk").first()
        if latest and latest.fixture_sha256 == digest and not force:
            facets.summarize(latest)  # written again only when this code counts in another shape
            return Report(sha256=digest, counts=latest.counts, unchanged=True)
        load = DataLoad.objects.create(loaded_at=timezone.now(), fixture_sha256=digest, checked_by=checking_code())
        with progress.stage("records written", _record_count(data)) as advance:
            changes = sync.write(data, checker.texts, load, advance)
        load.counts = _counts(data, checker)
        load.facets = facets.archive_summary()
        load.save(update_fields=["counts", "facets"])
    return Report(sha256=digest, counts=load.counts, changes=changes.count())


def _counts(data, checker):
    cases = data.get("cases", [])
    return {
        "cases": len(cases),
        "people": len(data.get("people", [])),
        "places": len(data.get("places", [])),
        "sources": len(checker.texts),
        "quotes": len(checker.quotes),
        "retired": len(data.get("retired", [])),
        # Read by the home page, so that it need not count 100,000 rows on every visit.
        "detentions": sum(1 for case in cases if case["kind"] == Case.Kind.DETENTION),
        "protests": sum(1 for case in cases if case["kind"] == Case.Kind.PROTEST),
    }


def unused_spans(sentences_of_text, unused):
    """The fixture's ``unused`` entries of a source as stored: each sentence's span and the reason."""
    by_text = {sentence.text: sentence for sentence in sentences_of_text}
    return [
        {"start": by_text[entry["sentence"]].start, "end": by_text[entry["sentence"]].end, "reason": entry["reason"]}
        for entry in unused
    ]
