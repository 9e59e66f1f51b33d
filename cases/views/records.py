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

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from .. import citations, dates, pages
from ..models import (
    REF_PATTERN,
    Case,
    Involvement,
    Person,
    Place,
    RetiredRef,
    Source,
)
from ..permalinks import absolute_url
from .lists import CountedPaginator

PER_PAGE = 50
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


# --- The case page -----------------------------------------------------------


def _case_queryset():
    return Case.objects.select_related(*pages.CASE_RELATED)


def case_detail(request, ref):
    outcome = _resolve(request, ref, "", _case_queryset())
    if isinstance(outcome, HttpResponse):
        return outcome
    data = pages.case_pages([outcome])[outcome.pk]
    return render(request, "cases/detail.html", _case_context(request, data))


def _case_context(request, data):
    """The template's context from a case page's content: what depends on the request is added here."""
    case = data["case"]
    reference = citations.CaseReference(
        ref=case["ref"],
        title=case["title"],
        summary=case["summary"],
        modified=case["modified"],
        url=absolute_url(request, case["href"]),
        archive=settings.ARCHIVE_NAME,
        accessed=timezone.localdate(),
        note=citations.bases_note((f["label"], f["basis_text"]) for f in data["facts"] if f["value"]),
    )
    return {
        **data,
        "permalink": reference.url,
        "citation_styles": citations.styles(reference),
        "apa_in_text": citations.apa_in_text(reference),
        "cite_files": [
            {"format": "bib", "label": "biblatex (.bib)"},
            {"format": "ris", "label": "RIS (.ris)"},
            {"format": "csl.json", "label": "CSL-JSON (.csl.json)"},
        ],
        "meta": _case_meta(request, data, reference),
    }


def json_ld_script(value):
    """JSON for a <script type="application/ld+json"> block: nothing in it can close the element."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # made inert above: no "<" is left in it


def _case_meta(request, data, reference):
    """Metadata for reference managers and crawlers: Highwire, Dublin Core, Open Graph and JSON-LD."""
    case, place = data["case"], data["place"]
    location = {"@type": "Place", "name": place["name"], "address": place["address"]}
    if place["latitude"] is not None and place["longitude"] is not None:
        location["geo"] = {"@type": "GeoCoordinates", "latitude": place["latitude"], "longitude": place["longitude"]}
    json_ld = {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "@id": reference.url,
        "url": reference.url,
        "name": case["title"],
        "description": case["summary"],
        "identifier": case["ref"],
        "inLanguage": "en",
        "dateCreated": case["created"].isoformat(),
        "dateModified": case["modified"].isoformat(),
        "license": settings.ARCHIVE_DATA_LICENCE_URL,
        "isPartOf": {
            "@type": "Dataset",
            "name": settings.ARCHIVE_NAME,
            "url": absolute_url(request, reverse("home")),
            "license": settings.ARCHIVE_DATA_LICENCE_URL,
        },
        "mainEntity": {
            "@type": "Event",
            "name": case["title"],
            "description": case["summary"],
            "additionalType": case["kind_label"],
            **dates.parse(case["date_edtf"]).schema_org(),
            "location": location,
        },
        "mentions": [
            {
                "@type": "Organization" if p["organisation"] else "Person",
                "name": p["name"],
                "url": absolute_url(request, p["href"]),
            }
            for p in data["mentions"]
        ],
        "citation": [
            {
                "@type": "CreativeWork",
                "name": s["title"],
                "publisher": {"@type": "Organization", "name": s["publisher"]},
                "inLanguage": s["language"],
                **({"url": s["url"]} if s["url"] else {}),
            }
            for s in data["sources"]
        ],
    }
    return {
        "description": case["summary"],
        "date_slashed": case["modified"].strftime("%Y/%m/%d"),
        "date_iso": case["modified"].isoformat(),
        "created_iso": case["created"].isoformat(),
        "citation_author": reference.author_as_family_name,
        "creator": reference.archive,
        "json_url": reverse("case-json", args=[case["ref"]]),
        "json_ld": json_ld_script(json_ld),
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
        raise BadRequest("page is not a page number") from None  # never the value: it reaches the log
    except EmptyPage:
        raise Http404("There is no such page.") from None


# --- People ------------------------------------------------------------------


def person_list(request):
    people = Person.objects.annotate(case_count=Count("involvements__case", distinct=True)).order_by("name", "slug")
    page = _page(request, people)
    return render(request, "people/list.html", {"page": page, "people": page.object_list})


def person_detail(request, slug):
    person = get_object_or_404(Person, slug=slug)
    data = pages.person_pages([person])[person.pk]
    page = _page(request, _person_cases(person), per_page=pages.PERSON_ROWS)
    data["cases"] = _with_roles(person, list(page.object_list))
    data["case_total"] = page.paginator.count
    context = {
        **data,
        "permalink": absolute_url(request, data["person"]["get_absolute_url"]),
        "page": page,
    }
    return render(request, "people/detail.html", context)


def _person_cases(person):
    """The person's case ids, newest first, from the involvement and date indexes."""
    return (
        Case.objects.filter(pk__in=Involvement.objects.filter(person=person).values("case_id"))
        .newest_first()
        .values_list("pk", flat=True)
    )


def _with_roles(person, ids):
    """The cases ``ids`` (in that order) as the person's page lists them, with the person's roles."""
    cases = dict.fromkeys(ids)
    for involvement in (
        Involvement.objects.filter(person=person, case_id__in=ids).select_related("case__place").order_by("pk")
    ):
        if cases[involvement.case_id] is None:
            cases[involvement.case_id] = {"case": pages.row(involvement.case), "roles": []}
        cases[involvement.case_id]["roles"].append(involvement.get_role_display())
    return list(cases.values())


# --- Places ------------------------------------------------------------------


def _direct_case_counts(places=None):
    rows = Case.objects.values("place").annotate(n=Count("pk"))
    if places is not None:
        rows = rows.filter(place__in=places)
    return {row["place"]: row["n"] for row in rows}


def place_list(request):
    places = list(Place.objects.order_by("path"))
    return render(request, "places/list.html", {"tree": pages.place_tree(places, _direct_case_counts())[0]})


def place_detail(request, slug):
    place = get_object_or_404(Place, slug=slug)
    data = pages.place_pages([place])[place.pk]
    refs = Case.objects.within_place(place).newest_first().values_list("ref", flat=True)
    page = _page(request, refs, per_page=pages.PLACE_ROWS, count=data["case_total"])
    cases = pages.list_rows(list(page.object_list))
    context = {
        **data,
        "permalink": absolute_url(request, data["place"]["get_absolute_url"]),
        "page": page,
        "cases": cases,
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
    data = pages.source_pages([source])[source.pk]
    context = {
        **data,
        "permalink": absolute_url(request, data["source"]["get_absolute_url"]),
        "copyright_note": COPYRIGHT_NOTE,
    }
    return render(request, "sources/detail.html", context)
