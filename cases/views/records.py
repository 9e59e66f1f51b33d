"""The record pages: a case with every fact traced to its quote, and people, places and sources.

Each view fetches what its page shows in a fixed number of queries and hands
the template finished values (facts with their evidence, links, citations),
so no query starts from a template and none runs once per row.

A case's address is its ref. An address that is not the canonical form of a
ref (upper case, a letter read for a digit) redirects to it; a retired ref
redirects to the case that replaced it (301) or answers 410 with the reason it
was withdrawn; anything else under a case's address redirects to the case.
"""

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .. import citations, sourcetext
from ..fragments import quote_url
from ..models import (
    REF_PATTERN,
    Case,
    Citation,
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
from ..permalinks import absolute_url
from .lists import CountedPaginator

PER_PAGE = 50
CASE_ROWS_PER_PAGE = 25  # case rows on a place page, as on the case list
RELATED_SHOWN = 10  # other cases of the same people on a case page; the rest are a link away
COPYRIGHT_NOTE = (
    "Source texts remain their publishers' copyright. The archive keeps this copy so that every quote "
    "taken from it can be checked against the words around it; it is not republished under the archive's "
    "licence."
)
CITE_FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", citations.biblatex),
    "ris": ("application/x-research-info-systems; charset=utf-8", citations.ris),
    "csl.json": ("application/vnd.citationstyles.csl+json; charset=utf-8", citations.csl_json),
}

# Crockford's base 32 reads I and L as 1 and O as 0: a ref copied by hand or
# read aloud still finds its case.
_CONFUSABLES = str.maketrans({"i": "1", "l": "1", "o": "0", "-": None, " ": None})


# --- Permalinks --------------------------------------------------------------


def canonical_ref(ref):
    """The canonical spelling of a ref as typed (``A8O23R`` -> ``a8023r``), or None when it cannot be one."""
    candidate = ref.strip().lower().translate(_CONFUSABLES)
    return candidate if REF_PATTERN.fullmatch(candidate) else None


def _case_url(ref, suffix=""):
    return reverse("case-detail", args=[ref]) + suffix


def _resolve(request, ref, suffix, queryset):
    """The case at ``ref`` (from ``queryset``), or the response that stands in for it.

    A ref in another spelling redirects to the canonical one, a replaced ref to
    its successor (keeping ``suffix``, the part after the case's address), a
    withdrawn one answers 410 with its tombstone, and anything else 404.
    """
    canonical = canonical_ref(ref)
    if canonical is None:
        raise Http404("No case has this reference.")
    case = queryset.filter(ref=canonical).first()
    if case is not None:
        if canonical != ref:
            return HttpResponsePermanentRedirect(_case_url(canonical, suffix))
        return case
    retired = RetiredRef.objects.select_related("replaced_by").filter(ref=canonical).first()
    if retired is None:
        raise Http404("No case has this reference.")
    if retired.status == RetiredRef.Status.REPLACED:
        return HttpResponsePermanentRedirect(_case_url(retired.replaced_by.ref, suffix))
    return render(request, "410.html", {"retired": retired}, status=410)


def case_extra(request, ref, rest):
    """Anything under a case's address (an old link, a typo, a trailing word) redirects to the case."""
    outcome = _resolve(request, ref, "", Case.objects.only("ref"))
    if isinstance(outcome, HttpResponse):
        return outcome
    return HttpResponsePermanentRedirect(outcome.get_absolute_url())


# --- Citing ------------------------------------------------------------------


def _reference(request, case):
    return citations.CaseReference.for_case(
        case,
        url=absolute_url(request, case.get_absolute_url()),
        archive=settings.ARCHIVE_NAME,
        accessed=timezone.localdate(),
    )


def case_cite(request, ref, format):
    """The case's citation as a file a reference manager imports: biblatex, RIS or CSL-JSON."""
    outcome = _resolve(request, ref, f"cite.{format}", Case.objects.all())
    if isinstance(outcome, HttpResponse):
        return outcome
    content_type, build = CITE_FORMATS[format]
    response = HttpResponse(build(_reference(request, outcome)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{outcome.ref}.{format}"'
    return response


# --- Evidence ----------------------------------------------------------------


@dataclass
class Evidence:
    """One quote as a case page shows it: its words, who says them, and where to read them."""

    quote: Quote
    source: Source
    speaker: Person | None
    attribution: str
    passage_url: str
    original_url: str
    archived_url: str

    @property
    def number(self):
        return self.quote.number


def _evidence(quote, sources):
    source = sources[quote.source_id]
    quote.source = source  # the fragment builder reads the source's text
    return Evidence(
        quote=quote,
        source=source,
        speaker=quote.speaker,
        attribution=quote.attribution,
        passage_url=quote.get_absolute_url(),
        original_url=quote_url(source.url, quote) if source.url else "",
        archived_url=quote_url(source.archived_url, quote) if source.archived_url else "",
    )


def _load_sources(quotes):
    """Every source the quotes come from, text included, in one query."""
    ids = {quote.source_id for quote in quotes}
    return Source.objects.in_bulk(ids) if ids else {}


@dataclass
class Fact:
    """One fact of a case: its label, its value (or "not stated") and the quotes that support it."""

    key: str
    label: str
    value: str = ""
    evidence: list = field(default_factory=list)
    note: str = ""
    person: Person | None = None

    @property
    def stated(self):
        return bool(self.value)

    @property
    def sole_speaker(self):
        """The one person every supporting quote comes from, when there is exactly one: a claim to attribute."""
        speakers = {e.speaker for e in self.evidence}
        if len(speakers) == 1 and None not in speakers:
            return next(iter(speakers))
        return None

    @property
    def sole_attribution(self):
        attributions = {e.attribution for e in self.evidence if e.attribution}
        return next(iter(attributions)) if len(attributions) == 1 else ""


def _place_chain(place):
    """The place and the places above it, nearest first, each a link: one query."""
    return place.ancestry()[::-1]


def _links(objects):
    return format_html_join(", ", '<a href="{}">{}</a>', ((o.get_absolute_url(), o.name) for o in objects))


def _status_as_of(evidence):
    """The date of the newest source behind a status: the status is as of then."""
    if not evidence:
        return ""
    newest = max((e.source for e in evidence), key=lambda s: s.published_latest)
    return newest.published_display


def _detention_facts(detention, cited):
    facts = [
        Fact("authority", "Detaining authority", detention.authority, cited("authority")),
        Fact("reason", "Stated reason", detention.reason, cited("reason")),
        Fact("sentence", "Sentence", detention.sentence, cited("sentence")),
        Fact("duration", "Duration", detention.duration, cited("duration")),
        Fact("release", "Release", detention.release, cited("release")),
    ]
    status_evidence = cited("status")
    status = Fact("status", "Status", "", status_evidence)
    if detention.status != Detention.Status.NOT_STATED:
        status.value = detention.get_status_display()
        as_of = _status_as_of(status_evidence)
        if as_of:
            status.note = f"as of {as_of}, the date of the source"
    facts.append(status)
    return facts


def _protest_facts(protest, cited):
    outcome = "" if protest.outcome == Protest.Outcome.NOT_STATED else protest.get_outcome_display()
    return [
        Fact("form", "Form", protest.get_form_display(), cited("form")),
        Fact("size", "Size", protest.size, cited("size")),
        Fact("target", "Target", protest.target, cited("target")),
        Fact("demands", "Demands", protest.demands, cited("demands")),
        Fact("slogans", "Slogans or placard", protest.slogans, cited("slogans")),
        Fact("outcome", "Outcome", outcome, cited("outcome")),
    ]


def _caveats(facts, people_facts, sources):
    """What a reader must know before relying on the page: translations, claims resting on one person."""
    caveats = []
    for source in sources:
        if source.is_machine_translation:
            caveats.append(
                {
                    "kind": "translation",
                    "source": source,
                    "text": source.translation_note or "The source is a machine translation.",
                }
            )
    by_speaker = {}
    for fact in [*facts, *people_facts]:
        speaker = fact.sole_speaker
        # A person's own statement is not a claim about their taking part.
        if speaker is None or not fact.stated or fact.person == speaker:
            continue
        label = f"{fact.person.name} ({fact.label.lower()})" if fact.person else fact.label.lower()
        by_speaker.setdefault(speaker, []).append(label)
    for speaker, labels in by_speaker.items():
        caveats.append(
            {"kind": "attributed", "speaker": speaker, "facts": _sentence_list(labels), "single": len(labels) == 1}
        )
    return caveats


def _sentence_list(items):
    """Labels joined as in a sentence: "a", "a and b", "a, b and c"."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# --- The case page -----------------------------------------------------------


def _case_queryset():
    return Case.objects.select_related("place", "detention", "protest", "detention__arose_from__case")


def case_detail(request, ref):
    outcome = _resolve(request, ref, "", _case_queryset())
    if isinstance(outcome, HttpResponse):
        return outcome
    case = outcome
    details = case.details

    quote_rows = Quote.objects.select_related("speaker")
    case_citations = list(
        Citation.objects.filter(case=case).select_related("quote__speaker").order_by("quote__start", "quote_id")
    )
    involvements = list(
        case.involvements.select_related("person").prefetch_related(
            Prefetch("quotes", queryset=quote_rows.order_by("start"))
        )
    )
    quotes = [c.quote for c in case_citations] + [q for i in involvements for q in i.quotes.all()]
    sources = _load_sources(quotes)
    evidence_by_quote = {}

    def evidence_for(quote):
        if quote.pk not in evidence_by_quote:
            evidence_by_quote[quote.pk] = _evidence(quote, sources)
        return evidence_by_quote[quote.pk]

    by_field = {}
    for citation in case_citations:
        by_field.setdefault(citation.field, []).append(evidence_for(citation.quote))

    def cited(name):
        return by_field.get(name, [])

    places = _place_chain(case.place)
    facts = [
        Fact("date", "Date", case.date_display, cited("date"), note="as the source gives it"),
        Fact("place", "Place", _links(places), cited("place")),
    ]
    if case.kind == Case.Kind.DETENTION:
        facts += _detention_facts(details, cited)
        arose_from = details.arose_from.case if details.arose_from else None
        if arose_from is not None:
            link = format_html('the protest <a href="{}">{}</a>', arose_from.get_absolute_url(), arose_from.title)
            facts.append(Fact("arose_from", "Arose from", link, cited("arose_from")))
        arising = []
    else:
        facts += _protest_facts(details, cited)
        arose_from = None
        arising = [d.case for d in Detention.objects.filter(arose_from_id=case.pk).select_related("case")]

    people_facts = []
    for involvement in involvements:
        fact = Fact(
            f"person-{involvement.pk}",
            involvement.get_role_display().capitalize(),
            format_html('<a href="{}">{}</a>', involvement.person.get_absolute_url(), involvement.person.name),
            [evidence_for(q) for q in involvement.quotes.all()],
            person=involvement.person,
        )
        people_facts.append(fact)

    related, related_more = _related_cases(case, involvements)
    former_refs = list(RetiredRef.objects.filter(replaced_by=case).order_by("ref"))

    case_sources = sorted(sources.values(), key=lambda s: (s.published_earliest, s.title))
    reference = _reference(request, case)
    context = {
        "case": case,
        "details": details,
        "summary_evidence": cited("case"),
        "facts": facts,
        "people_facts": people_facts,
        "arose_from": arose_from,
        "arising": arising,
        "related": related,
        "related_more": related_more,
        "former_refs": former_refs,
        "sources": case_sources,
        "caveats": _caveats(facts, people_facts, case_sources),
        "permalink": reference.url,
        "citation_styles": citations.styles(reference),
        "apa_in_text": citations.apa_in_text(reference),
        "cite_files": [
            {"format": "bib", "label": "biblatex (.bib)"},
            {"format": "ris", "label": "RIS (.ris)"},
            {"format": "csl.json", "label": "CSL-JSON (.csl.json)"},
        ],
        "meta": _case_meta(request, case, places, involvements, case_sources, reference),
    }
    return render(request, "cases/detail.html", context)


def _related_cases(case, involvements):
    """The newest other cases of the case's people, at most RELATED_SHOWN; and, when there are more,
    a link to the list of each person's cases with their number.

    One query finds the newest through the involvement and date indexes, so a
    person with thousands of cases costs no more than one with two; one more
    counts each person's cases.
    """
    people = {i.person_id: i.person for i in involvements}
    if not people:
        return [], []
    newest = list(
        Case.objects.filter(pk__in=Involvement.objects.filter(person__in=people).values("case_id"))
        .exclude(pk=case.pk)
        .select_related("place")
        .only("ref", "kind", "title", "date_display", "place__full_name")
        .newest_first()[: RELATED_SHOWN + 1]
    )
    related = newest[:RELATED_SHOWN]
    # Counted whether or not they are shown, so the page's queries do not depend on the data.
    counts = (
        Involvement.objects.filter(person__in=people)
        .values_list("person")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    )
    more = [
        {"person": people[pk], "count": n, "query": urlencode({"person": people[pk].slug})}
        for pk, n in sorted(counts, key=lambda row: people[row[0]].name)
        if n > 1
    ]
    return related, (more if len(newest) > RELATED_SHOWN else [])


def _iso_date_for_event(case):
    """schema.org dates: the EDTF itself when it is plain ISO 8601 (2018, 2020-08), else the span."""
    if not any(ch in case.date_edtf for ch in "/~?%"):
        return {"startDate": case.date_edtf}
    return {"startDate": case.date_earliest.isoformat(), "endDate": case.date_latest.isoformat()}


def _json_ld(value):
    """JSON for a <script type="application/ld+json"> block: nothing in it can close the element."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # made inert above: no "<" is left in it


def _case_meta(request, case, places, involvements, sources, reference):
    """Metadata for reference managers and crawlers: Highwire, Dublin Core, Open Graph and JSON-LD."""
    place = places[0]
    location = {"@type": "Place", "name": place.name, "address": ", ".join(p.name for p in places)}
    if place.latitude is not None and place.longitude is not None:
        location["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(place.latitude),
            "longitude": float(place.longitude),
        }
    people = {i.person_id: i.person for i in involvements}
    json_ld = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "@id": reference.url,
        "url": reference.url,
        "name": case.title,
        "description": case.summary,
        "identifier": case.ref,
        "inLanguage": "en",
        "dateCreated": case.created.isoformat(),
        "dateModified": case.modified.isoformat(),
        "license": settings.ARCHIVE_DATA_LICENCE_URL,
        "isPartOf": {
            "@type": "Dataset",
            "name": settings.ARCHIVE_NAME,
            "url": absolute_url(request, reverse("home")),
            "license": settings.ARCHIVE_DATA_LICENCE_URL,
        },
        "mainEntity": {
            "@type": "Event",
            "name": case.title,
            "description": case.summary,
            "additionalType": case.get_kind_display(),
            **_iso_date_for_event(case),
            "location": location,
        },
        "mentions": [
            {
                "@type": "Organization" if p.kind == Person.Kind.ORGANISATION else "Person",
                "name": p.name,
                "url": absolute_url(request, p.get_absolute_url()),
            }
            for p in people.values()
        ],
        "citation": [
            {
                "@type": "CreativeWork",
                "name": s.title,
                "publisher": {"@type": "Organization", "name": s.publisher},
                "inLanguage": s.language,
                **({"url": s.url} if s.url else {}),
            }
            for s in sources
        ],
    }
    return {
        "description": case.summary,
        "date_slashed": case.modified.strftime("%Y/%m/%d"),
        "date_iso": case.modified.isoformat(),
        "created_iso": case.created.isoformat(),
        "json_ld": _json_ld(json_ld),
    }


# --- Pagination shared by the record lists -------------------------------------


def _page(request, items, per_page=PER_PAGE, count=None):
    """One page of ``items``; a page that is not a number is a bad request, one past the end is not found.

    ``count``, when the caller knows it, spares the count query.
    """
    paginator = Paginator(items, per_page) if count is None else CountedPaginator(items, per_page, count)
    number = request.GET.get("page", "1")
    try:
        return paginator.page(number)
    except PageNotAnInteger:
        raise BadRequest(f"page={number!r} is not a page number") from None
    except EmptyPage:
        raise Http404("There is no such page.") from None


# --- People ------------------------------------------------------------------


def person_list(request):
    people = Person.objects.annotate(case_count=Count("involvements__case", distinct=True)).order_by("name", "slug")
    page = _page(request, people)
    return render(request, "people/list.html", {"page": page, "people": page.object_list})


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
    """Quotes grouped under their source, in order: [{"source": ..., "quotes": [...]}, ...]."""
    groups = {}
    for quote in quotes:
        groups.setdefault(quote.source_id, {"source": quote.source, "quotes": []})["quotes"].append(quote)
    return list(groups.values())


def person_detail(request, slug):
    person = get_object_or_404(Person, slug=slug)
    names = list(
        person.names.select_related("quote__source")
        .defer("quote__source__text")
        .order_by("kind", "name", "quote__start")
    )
    # "Brother of Baibolat Kunbolat" on the brother's page; on the other's,
    # "Baimurat Nauryzbek is the brother of Baibolat Kunbolat".
    both_ways = list(
        PersonRelation.objects.filter(Q(person=person) | Q(relative=person))
        .select_related("person", "relative", "quote__source")
        .defer("quote__source__text")
        .order_by("person", "relation", "pk")
    )
    relations = [
        {"before": f"{r.get_relation_display().capitalize()} of", "other": r.relative, "after": "", "quote": r.quote}
        for r in both_ways
        if r.person_id == person.pk
    ]
    relations += [
        {
            "before": "",
            "other": r.person,
            "after": f"is the {r.get_relation_display()} of {person.name}",
            "quote": r.quote,
        }
        for r in both_ways
        if r.relative_id == person.pk and r.person_id != person.pk
    ]
    # A page of the person's cases, newest first: their ids from the involvement and date
    # indexes, then those cases with the person's roles in them.
    page = _page(
        request,
        Case.objects.filter(pk__in=Involvement.objects.filter(person=person).values("case_id"))
        .newest_first()
        .values_list("pk", flat=True),
    )
    ids = list(page.object_list)
    cases = dict.fromkeys(ids)
    for involvement in (
        Involvement.objects.filter(person=person, case_id__in=ids).select_related("case__place").order_by("pk")
    ):
        if cases[involvement.case_id] is None:
            cases[involvement.case_id] = {"case": involvement.case, "roles": []}
        cases[involvement.case_id]["roles"].append(involvement.get_role_display())
    statements = list(
        Quote.objects.filter(speaker=person).select_related("source").defer("source__text").order_by("source", "start")
    )
    context = {
        "person": person,
        "permalink": absolute_url(request, person.get_absolute_url()),
        "canonical": next((n for n in names if n.kind == PersonName.Kind.CANONICAL), None),
        "spellings": _spellings(names),
        "relations": relations,
        "cases": list(cases.values()),
        "page": page,
        "case_total": page.paginator.count,
        "statements": statements,
    }
    return render(request, "people/detail.html", context)


# --- Places ------------------------------------------------------------------


def _tree(places, counts):
    """Nested nodes {place, children, cases} from places ordered by path; ``cases`` counts the subtree."""
    nodes = {p.pk: {"place": p, "children": [], "cases": counts.get(p.pk, 0)} for p in places}
    roots = []
    for place in places:
        node = nodes[place.pk]
        parent = nodes.get(place.parent_id)
        (parent["children"] if parent else roots).append(node)
    # Children were added after their parents (path order): total bottom-up.
    for place in sorted(places, key=lambda p: -p.depth):
        parent = nodes.get(place.parent_id)
        if parent:
            parent["cases"] += nodes[place.pk]["cases"]
    for node in nodes.values():
        node["children"].sort(key=lambda n: n["place"].name)
    roots.sort(key=lambda n: n["place"].name)
    return roots


def _direct_case_counts(places=None):
    rows = Case.objects.values("place").annotate(n=Count("pk"))
    if places is not None:
        rows = rows.filter(place__in=places)
    return {row["place"]: row["n"] for row in rows}


def place_list(request):
    places = list(Place.objects.order_by("path"))
    return render(request, "places/list.html", {"tree": _tree(places, _direct_case_counts())})


def place_detail(request, slug):
    place = get_object_or_404(Place, slug=slug)
    above = [p for p in _place_chain(place) if p.pk != place.pk]
    subtree = list(Place.objects.filter(path__startswith=place.path).order_by("path"))
    counts = _direct_case_counts(subtree)
    node = _tree(subtree, counts)[0]
    cases = Case.objects.within_place(place).for_list().newest_first()
    page = _page(request, cases, per_page=CASE_ROWS_PER_PAGE, count=node["cases"])
    context = {
        "place": place,
        "permalink": absolute_url(request, place.get_absolute_url()),
        "above": above,
        "inside": node["children"],
        "case_total": node["cases"],
        "page": page,
        "cases": page.object_list,
    }
    return render(request, "places/detail.html", context)


# --- Sources -----------------------------------------------------------------


def source_list(request):
    sources = (
        Source.objects.defer("text")
        .annotate(
            quote_count=Count("quotes", distinct=True),
            case_count=Count("quotes__citations__case", distinct=True),
        )
        .order_by("-published_earliest", "title")
    )
    page = _page(request, sources)
    return render(request, "sources/list.html", {"page": page, "sources": page.object_list})


def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    quotes = list(source.quotes.select_related("speaker").order_by("start", "number"))
    uses = {q.pk: {"cases": {}, "names": [], "relations": []} for q in quotes}

    def case_entry(quote_id, case):
        return uses[quote_id]["cases"].setdefault(case.pk, {"case": case, "facts": []})

    field_order = {value: i for i, value in enumerate(Citation.Field.values)}
    cited = Citation.objects.filter(quote__source=source).select_related("case").defer("case__summary")
    for citation in sorted(cited, key=lambda c: (c.case.ref, field_order[c.field])):
        case_entry(citation.quote_id, citation.case)["facts"].append(citation.get_field_display())
    through = Involvement.quotes.through
    for row in through.objects.filter(quote__source=source).select_related("involvement__case", "involvement__person"):
        involvement = row.involvement
        case_entry(row.quote_id, involvement.case)["facts"].append(
            f"{involvement.person.name} ({involvement.get_role_display()})"
        )
    for name in PersonName.objects.filter(quote__source=source).select_related("person"):
        uses[name.quote_id]["names"].append(name)
    for relation in PersonRelation.objects.filter(quote__source=source).select_related("person", "relative"):
        uses[relation.quote_id]["relations"].append(relation)

    passages = [
        {
            "quote": q,
            "cases": sorted(uses[q.pk]["cases"].values(), key=lambda e: e["case"].ref),
            "names": uses[q.pk]["names"],
            "relations": uses[q.pk]["relations"],
            "original_url": quote_url(source.url, _with_source(q, source)) if source.url else "",
            "archived_url": quote_url(source.archived_url, _with_source(q, source)) if source.archived_url else "",
        }
        for q in quotes
    ]
    spans = [sourcetext.Span(q.start, q.end, q.number) for q in quotes]
    context = {
        "source": source,
        "permalink": absolute_url(request, source.get_absolute_url()),
        "paragraphs": sourcetext.render(source.text, spans),
        "passages": passages,
        "copyright_note": COPYRIGHT_NOTE,
    }
    return render(request, "sources/detail.html", context)


def _with_source(quote, source):
    quote.source = source
    return quote
