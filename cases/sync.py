"""Writing a checked fixture into the database, changing only what differs from what is loaded.

Each case, person, place and source keeps the sha256 of the fixture record it
was written from (``LoadedRecord.fixture_sha256``). A load compares each record
of the fixture with it: a record the fixture adds is created, one whose record
differs is updated in place (so it keeps its database id) and its own rows
(quotes, names, notes, people's parts, citations, facts, details) are written
again, and one the fixture no longer has is deleted. Statements, relations and
retired refs, which have no page of their own, are matched by their values.

What a change touches is then worked out from the records around it
(``_pages_showing``), before the change and after it: the cases, people,
places and sources whose pages show anything that changed get the new load as
their ``changed_in``, and the cases whose own words, place, names or quotes
changed get their search documents written again. Everything else is left as it is, page cache entries included.
"""

import hashlib
import json
from collections import defaultdict

from .models import (
    Basis,
    Case,
    Citation,
    Detention,
    EditorialNote,
    Fact,
    Involvement,
    Person,
    PersonName,
    PersonRelation,
    Place,
    PlaceName,
    Protest,
    Quote,
    RetiredRef,
    Source,
    Statement,
    path_ids,
)
from .names import search_key, stored_keys
from .search import index_cases
from .sentences import split

CHUNK = 900  # ids in one IN (...): under SQLite's oldest limit on a statement's parameters
RECORD_KINDS = ("cases", "people", "places", "sources")


def digest(record):
    """The sha256 of a fixture record, whatever the order of its keys."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _chunks(ids):
    ids = list(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _ids(queryset_for, ids, field="pk"):
    """The values of ``field`` in ``queryset_for(chunk)`` for every chunk of ``ids``."""
    found = set()
    for chunk in _chunks(ids):
        found.update(queryset_for(chunk).values_list(field, flat=True))
    found.discard(None)
    return found


def _save_all(model, rows, batch_size=1000):
    """Insert the rows without a pk and update the others, in batches; the inserted rows get their pks."""
    new = [row for row in rows if row.pk is None]
    old = [row for row in rows if row.pk is not None]
    model.objects.bulk_create(new, batch_size=batch_size)
    if old:
        fields = [f.name for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
        model.objects.bulk_update(old, fields, batch_size=batch_size)
    return rows


class Changes:
    """What one load changed: the keys of the records added, changed and retired, by kind."""

    def __init__(self):
        self.keys = {kind: {"added": [], "changed": [], "retired": []} for kind in RECORD_KINDS}

    def count(self):
        return {kind: {what: len(keys) for what, keys in whats.items()} for kind, whats in self.keys.items()}


def _plan(model, key, records, changes, kind, advance):
    """Split ``records`` (by key) into new and changed ones against the stored rows; note the retired keys.

    Returns (stored rows by key, keys to write, keys retired). A record that stays as it is counts as done.
    """
    stored = {row[key]: row for row in model.objects.values("pk", key, "fixture_sha256")}
    write = []
    for name, record in records.items():
        row = stored.get(name)
        if row is None:
            changes.keys[kind]["added"].append(name)
            write.append(name)
        elif row["fixture_sha256"] != digest(record):
            changes.keys[kind]["changed"].append(name)
            write.append(name)
    advance(len(records) - len(write))
    retired = sorted(set(stored) - set(records))
    changes.keys[kind]["retired"].extend(retired)
    return stored, write, retired


def write(data, texts, load, advance):
    """Bring the database to ``data``'s records, writing only what differs; returns the Changes."""
    changes = Changes()
    sources = {r["slug"]: r for r in data.get("sources", [])}
    places = {r["slug"]: r for r in data.get("places", [])}
    people = {r["slug"]: r for r in data.get("people", [])}
    cases = {r["ref"]: r for r in data.get("cases", [])}
    stored_places, place_keys, old_places = _plan(Place, "slug", places, changes, "places", advance)
    stored_people, person_keys, old_people = _plan(Person, "slug", people, changes, "people", advance)
    stored_sources, source_keys, old_sources = _plan(Source, "slug", sources, changes, "sources", advance)
    stored_cases, case_keys, old_cases = _plan(Case, "ref", cases, changes, "cases", advance)
    statements, relations = _wanted_statements(data), _wanted_relations(data)
    # Those the fixture drops, and those it adds: what pages showed before, and what they show after.
    gone = (set(_stored_statements()) - statements, set(_stored_relations()) - relations)
    new = (statements - set(_stored_statements()), relations - set(_stored_relations()))
    retired = {r["ref"]: r for r in data.get("retired", [])}
    retired_changed = _retired_changes(retired)

    # What the pages showed before: read while the old rows are still there.
    def stored_pks(stored, keys):
        return {stored[k]["pk"] for k in keys if k in stored}

    before = _pages_showing(
        cases=stored_pks(stored_cases, [*case_keys, *old_cases]),
        people=stored_pks(stored_people, [*person_keys, *old_people]),
        places=stored_pks(stored_places, [*place_keys, *old_places]),
        sources=stored_pks(stored_sources, [*source_keys, *old_sources]),
        extra=_extra_pages(*gone, retired_changed),
    )

    place_rows = _write_places(places, place_keys, advance)
    _write_place_names(places, place_keys, place_rows)
    person_rows = _write_people(people, person_keys, advance)
    quote_ids, dropped_quotes = _write_sources(sources, source_keys, texts, person_rows, advance)
    _write_descriptions(people, person_keys, Person, person_rows, quote_ids)
    _write_descriptions(places, place_keys, Place, place_rows, quote_ids)
    _write_names(people, person_keys, person_rows, quote_ids)
    _sync_values(Statement, statements, _statement_row(person_rows, quote_ids))
    _sync_values(PersonRelation, relations, _relation_row(person_rows, quote_ids))
    advance(len(statements) + len(relations))
    case_rows = _write_cases(cases, case_keys, place_rows, person_rows, quote_ids, advance)
    _write_retired(retired, retired_changed, case_rows, advance)

    # Deleted last, once nothing that stays refers to them.
    Case.objects.filter(ref__in=old_cases).delete()
    Detention.objects.filter(case__kind=Case.Kind.PROTEST).delete()  # first: it may name a protest that goes
    Protest.objects.filter(case__kind=Case.Kind.DETENTION).delete()
    for chunk in _chunks(dropped_quotes):
        Quote.objects.filter(pk__in=chunk).delete()
    Source.objects.filter(slug__in=old_sources).delete()
    Person.objects.filter(slug__in=old_people).delete()
    Place.objects.filter(parent__slug__in=old_places).update(parent=None)
    Place.objects.filter(slug__in=old_places).delete()

    after = _pages_showing(
        cases={case_rows[k] for k in case_keys},
        people={person_rows[k] for k in person_keys},
        places={place_rows[k] for k in place_keys},
        sources=_ids(lambda c: Source.objects.filter(slug__in=c), source_keys),
        extra=_extra_pages(*new, retired_changed),
    )
    touched = {kind: before[kind] | after[kind] for kind in before}
    for model, kind in ((Case, "cases"), (Person, "people"), (Place, "places"), (Source, "sources")):
        for chunk in _chunks(touched[kind]):
            model.objects.filter(pk__in=chunk).update(changed_in=load)
    index_cases(touched["documents"])
    return changes


# --- Places, people, sources --------------------------------------------------------


def _write_places(records, keys, advance):
    """Create or update the places ``keys``, parents first; derive every changed branch's tree fields.

    Returns every place's pk by slug.
    """
    rows = {p.slug: p for p in Place.objects.all()}
    by_depth = sorted(keys, key=lambda slug: _depth(records, slug))
    for slug in by_depth:
        advance()
        record = records[slug]
        place = rows.get(slug) or Place(slug=slug)
        place.name, place.kind = record["name"], record["kind"]
        place.parent = rows[record["parent"]] if record.get("parent") else None
        place.latitude, place.longitude = record.get("latitude"), record.get("longitude")
        place.description, place.modified = record.get("description", ""), record["modified"]
        place.fixture_sha256 = digest(record)
        if place.pk is None:
            place.path = ""
            place.save()
        rows[slug] = place
    # A renamed or moved place changes the full name and path of every place below it.
    changed = []
    for place in sorted(rows.values(), key=lambda p: _depth(records, p.slug) if p.slug in records else 0):
        if place.slug not in records:
            continue
        old = (place.depth, place.full_name, place.path)
        if place.parent_id is not None:
            place.parent = rows[records[place.slug]["parent"]]
        place.derive_tree_fields()
        if place.slug in keys or old != (place.depth, place.full_name, place.path):
            changed.append(place)
    Place.objects.bulk_update(
        changed, ["name", "kind", "parent", "latitude", "longitude", "description", "modified", "fixture_sha256",
                  "depth", "full_name", "path"], batch_size=500
    )  # fmt: skip
    return {slug: place.pk for slug, place in rows.items()}


def _write_place_names(records, keys, rows):
    """The names of the places ``keys`` (their own, in other languages, older forms), written again."""
    ids = [rows[slug] for slug in keys]
    for chunk in _chunks(ids):
        PlaceName.objects.filter(place_id__in=chunk).delete()
    PlaceName.objects.bulk_create(
        [
            PlaceName(place_id=rows[slug], name=name["name"], kind=name["kind"], language=name.get("language", ""),
                      note=name.get("note", ""), search_keys=stored_keys(name["name"]))
            for slug in keys
            for name in [{"name": records[slug]["name"], "kind": PlaceName.Kind.CANONICAL},
                         *records[slug].get("names", [])]
        ],
        batch_size=500,
    )  # fmt: skip


def _depth(records, slug):
    depth = 0
    while records[slug].get("parent") is not None:
        slug = records[slug]["parent"]
        depth += 1
    return depth


def _write_people(records, keys, advance):
    rows = dict(Person.objects.values_list("slug", "pk"))
    people = []
    for slug in keys:
        advance()
        record = records[slug]
        people.append(
            Person(
                pk=rows.get(slug),
                slug=slug,
                name=record["name"],
                kind=record.get("kind", Person.Kind.PERSON),
                description=record.get("description", ""),
                modified=record["modified"],
                fixture_sha256=digest(record),
            )
        )
    rows.update((person.slug, person.pk) for person in _save_all(Person, people))
    return rows


def _write_sources(records, keys, texts, people, advance):
    """Create or update the sources ``keys`` and their quotes (matched by number).

    Returns (every quote's pk by "slug#n", the pks of the quotes the fixture no longer has).
    """
    from .loader import unused_spans  # the loader checks what this writes

    existing = dict(Source.objects.values_list("slug", "pk"))
    rows = []
    for slug in keys:
        advance()
        record = records[slug]
        source = Source(
            pk=existing.get(slug),
            slug=slug,
            title=record["title"],
            publisher=record["publisher"],
            author=record.get("author", ""),
            language=record["language"],
            original_language=record.get("original_language", ""),
            original_title=record.get("original_title", ""),
            url=record.get("url", ""),
            copy_url=record.get("copy_url", ""),
            copy_note=record.get("copy_note", ""),
            archived_url=record.get("archived_url", ""),
            retrieved=record.get("retrieved"),
            is_machine_translation=record.get("is_machine_translation", False),
            translation_note=record.get("translation_note", ""),
            text=texts[slug],
            sha256=record["sha256"],
            notes=record.get("notes", ""),
            unused=unused_spans(split(texts[slug]), record.get("unused", [])),
            modified=record["modified"],
            fixture_sha256=digest(record),
        )
        source.set_partial_date("published", record["published"])
        rows.append(source)
    stored = defaultdict(dict)  # the quotes of the sources that were there, by number
    for chunk in _chunks([source.pk for source in rows if source.pk is not None]):
        for quote in Quote.objects.filter(source__in=chunk):
            stored[quote.source_id][quote.number] = quote
    _save_all(Source, rows, batch_size=200)
    dropped, quotes = [], []
    for source in rows:
        wanted = {q["n"]: q for q in records[source.slug].get("quotes", [])}
        dropped += [quote.pk for number, quote in stored[source.pk].items() if number not in wanted]
        for number, quote in wanted.items():
            row = stored[source.pk].get(number) or Quote(source=source, number=number)
            row.exact, row.start, row.end = quote["exact"], quote["start"], quote["end"]
            row.speaker_id = people.get(quote.get("speaker"))
            row.attribution, row.partial = quote.get("attribution", ""), quote.get("partial", "")
            quotes.append(row)
    _save_all(Quote, quotes)
    gone = set(dropped)
    quotes = {
        f"{slug}#{number}": pk
        for slug, number, pk in Quote.objects.values_list("source__slug", "number", "pk")
        if pk not in gone
    }
    return quotes, dropped


def _write_descriptions(records, keys, model, rows, quotes):
    """The description quotes and editorial notes of the people or places ``keys``, written again."""
    owner = model._meta.model_name
    ids = [rows[slug] for slug in keys]
    through = model.description_quotes.through
    for chunk in _chunks(ids):
        through.objects.filter(**{f"{owner}_id__in": chunk}).delete()
        EditorialNote.objects.filter(**{f"{owner}_id__in": chunk}).delete()
    links, notes = [], []
    for slug in keys:
        record = records[slug]
        links += [through(**{f"{owner}_id": rows[slug], "quote_id": quotes[key]}) for key in
                  dict.fromkeys(record.get("description_quotes", []))]  # fmt: skip
        wanted = [dict(note) for note in record.get("editorial", [])]
        if record.get("latitude") is not None:
            text = f"{record['latitude']}, {record['longitude']}"
            wanted.append({**record["coordinates_basis"], "label": "coordinates", "text": text})
        notes += [
            EditorialNote(**{f"{owner}_id": rows[slug]}, label=note["label"], text=note["text"], **reference(note))
            for note in wanted
        ]
    through.objects.bulk_create(links, batch_size=500)
    EditorialNote.objects.bulk_create(notes, batch_size=500)


def _write_names(records, keys, rows, quotes):
    ids = [rows[slug] for slug in keys]
    for chunk in _chunks(ids):
        PersonName.objects.filter(person_id__in=chunk).delete()
    names = []
    for slug in keys:
        record = records[slug]
        names.append(
            PersonName(person_id=rows[slug], name=record["name"], kind=PersonName.Kind.CANONICAL,
                       search_key=search_key(record["name"]), search_keys=stored_keys(record["name"]))
        )  # fmt: skip
        names += [
            PersonName(
                person_id=rows[slug],
                name=name["name"],
                kind=name["kind"],
                language=name.get("language", ""),
                quote_id=quotes.get(name.get("quote")),
                note=name.get("note", ""),
                search_key=search_key(name["name"]),
                search_keys=stored_keys(name["name"]),
            )
            for name in record.get("names", [])
        ]
    PersonName.objects.bulk_create(names, batch_size=500)


# --- Statements and relations: matched by their values --------------------------------


def _wanted_statements(data):
    return {
        (r["quote"], r["kind"], r["summary"], r.get("speaker"), r.get("attribution", ""))
        for r in data.get("statements", [])
    }


def _wanted_relations(data):
    return {(r["person"], r["relation"], r["relative"], r["quote"]) for r in data.get("relations", [])}


def _statement_row(people, quotes):
    def to_row(values):
        quote, kind, summary, speaker, attribution = values
        return Statement(quote_id=quotes[quote], kind=kind, summary=summary, speaker_id=people.get(speaker),
                         attribution=attribution)  # fmt: skip

    return to_row


def _relation_row(people, quotes):
    def to_row(values):
        person, relation, relative, quote = values
        return PersonRelation(person_id=people[person], relation=relation, relative_id=people[relative],
                              quote_id=quotes[quote])  # fmt: skip

    return to_row


def _stored_statements():
    rows = Statement.objects.values_list(
        "pk", "quote__source__slug", "quote__number", "kind", "summary", "speaker__slug", "attribution"
    )
    return {(f"{slug}#{n}", kind, summary, speaker, attribution): pk
            for pk, slug, n, kind, summary, speaker, attribution in rows}  # fmt: skip


def _stored_relations():
    rows = PersonRelation.objects.values_list(
        "pk", "person__slug", "relation", "relative__slug", "quote__source__slug", "quote__number"
    )
    return {(person, relation, relative, f"{slug}#{n}"): pk for pk, person, relation, relative, slug, n in rows}


def _sync_values(model, wanted, to_row):
    stored = _stored_statements() if model is Statement else _stored_relations()
    gone = [pk for values, pk in stored.items() if values not in wanted]
    for chunk in _chunks(gone):
        model.objects.filter(pk__in=chunk).delete()
    model.objects.bulk_create([to_row(values) for values in sorted(wanted - set(stored), key=str)], batch_size=500)


def _extra_pages(statements, relations, retired_refs):
    """The people, sources and cases whose pages show these statements, relations or retired refs (as stored)."""
    stored_statements, stored_relations = _stored_statements(), _stored_relations()
    statement_ids = [pk for values, pk in stored_statements.items() if values in statements]
    relation_ids = [pk for values, pk in stored_relations.items() if values in relations]
    people, sources = set(), set()
    for speaker, source in Statement.objects.filter(pk__in=statement_ids).values_list("speaker", "quote__source"):
        people.add(speaker)
        sources.add(source)
    rows = PersonRelation.objects.filter(pk__in=relation_ids).values_list("person", "relative", "quote__source")
    for person, relative, source in rows:
        people |= {person, relative}
        sources.add(source)
    cases = RetiredRef.objects.filter(ref__in=retired_refs, replaced_by__isnull=False).values_list("replaced_by")
    return {"people": people - {None}, "sources": sources, "cases": {pk for (pk,) in cases}}


# --- Cases -------------------------------------------------------------------------------


def _write_cases(records, keys, places, people, quotes, advance):
    """Create or update the cases ``keys`` and write their own rows again; returns every case's pk by ref."""
    rows = dict(Case.objects.values_list("ref", "pk"))
    written = []
    for ref in keys:
        advance()
        record = records[ref]
        case = Case(
            pk=rows.get(ref),
            ref=ref,
            kind=record["kind"],
            title=record["title"],
            summary=record["summary"],
            place_id=places[record["place"]],
            created=record["created"],
            modified=record["modified"],
            fixture_sha256=digest(record),
        )
        case.set_partial_date("date", record["date"])
        written.append(case)
    rows.update((case.ref, case.pk) for case in _save_all(Case, written))
    ids = [rows[ref] for ref in keys]
    for chunk in _chunks(ids):
        Involvement.objects.filter(case_id__in=chunk).delete()
        Citation.objects.filter(case_id__in=chunk).delete()
        Fact.objects.filter(case_id__in=chunk).delete()
    involvements, citations, facts, parts = [], [], [], []
    stated_by = dict(Quote.objects.filter(pk__in=set(quotes.values())).values_list("pk", "speaker"))  # the speakers
    attributed = {}
    for ref in keys:
        record, case_id = records[ref], rows[ref]
        for involvement in record["people"]:
            involvements.append(
                Involvement(case_id=case_id, person_id=people[involvement["person"]], role=involvement["role"])
            )
            parts.append([quotes[key] for key in involvement["quotes"]])
        bases = record.get("bases", {})
        derived = {
            name: [item["quote"] for item in basis["inputs"] if "quote" in item]
            for name, basis in bases.items()
            if basis.get("basis") == Basis.DERIVED
        }
        citations += [
            Citation(case_id=case_id, field=name, quote_id=quotes[key])
            for name, keys_ in {**record["citations"], **derived}.items()
            for key in dict.fromkeys(keys_)
        ]
        for name in sorted(set(record["citations"]) | set(bases)):
            cited = [quotes[key] for key in record["citations"].get(name, [])]
            facts.append(_fact(case_id, name, bases.get(name, {}), cited, stated_by, people, attributed))
    Involvement.objects.bulk_create(involvements, batch_size=500)
    through = Involvement.quotes.through
    through.objects.bulk_create(
        [through(involvement_id=i.pk, quote_id=q) for i, quote_ids in zip(involvements, parts, strict=True)
         for q in dict.fromkeys(quote_ids)], batch_size=500
    )  # fmt: skip
    Citation.objects.bulk_create(citations, batch_size=500)
    Fact.objects.bulk_create(facts, batch_size=500)
    _write_details(records, keys, rows)
    return rows


def _fact(case_id, name, basis, cited, stated_by, people, attributions):
    """The Fact row of one shown fact; a stated fact whose quotes all come from one person is on their word."""
    kind = basis.get("basis", Basis.STATED)
    if kind != Basis.STATED:
        return Fact(case_id=case_id, field=name, basis=kind, rule=basis.get("rule", ""),
                    inputs=basis.get("inputs", []), **reference(basis))  # fmt: skip
    person, attribution = people.get(basis.get("according_to")), basis.get("attribution", "")
    speakers = {stated_by[quote] for quote in cited}
    if person is None and len(speakers) == 1 and None not in speakers:
        person = next(iter(speakers))
        if not attribution:
            if not attributions:
                attributions.update(Quote.objects.exclude(attribution="").values_list("pk", "attribution"))
            attribution = next((attributions[q] for q in cited if q in attributions), "")
    return Fact(case_id=case_id, field=name, basis=kind, according_to_id=person, attribution=attribution)


def reference(basis):
    ref = basis.get("reference") or {}
    return {"reference_title": ref.get("title", ""), "reference_url": ref.get("url", "")}


def _write_details(records, keys, rows):
    """Each written case's protest or detention, updated in place: a detention may name a protest that stays."""
    protests, detentions = [], []
    for ref in keys:
        record = records[ref]
        if record["kind"] == Case.Kind.PROTEST:
            details = record["protest"]
            protests.append(
                Protest(
                    case_id=rows[ref],
                    form=details["form"],
                    size=details.get("size", ""),
                    target=details.get("target", ""),
                    demands=details.get("demands", ""),
                    slogans=details.get("slogans", ""),
                    outcome=details.get("outcome", Protest.Outcome.NOT_STATED),
                )
            )
        else:
            details = record["detention"]
            arose_from = details.get("arose_from")
            detentions.append(
                Detention(
                    case_id=rows[ref],
                    authority=details.get("authority", ""),
                    reason=details.get("reason", ""),
                    sentence=details.get("sentence", ""),
                    duration=details.get("duration", ""),
                    release=details.get("release", ""),
                    status=details.get("status", Detention.Status.NOT_STATED),
                    arose_from_id=rows[arose_from] if arose_from else None,
                )
            )
    for model, details in ((Protest, protests), (Detention, detentions)):
        stored = _ids(lambda c, model=model: model.objects.filter(pk__in=c), [row.case_id for row in details])
        model.objects.bulk_create([row for row in details if row.case_id not in stored], batch_size=1000)
        fields = [f.name for f in model._meta.concrete_fields if not f.primary_key]
        model.objects.bulk_update([row for row in details if row.case_id in stored], fields, batch_size=1000)


# --- Retired refs -------------------------------------------------------------------------

_RETIRED_FIELDS = ("status", "title", "reason", "retired")


def _retired_values(record):
    return (*(str(record[name]) for name in _RETIRED_FIELDS), record.get("replaced_by"))


def _retired_changes(records):
    """The refs whose retired entry the fixture adds, changes or drops."""
    stored = {
        ref: (*(str(value) for value in values), replaced_by)
        for ref, *values, replaced_by in RetiredRef.objects.values_list("ref", *_RETIRED_FIELDS, "replaced_by__ref")
    }
    wanted = {ref: _retired_values(record) for ref, record in records.items()}
    return sorted(ref for ref in set(stored) | set(wanted) if stored.get(ref) != wanted.get(ref))


def _write_retired(records, refs, cases, advance):
    RetiredRef.objects.filter(ref__in=refs).delete()
    advance(len(records) - len([ref for ref in refs if ref in records]))
    for ref in refs:
        if ref not in records:
            continue
        advance()
        record = records[ref]
        RetiredRef.objects.create(
            ref=ref,
            status=record["status"],
            title=record["title"],
            reason=record["reason"],
            replaced_by_id=cases.get(record.get("replaced_by")),
            retired=record["retired"],
        )


# --- What a change touches ----------------------------------------------------------------


def _pages_showing(cases, people, places, sources, extra):
    """The pks of every case, person, place and source whose pages show something of these records.

    ``cases``, ``people``, ``places`` and ``sources`` are the records that change; ``extra`` adds pages
    already known to be touched (by statements, relations, retired refs). What each page shows is read
    from ``cases.pages``: a case page shows its place and the places above it, its people (with their
    number of cases) and the other cases of its people, the quotes it cites with their sources and
    speakers, the detentions that arose from it; a person's page lists their cases, relatives, names,
    statements and description; a place's page the places above and below it and the cases inside it; a
    source's page every use of its passages, with the case, person or place that uses it.
    """
    places_below = set(places)
    if places:
        prefixes = list(Place.objects.filter(pk__in=places).values_list("path", flat=True))
        for prefix in prefixes:
            places_below |= set(Place.objects.filter(path__startswith=prefix).values_list("pk", flat=True))
    # A case's row (title, date, place's full name, people's names) shows on many pages: a case
    # whose row changes touches all of them, as a changed case does.
    rows = set(cases)
    rows |= _ids(lambda c: Case.objects.filter(place__in=c), places_below)
    rows |= _ids(lambda c: Involvement.objects.filter(person__in=c), people, "case")
    spoken = _ids(lambda c: Quote.objects.filter(speaker__in=c), people)
    of_sources = _ids(lambda c: Quote.objects.filter(source__in=c), sources)

    touched_cases = set(rows) | set(extra["cases"])
    touched_people = set(people) | set(extra["people"])
    touched_places = set(places_below)
    touched_sources = set(sources) | set(extra["sources"])

    # Pages that show a changed case's row, or its facts.
    row_people = _ids(lambda c: Involvement.objects.filter(case__in=c), rows, "person")
    touched_people |= row_people
    touched_cases |= _ids(lambda c: Involvement.objects.filter(person__in=c), row_people, "case")
    touched_cases |= _ids(lambda c: Detention.objects.filter(arose_from__case__in=c), rows, "case")
    touched_cases |= _ids(lambda c: Detention.objects.filter(case__in=c), rows, "arose_from__case")
    for path in _ids(lambda c: Place.objects.filter(cases__in=c), rows, "path"):
        touched_places.update(path_ids(path))
    touched_sources |= _ids(lambda c: Quote.objects.filter(citations__case__in=c), rows, "source")
    touched_sources |= _ids(lambda c: Quote.objects.filter(involvements__case__in=c), rows, "source")

    # Pages that show a changed person (their name, as a speaker, relative or the one a fact rests on).
    touched_cases |= _ids(lambda c: Fact.objects.filter(according_to__in=c), people, "case")
    touched_cases |= _ids(lambda c: Citation.objects.filter(quote__in=c), spoken, "case")
    touched_cases |= _ids(lambda c: Involvement.objects.filter(quotes__in=c), spoken, "case")
    touched_people |= _ids(lambda c: PersonRelation.objects.filter(person__in=c), people, "relative")
    touched_people |= _ids(lambda c: PersonRelation.objects.filter(relative__in=c), people, "person")
    touched_sources |= _ids(lambda c: Quote.objects.filter(pk__in=c), spoken, "source")
    touched_sources |= _ids(lambda c: Quote.objects.filter(name_variants__person__in=c), people, "source")
    touched_sources |= _ids(lambda c: Quote.objects.filter(relations__person__in=c), people, "source")
    touched_sources |= _ids(lambda c: Quote.objects.filter(relations__relative__in=c), people, "source")
    touched_sources |= _ids(lambda c: Quote.objects.filter(described_people__in=c), people, "source")
    touched_sources |= _ids(lambda c: Quote.objects.filter(described_places__in=c), places, "source")

    # Pages that show a changed source (its title, dates, passages).
    quoting = _ids(lambda c: Citation.objects.filter(quote__in=c), of_sources, "case")
    quoting |= _ids(lambda c: Involvement.objects.filter(quotes__in=c), of_sources, "case")
    touched_cases |= quoting
    touched_people |= _ids(lambda c: Quote.objects.filter(pk__in=c), of_sources, "speaker")
    touched_people |= _ids(lambda c: PersonName.objects.filter(quote__in=c), of_sources, "person")
    touched_people |= _ids(lambda c: PersonRelation.objects.filter(quote__in=c), of_sources, "person")
    touched_people |= _ids(lambda c: PersonRelation.objects.filter(quote__in=c), of_sources, "relative")
    touched_people |= _ids(lambda c: Person.objects.filter(description_quotes__in=c), of_sources)
    touched_places |= _ids(lambda c: Place.objects.filter(description_quotes__in=c), of_sources)
    if sources:
        slugs = set(Source.objects.filter(pk__in=sources).values_list("slug", flat=True))
        for case, inputs in Fact.objects.filter(basis=Basis.DERIVED).values_list("case", "inputs"):
            if any(item.get("published") in slugs for item in inputs):
                touched_cases.add(case)
    return {
        "cases": touched_cases,
        "people": touched_people,
        "places": touched_places,
        "sources": touched_sources,
        # The cases whose search documents hold what changed: their own words, place, names and quotes.
        "documents": rows | quoting,
    }
