"""What each record page shows, gathered from its records: one function per page kind.

``case_pages``, ``person_pages``, ``place_pages`` and ``source_pages`` take a
batch of records (a view passes one) and read a fixed number of queries for
the batch, whatever the number of facts, quotes, people or cases behind it.
Their output goes straight to the page's template: text as text (the template
escapes it), and the few values that hold links built here with
``format_html`` (every value in them escaped). Nothing here is stored: what
makes a repeated page cheap is the page cache (``cases.caching``), keyed by
the version of the record the page belongs to.
"""

import functools
from collections import defaultdict
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join

from . import sentences, sourcetext
from .fragments import quote_url
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
    Protest,
    Quote,
    RetiredRef,
    Source,
    Statement,
)

RELATED_SHOWN = 10  # other cases of the same people on a case page; the rest are a link away


@functools.cache
def _route(name):
    """The address ``reverse(name, args=[key])`` gives, as a format string: a page can hold
    thousands of addresses, and formatting one costs a fraction of reversing it."""
    marker = "000000"  # a valid ref and a valid slug
    return reverse(name, args=[marker]).replace("{", "{{").replace("}", "}}").replace(marker, "{}")


def href(record):
    """``record.get_absolute_url()``, for the records a page links to."""
    if isinstance(record, Quote):
        return f"{href(record.source)}#{record.anchor}"
    return _route(_ROUTES[type(record)]).format(record.ref if isinstance(record, Case) else record.slug)


_ROUTES = {Case: "case-detail", Person: "person-detail", Place: "place-detail", Source: "source-detail"}


def row(case):
    """A case as a list row shows it (cases/_rows.html, without people): its keys read as the model's names."""
    return _row_of(case.ref, case.kind, case.title, case.date_display, case.place.full_name)


def _row_of(ref, kind, title, date_display, place_name):
    return {
        "get_absolute_url": _route("case-detail").format(ref),
        "ref": ref,
        "kind": kind,
        "get_kind_display": Case.Kind(kind).label,
        "title": title,
        "date_display": date_display,
        "place": {"full_name": place_name},
    }


def _link(record):
    return {"href": href(record), "name": getattr(record, "name", None) or record.title}


# --- Cases -------------------------------------------------------------------

CASE_RELATED = ("place", "detention", "protest", "detention__arose_from__case")


def _evidence(quote, sources):
    source = sources[quote.source_id]
    quote.source = source  # the fragment builder reads the source's text
    return {
        "quote": quote.pk,
        "key": f"{source.slug}#{quote.number}",
        "number": quote.number,
        "exact": quote.exact,
        "passage_url": href(quote),
        "speaker": _link(quote.speaker) if quote.speaker_id else None,
        "attribution": quote.attribution,
        "source": source.pk,
        "language": source.language,
        "publisher": source.publisher,
        "source_title": source.title,
        "machine_translation": source.is_machine_translation,
        "original_url": quote_url(source.url, quote) if source.url else "",
        "copy_url": quote_url(source.copy_url, quote) if source.copy_url else "",
        "archived_url": quote_url(source.archived_url, quote) if source.archived_url else "",
    }


def _fact(key, label, value, evidence, basis=None, note="", person=None):
    """One fact: label, value (text, or HTML built with format_html; "" when not stated), its quotes and its basis.

    ``basis`` is the case's Fact for the field; a person's part in a case has none and is stated, on the
    word of the one speaker its quotes all come from, if they do. The value is kept as HTML: text
    escaped, HTML as built.
    """
    if basis is None:
        speakers = {e["speaker"]["href"] if e["speaker"] else None for e in evidence}
        speaker = evidence[0]["speaker"] if len(speakers) == 1 and None not in speakers else None
        attributions = {e["attribution"] for e in evidence if e["attribution"]}
        attribution = next(iter(attributions)) if len(attributions) == 1 and speaker else ""
        basis = Fact(basis=Basis.STATED, attribution=attribution)
    else:
        speaker = _link(basis.according_to) if basis.according_to_id else None
    return {
        "key": key,
        "label": label,
        "value": conditional_escape(value),
        "note": note,
        "evidence": evidence,
        "basis": basis.basis,
        "basis_text": basis.description,
        "speaker": speaker,
        "attribution": basis.attribution or (speaker["name"] if speaker else ""),
        "rule": basis.rule,
        "inputs": basis.inputs,
        "reference": {"title": basis.reference_title, "url": basis.reference_url},
        "person": person,
    }


def involvement_key(slug, role):
    """A person's part in a case as the case page anchors it: the same across loads, as the person's slug is."""
    return f"person-{slug}-{role}"


def _status_as_of(evidence, sources):
    """The date of the newest source behind a status: the status is as of then."""
    if not evidence:
        return ""
    newest = max((sources[e["source"]] for e in evidence), key=lambda s: s.published_latest)
    return newest.published_display


def _detention_facts(detention, fact, cited, sources):
    facts = [
        fact("authority", "Detaining authority", detention.authority),
        fact("reason", "Stated reason", detention.reason),
        fact("sentence", "Sentence", detention.sentence),
        fact("duration", "Duration", detention.duration),
        fact("release", "Release", detention.release),
    ]
    status, note = "", ""
    if detention.status != Detention.Status.NOT_STATED:
        status = detention.get_status_display()
        as_of = _status_as_of(cited("status"), sources)
        note = f"as of {as_of}, the date of the source" if as_of else ""
    facts.append(fact("status", "Status", status, note=note))
    return facts


def _protest_facts(protest, fact):
    outcome = "" if protest.outcome == Protest.Outcome.NOT_STATED else protest.get_outcome_display()
    return [
        fact("form", "Form", protest.get_form_display()),
        fact("size", "Size", protest.size),
        fact("target", "Target", protest.target),
        fact("demands", "Demands", protest.demands),
        fact("slogans", "Slogans or placard", protest.slogans),
        fact("outcome", "Outcome", outcome),
    ]


def _caveats(facts, people_facts, sources):
    """What a reader must know before relying on the page, from the facts' own bases.

    A machine-translated source; facts that rest on one person's word; facts the archive worked
    out; facts its editors added.
    """
    caveats = [
        {
            "kind": "translation",
            "source": {"href": href(s), "title": s.title, "original_language": s.original_language},
        }
        for s in sources
        if s.is_machine_translation
    ]
    by_speaker = {}
    shown = [fact for fact in [*facts, *people_facts] if fact["value"]]
    for fact in shown:
        speaker = fact["speaker"]
        # A person's own statement is not a claim about their taking part.
        if speaker is None or fact["person"] == speaker:
            continue
        label = f"{fact['person']['name']} ({fact['label'].lower()})" if fact["person"] else fact["label"].lower()
        by_speaker.setdefault(speaker["href"], (speaker, []))[1].append(label)
    for speaker, labels in by_speaker.values():
        caveats.append(
            {"kind": "attributed", "speaker": speaker, "facts": _sentence_list(labels), "single": len(labels) == 1}
        )
    for basis in (Basis.DERIVED, Basis.EDITORIAL):
        labels = [fact["label"].lower() for fact in shown if fact["basis"] == basis]
        if labels:
            caveats.append({"kind": basis, "facts": _sentence_list(labels), "single": len(labels) == 1})
    return caveats


def _sentence_list(items):
    """Labels joined as in a sentence: "a", "a and b", "a, b and c"."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _related(cases):
    """For each case, the newest other cases of its people as list rows, at most RELATED_SHOWN + 1.

    One query for the whole batch: each case's pairs with the other cases of
    its people, numbered newest first (the list's order) per case.
    """
    case_table, involvement_table = Case._meta.db_table, Involvement._meta.db_table
    place_table = Place._meta.db_table
    marks = ", ".join(["%s"] * len(cases))
    sql = f"""
        SELECT this_id, ref, kind, title, date_display, full_name FROM (
            SELECT pairs.this_id, c.ref, c.kind, c.title, c.date_display, p.full_name, ROW_NUMBER() OVER (
                PARTITION BY pairs.this_id ORDER BY c.date_latest DESC, c.date_earliest DESC, c.ref
            ) AS n
            FROM (
                SELECT DISTINCT mine.case_id AS this_id, theirs.case_id AS other_id
                FROM {involvement_table} mine
                JOIN {involvement_table} theirs ON theirs.person_id = mine.person_id
                WHERE mine.case_id IN ({marks}) AND theirs.case_id <> mine.case_id
            ) pairs
            JOIN {case_table} c ON c.id = pairs.other_id
            JOIN {place_table} p ON p.id = c.place_id
        ) ranked
        WHERE n <= %s
        ORDER BY this_id, n
    """  # table names from the models, values as parameters
    related = defaultdict(list)
    if not cases:
        return related
    with connection.cursor() as cursor:
        cursor.execute(sql, [c.pk for c in cases] + [RELATED_SHOWN + 1])
        for this, *row in cursor.fetchall():
            related[this].append(_row_of(*row))
    return related


def case_pages(cases):
    """The page content of each case, by pk. ``cases`` come with CASE_RELATED selected."""
    ids = [case.pk for case in cases]
    citations = defaultdict(list)
    for citation in (
        Citation.objects.filter(case__in=ids).select_related("quote__speaker").order_by("quote__start", "quote_id")
    ):
        citations[citation.case_id].append(citation)
    involvements = defaultdict(list)
    for involvement in (
        Involvement.objects.filter(case__in=ids)
        .select_related("person")
        .prefetch_related(Prefetch("quotes", queryset=Quote.objects.select_related("speaker").order_by("start")))
        .order_by("pk")
    ):
        involvements[involvement.case_id].append(involvement)
    quotes = [c.quote for rows in citations.values() for c in rows]
    quotes += [q for rows in involvements.values() for i in rows for q in i.quotes.all()]
    sources = Source.objects.in_bulk({q.source_id for q in quotes})
    places = Place.objects.in_bulk({pk for case in cases for pk in case.place.path_ids})
    arising = defaultdict(list)
    for detention in Detention.objects.filter(arose_from__in=ids).select_related("case__place"):
        arising[detention.arose_from_id].append(detention.case)
    related = _related(cases)
    people = {i.person_id: i.person for rows in involvements.values() for i in rows}
    counts = dict(
        Involvement.objects.filter(person__in=people)
        .values_list("person")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    )
    former = defaultdict(list)
    for retired in RetiredRef.objects.filter(replaced_by__in=ids).order_by("ref"):
        former[retired.replaced_by_id].append(retired.ref)
    bases = defaultdict(dict)
    for fact in Fact.objects.filter(case__in=ids).select_related("according_to"):
        bases[fact.case_id][fact.field] = fact

    pages = {}
    for case in cases:
        pages[case.pk] = _case_page(
            case,
            citations[case.pk],
            involvements[case.pk],
            sources,
            [places[pk] for pk in case.place.path_ids if pk in places] or [case.place],
            arising[case.pk],
            related[case.pk][:RELATED_SHOWN],
            len(related[case.pk]) > RELATED_SHOWN,
            counts,
            former[case.pk],
            bases[case.pk],
        )
    return pages


def _case_page(case, citations, involvements, all_sources, places, arising, related, more, counts, former, bases):
    quotes = [c.quote for c in citations] + [q for i in involvements for q in i.quotes.all()]
    sources = {q.source_id: all_sources[q.source_id] for q in quotes}
    evidence_by_quote = {}

    def evidence_for(quote):
        if quote.pk not in evidence_by_quote:
            evidence_by_quote[quote.pk] = _evidence(quote, sources)
        return evidence_by_quote[quote.pk]

    by_field = {}
    for citation in citations:
        by_field.setdefault(citation.field, []).append(evidence_for(citation.quote))

    def cited(name):
        return by_field.get(name, [])

    def fact(name, label, value, note=""):
        return _fact(name, label, value, cited(name), bases.get(name), note=note)

    chain = places[::-1]  # the place first, then the places above it
    place_links = format_html_join(", ", '<a href="{}">{}</a>', ((href(p), p.name) for p in chain))
    facts = [fact("date", "Date", case.date_display), fact("place", "Place", place_links)]
    details = case.details
    arose_from = None
    if case.kind == Case.Kind.DETENTION:
        facts += _detention_facts(details, fact, cited, sources)
        if details.arose_from is not None:
            arose_from = details.arose_from.case
            link = format_html('the protest <a href="{}">{}</a>', href(arose_from), arose_from.title)
            facts.append(fact("arose_from", "Arose from", link))
    else:
        facts += _protest_facts(details, fact)

    people_facts = [
        _fact(
            involvement_key(involvement.person.slug, involvement.role),
            involvement.get_role_display().capitalize(),
            format_html('<a href="{}">{}</a>', href(involvement.person), involvement.person.name),
            [evidence_for(q) for q in involvement.quotes.all()],
            person=_link(involvement.person),
        )
        for involvement in involvements
    ]
    _published_inputs(facts, all_sources)
    passages = _footnotes(cited("case"), [*facts, *people_facts])
    people = {i.person_id: i.person for i in involvements}
    related_more = []
    if more:
        related_more = [
            {"name": person.name, "count": counts[pk], "query": urlencode({"person": person.slug})}
            for pk, person in sorted(people.items(), key=lambda item: item[1].name)
            if counts.get(pk, 0) > 1
        ]
    case_sources = sorted(sources.values(), key=lambda s: (s.published_earliest, s.title))
    place = chain[0]
    return {
        "row": _case_row(case, involvements),
        "case": {
            "ref": case.ref,
            "kind": case.kind,
            "kind_label": case.get_kind_display(),
            "title": case.title,
            "summary": case.summary,
            "date_edtf": case.date_edtf,
            "date_earliest": case.date_earliest,
            "date_latest": case.date_latest,
            "created": case.created,
            "modified": case.modified,
            "href": href(case),
        },
        "summary_markers": [passages[item["quote"]]["n"] for item in cited("case")],
        "facts": facts,
        "people_facts": people_facts,
        "passages": sorted(passages.values(), key=lambda entry: entry["n"]),
        "arose_from": row(arose_from) if arose_from else None,
        "arising": [row(c) for c in sorted(arising, key=lambda c: c.pk)],
        "related": related,
        "related_more": related_more,
        "former_refs": former,
        "sources": [
            {
                "href": href(s),
                "title": s.title,
                "publisher": s.publisher,
                "published_display": s.published_display,
                "machine_translation": s.is_machine_translation,
                "language": s.language,
                "url": s.url,
            }
            for s in case_sources
        ],
        "caveats": _caveats(facts, people_facts, case_sources),
        "place": {
            "name": place.name,
            "address": ", ".join(p.name for p in chain),
            "latitude": float(place.latitude) if place.latitude is not None else None,
            "longitude": float(place.longitude) if place.longitude is not None else None,
        },
        "mentions": [
            {"organisation": p.kind == Person.Kind.ORGANISATION, "name": p.name, "href": href(p)}
            for p in people.values()
        ],
    }


def _published_inputs(facts, sources):
    """A derived fact's input "the publication date of a source", written out: the date, and the source's page."""
    by_slug = {source.slug: source for source in sources.values()}
    for fact in facts:
        for item in fact["inputs"]:
            if "published" in item:
                source = by_slug.get(item["published"]) or Source.objects.defer("text").get(slug=item["published"])
                item.update(date=source.published_display, title=source.title, href=href(source))


def _footnotes(summary, facts):
    """The passages a case page relies on, by quote id, each once, numbered in the order the page first cites them.

    Each fact's ``markers`` are its passages' numbers, and each passage lists
    the facts that cite it (the summary as "summary"), so the two link both ways.
    """
    passages = {}

    def number(item, key, label):
        entry = passages.setdefault(item["quote"], {**item, "n": len(passages) + 1, "cited_by": []})
        if not any(c["key"] == key for c in entry["cited_by"]):
            entry["cited_by"].append({"key": key, "label": label})
        return entry["n"]

    for item in summary:
        number(item, "summary", "Summary")
    for fact in facts:
        by_key = {item["key"]: number(item, f"fact-{fact['key']}", fact["label"]) for item in fact["evidence"]}
        fact["markers"] = sorted(set(by_key.values()))
        for item in fact["inputs"]:
            if "quote" in item:
                item["n"] = by_key[item["quote"]]
    return passages


# --- List rows with their people ------------------------------------------------


def case_row(case):
    """A case from ``Case.objects.for_list()`` as cases/_rows.html shows it, people included."""
    return _case_row(case, case.involvements.all())


def _case_row(case, involvements):
    return {**row(case), "list_people": [_person_role(i) for i in involvements]}


def list_rows(refs):
    """The list rows (cases/_rows.html) of the cases ``refs``, in that order: two queries."""
    found = {case.ref: case_row(case) for case in Case.objects.for_list().filter(ref__in=refs)}
    return [found[ref] for ref in refs]


def _person_role(involvement):
    person = involvement.person
    return {"person": {"get_absolute_url": href(person), "name": person.name}, "role": involvement.get_role_display()}


# --- Places --------------------------------------------------------------------

PLACE_ROWS = 25  # case rows on a place page, as on the case list


def _place_link(place):
    return {"get_absolute_url": href(place), "name": place.name, "get_kind_display": place.get_kind_display()}


def place_tree(places, counts):
    """The places nested as cases/_tree.html shows them: (the top nodes, every node by pk).

    ``places`` are ordered by path; each node is {place, children, cases},
    ``cases`` counting the cases in its subtree from ``counts`` (cases directly
    at each place); siblings are in alphabetical order.
    """
    nodes = {p.pk: {"place": _place_link(p), "children": [], "cases": counts.get(p.pk, 0)} for p in places}
    roots = []
    for place in sorted(places, key=lambda p: p.name):  # stable: namesakes stay in path order
        parent = nodes.get(place.parent_id)
        (parent["children"] if parent else roots).append(nodes[place.pk])
    for place in sorted(places, key=lambda p: -p.depth):  # the deepest first: subtree totals bottom-up
        parent = nodes.get(place.parent_id)
        if parent:
            parent["cases"] += nodes[place.pk]["cases"]
    return roots, nodes


def place_pages(places):
    """The page content of each place, by pk, without its cases: the view reads the page of them asked for.

    Reads the places above and below them, and the cases directly at each, to count each subtree.
    """
    wanted = {pk for place in places for pk in place.path_ids}
    tree = list(Place.objects.filter(Q(pk__in=wanted) | _under(places)).order_by("path"))
    counts = dict(
        Case.objects.filter(place__in=[p.pk for p in tree]).values_list("place").annotate(n=Count("pk")).order_by()
    )
    by_pk = {p.pk: p for p in tree}
    _roots, nodes = place_tree(tree, counts)
    described = _descriptions(Place, places)
    pages = {}
    for place in places:
        pages[place.pk] = {
            "place": {
                **_place_link(place),
                "slug": place.slug,
                "description": place.description,
                "latitude": None if place.latitude is None else str(place.latitude),
                "longitude": None if place.longitude is None else str(place.longitude),
            },
            "described": described[place.pk],
            "above": [_place_link(by_pk[pk]) for pk in place.path_ids[:-1][::-1] if pk in by_pk],
            "inside": nodes[place.pk]["children"],
            "case_total": nodes[place.pk]["cases"],
        }
    return pages


def _under(places):
    condition = Q(pk__in=[])
    for place in places:
        condition |= Q(path__startswith=place.path)
    return condition


# --- People --------------------------------------------------------------------

PERSON_ROWS = 50  # cases on a page of a person's cases

# A BCP 47 tag names no script a language is written in by default (RFC 5646,
# "Suppress-Script"): "kk-Cyrl" is "kk" in a lang attribute. The tag is still
# shown as the data gives it.
_SUPPRESS_SCRIPT = {"be": "Cyrl", "en": "Latn", "kk": "Cyrl", "ky": "Cyrl", "ru": "Cyrl", "uk": "Cyrl"}


def html_lang(tag):
    """The tag as a lang attribute wants it: without the language's default script."""
    parts = tag.split("-")
    if len(parts) > 1 and _SUPPRESS_SCRIPT.get(parts[0].lower(), "").lower() == parts[1].lower():
        del parts[1]
    return "-".join(parts)


_NAME_GROUPS = [
    (PersonName.Kind.SOURCE, "As spelled in a source", False),
    (PersonName.Kind.NATIVE, "In native scripts", True),
    (PersonName.Kind.TRANSLITERATION, "Transliterations", True),
    (PersonName.Kind.ALIAS, "Other names", True),
]


def _passage(quote):
    """A quote as a link to its passage: the source's page, at the quote."""
    return {"get_absolute_url": href(quote), "number": quote.number}


def _spellings(names):
    """The person's names grouped by kind; a spelling found in several passages is listed once with each."""
    groups = []
    for kind, label, editorial in _NAME_GROUPS:
        rows = {}
        for name in names:
            if name.kind != kind:
                continue
            row = rows.setdefault(
                (name.name, name.language),
                {
                    "name": name.name,
                    "language": name.language,
                    "lang": html_lang(name.language),
                    "notes": [],
                    "passages": [],
                },
            )
            if name.note and name.note not in row["notes"]:
                row["notes"].append(name.note)
            if name.quote is not None:
                row["passages"].append(name.quote)
        for row in rows.values():
            row["sources"] = _by_source(row.pop("passages"))
        if rows:
            groups.append({"kind": kind, "label": label, "editorial": editorial, "names": list(rows.values())})
    return groups


def _by_source(quotes):
    """Quotes grouped under their source, in order: [{"source": {"title"}, "quotes": [...]}, ...]."""
    groups = {}
    for quote in quotes:
        group = groups.setdefault(quote.source_id, {"source": {"title": quote.source.title}, "quotes": []})
        group["quotes"].append(_passage(quote))
    return list(groups.values())


def person_pages(people):
    """The page content of each person, by pk, without their cases: the view reads the page of them asked for."""
    ids = [p.pk for p in people]
    names = defaultdict(list)
    for name in (
        PersonName.objects.filter(person__in=ids)
        .select_related("quote__source")
        .defer("quote__source__text")
        .order_by("person", "kind", "name", "quote__start")
    ):
        names[name.person_id].append(name)
    # "Brother of Baibolat Kunbolat" on the brother's page; on the other's,
    # "Baimurat Nauryzbek is the brother of Baibolat Kunbolat".
    relations = defaultdict(list)
    both_ways = (
        PersonRelation.objects.filter(Q(person__in=ids) | Q(relative__in=ids))
        .select_related("person", "relative", "quote__source")
        .defer("quote__source__text", "person__description", "relative__description")
        .order_by("person", "relation", "pk")
    )
    for r in both_ways:
        relations[r.person_id].append(("of", r))
        if r.relative_id != r.person_id:
            relations[r.relative_id].append(("is", r))
    statements = defaultdict(list)
    for quote in (
        Quote.objects.filter(speaker__in=ids)
        .select_related("source")
        .defer("source__text")
        .order_by("speaker", "source", "start")
    ):
        statements[quote.speaker_id].append(
            {
                "quote": quote.pk,
                "statements": [],
                "get_absolute_url": href(quote),
                "number": quote.number,
                "exact": quote.exact,
                "attribution": quote.attribution,
                "source": {"language": quote.source.language, "title": quote.source.title},
            }
        )
    for statement in Statement.objects.filter(speaker__in=ids).order_by("pk"):
        for quote in statements[statement.speaker_id]:
            if quote["quote"] == statement.quote_id:
                quote["statements"].append(_statement(statement))
    described = _descriptions(Person, people)

    pages = {}
    for person in people:
        person_relations = [
            {"before": f"{r.get_relation_display().capitalize()} of", "other": _named(r.relative), "after": "",
             "quote": _passage(r.quote)}
            for way, r in relations[person.pk] if way == "of"
        ]  # fmt: skip
        person_relations += [
            {"before": "", "other": _named(r.person), "after": f"is the {r.get_relation_display()} of {person.name}",
             "quote": _passage(r.quote)}
            for way, r in relations[person.pk] if way == "is"
        ]  # fmt: skip
        pages[person.pk] = {
            "person": {
                **_named(person),
                "slug": person.slug,
                "get_kind_display": person.get_kind_display(),
                "description": person.description,
            },
            "described": described[person.pk],
            "spellings": _spellings(names[person.pk]),
            "relations": person_relations,
            "statements": statements[person.pk],
        }
    return pages


def _descriptions(model, records):
    """For each record (a person or a place), by pk: the passages its description rests on, and what
    the editors added from outside the sources. Two queries."""
    ids = [record.pk for record in records]
    owner = model._meta.model_name
    through = model.description_quotes.through
    described = defaultdict(lambda: {"passages": [], "editorial": []})
    rows = through.objects.filter(**{f"{owner}__in": ids}).select_related("quote__source").defer("quote__source__text")
    for row in rows.order_by("quote__start"):
        described[getattr(row, f"{owner}_id")]["passages"].append(
            {**_passage(row.quote), "source": {"title": row.quote.source.title}}
        )
    for note in EditorialNote.objects.filter(**{f"{owner}__in": ids}):
        described[getattr(note, f"{owner}_id")]["editorial"].append(
            {"label": note.label, "text": note.text, "reference_title": note.reference_title,
             "reference_url": note.reference_url}
        )  # fmt: skip
    return described


def _named(record):
    return {"get_absolute_url": href(record), "name": record.name}


# --- Sources -------------------------------------------------------------------

SOURCE_FIELDS = ("title", "language", "original_title", "original_language", "is_machine_translation",
                 "translation_note", "publisher", "author", "published_display", "url", "copy_url", "copy_note",
                 "archived_url", "sha256", "notes")  # fmt: skip


def _statement(statement):
    """A statement as the source's and the speaker's pages show it."""
    return {
        "id": f"statement-{statement.pk}",
        "kind": statement.get_kind_display(),
        "summary": statement.summary,
        "attribution": statement.attribution,
        "speaker": _named(statement.speaker) if statement.speaker_id else None,
    }


def source_pages(sources):
    """The page content of each source, its text included, by pk."""
    ids = [s.pk for s in sources]
    by_pk = {s.pk: s for s in sources}
    quotes = defaultdict(list)
    for quote in Quote.objects.filter(source__in=ids).order_by("source", "start", "number"):
        quote.source = by_pk[quote.source_id]
        quotes[quote.source_id].append(quote)
    uses = {
        q.pk: {"cases": {}, "names": [], "relations": [], "statements": [], "described": []}
        for rows in quotes.values()
        for q in rows
    }

    def case_entry(quote_id, case, ref, title):
        cases = uses[quote_id]["cases"]
        if case not in cases:
            url = _route("case-detail").format(ref)
            cases[case] = {"case": {"get_absolute_url": url, "title": title, "ref": ref}, "facts": []}
        return cases[case]

    field_order = {value: i for i, value in enumerate(Citation.Field.values)}
    field_label = dict(Citation.Field.choices)
    role_label = dict(Involvement.Role.choices)
    # Plain rows, not model instances: a source's passages are cited thousands of times in all.
    cited = Citation.objects.filter(quote__source__in=ids).values_list(
        "quote", "field", "case", "case__ref", "case__title"
    )
    for quote, name, case, ref, title in sorted(cited, key=lambda c: (c[3], field_order[c[1]])):
        label = "summary" if name == Citation.Field.CASE else field_label[name]
        anchor = "summary" if name == Citation.Field.CASE else f"fact-{name}"
        case_entry(quote, case, ref, title)["facts"].append({"label": label, "anchor": anchor})
    through = Involvement.quotes.through
    rows = (
        through.objects.filter(quote__source__in=ids)
        .order_by("pk")
        .values_list("quote", "involvement", "involvement__role", "involvement__case", "involvement__case__ref",
                     "involvement__case__title", "involvement__person__name", "involvement__person__slug")
    )  # fmt: skip
    for quote, _involvement, role, case, ref, title, person, slug in rows:
        label = f"{person} ({role_label[role]})"
        anchor = f"fact-{involvement_key(slug, role)}"
        case_entry(quote, case, ref, title)["facts"].append({"label": label, "anchor": anchor})
    for statement in Statement.objects.filter(quote__source__in=ids).select_related("speaker").order_by("pk"):
        uses[statement.quote_id]["statements"].append(_statement(statement))
    for model in (Person, Place):
        through = model.description_quotes.through
        owner = f"{model._meta.model_name}"
        for quote, slug, name in through.objects.filter(quote__source__in=ids).values_list(
            "quote", f"{owner}__slug", f"{owner}__name"
        ):
            route = _route(_ROUTES[model]).format(slug)
            uses[quote]["described"].append({"get_absolute_url": route, "name": name})
    for name in PersonName.objects.filter(quote__source__in=ids).select_related("person").order_by("pk"):
        uses[name.quote_id]["names"].append({"name": name.name, "person": _named(name.person)})
    for relation in (
        PersonRelation.objects.filter(quote__source__in=ids).select_related("person", "relative").order_by("pk")
    ):
        uses[relation.quote_id]["relations"].append(
            {
                "person": _named(relation.person),
                "relative": _named(relation.relative),
                "get_relation_display": relation.get_relation_display(),
            }
        )

    pages = {}
    for source in sources:
        own = quotes[source.pk]
        passages = {
            q.pk: {
                "quote": {"number": q.number, "exact": q.exact, "attribution": q.attribution, "partial": q.partial},
                **uses[q.pk],
                "cases": sorted(uses[q.pk]["cases"].values(), key=lambda e: e["case"]["ref"]),
                "original_url": quote_url(source.url, q) if source.url else "",
                "copy_url": quote_url(source.copy_url, q) if source.copy_url else "",
                "archived_url": quote_url(source.archived_url, q) if source.archived_url else "",
            }
            for q in own
        }
        reasons = {entry["start"]: entry["reason"] for entry in source.unused}
        by_sentence = [
            {
                "n": n,
                "text": sentence.text,
                "passages": [passages[q.pk] for q in own if q.start < sentence.end and q.end > sentence.start],
                "unused": reasons.get(sentence.start, ""),
            }
            for n, sentence in enumerate(sentences.split(source.text), start=1)
        ]
        spans = [sourcetext.Span(q.start, q.end, q.number) for q in own]
        pages[source.pk] = {
            "source": {
                **{name: getattr(source, name) for name in SOURCE_FIELDS},
                "get_absolute_url": href(source),
                "retrieved": source.retrieved,
            },
            # Built by sourcetext.render: the text escaped, only its marks as HTML.
            "paragraphs": sourcetext.render(source.text, spans),
            "sentences": by_sentence,
        }
    return pages
