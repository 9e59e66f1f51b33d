"""The archive as data: exports of the case list, one case as JSON, the dataset page and crawler files."""

from pathlib import Path

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sitemaps.views import SitemapIndexItem
from django.db.models import Count, Q
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.generic import TemplateView

from .. import case_data, dates, downloads, exports, release
from ..caching import data_version
from ..filters import CaseFilter
from ..models import REF_PATTERN, Case, RetiredRef, Source
from ..permalinks import absolute_url
from ..sitemaps import SITEMAPS, URLS_PER_SITEMAP
from .lists import canonical_redirect
from .records import json_ld_script

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
SCHEMAS = {"case": "case.schema.json", "cases": "cases.schema.json", "fixture": "fixture.schema.json"}
JSON_DUMPS = {"ensure_ascii": False, "indent": 1}


def _absolute(request):
    base = absolute_url(request, "/").removesuffix("/")
    return lambda path: f"{base}{path}"


# One case as data.


def case_json(request, ref):
    """``/cases/<ref>.json``: the whole record; a retired ref answers as its page does (301 or 410)."""
    case = case_data.case_for_data(ref) if REF_PATTERN.fullmatch(ref) else None
    if case is None:
        retired = case_data.retired(ref) if REF_PATTERN.fullmatch(ref) else None
        if retired is None:
            return JsonResponse({"error": f"No case has the ref {ref!r}."}, status=404, json_dumps_params=JSON_DUMPS)
        if retired.status == RetiredRef.Status.REPLACED:
            return HttpResponsePermanentRedirect(reverse("case-json", args=[retired.replaced_by.ref]))
        return JsonResponse(case_data.withdrawn_record(retired), status=410, json_dumps_params=JSON_DUMPS)
    return JsonResponse(case_data.case_record(case, _absolute(request)), json_dumps_params=JSON_DUMPS)


def source_text(request, slug):
    """``/sources/<slug>.txt``: the archived text byte for byte, the resource quote offsets and SHA-256 refer to."""
    source = get_object_or_404(Source.objects.only("text"), slug=slug)
    response = HttpResponse(source.text.encode(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{slug}.txt"'
    return response


# The dataset page and its schemas.


DATE_EXAMPLES = (
    "2018",
    "2020-08",
    "2021-02-01",
    "[2021-02-01,2021-02-02]",
    "[2021-02-01..2021-02-05]",
    "2021-02-01/2021-02-05",
    "2018~",
    "2020-08?",
)


class DataView(TemplateView):
    template_name = "data/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = data_version(self.request)
        absolute = _absolute(self.request)
        counts = Case.objects.aggregate(
            cases=Count("pk"),
            detentions=Count("pk", filter=Q(kind=Case.Kind.DETENTION)),
            protests=Count("pk", filter=Q(kind=Case.Kind.PROTEST)),
        )
        release_files = None
        if version is not None:
            kept = release.Release.of(version[1])
            release_files = {
                suffix: reverse("release-file", args=[kept.version, suffix]) for suffix in release.SUFFIXES
            }
        context.update(
            columns=exports.COLUMNS,
            list_separator=exports.LIST_SEPARATOR,
            list_separator_words=exports.describe_separator(exports.LIST_SEPARATOR),
            path_separator=exports.PATH_SEPARATOR,
            path_separator_words=exports.describe_separator(exports.PATH_SEPARATOR),
            formula_starts=" ".join(start for start in exports.FORMULA_STARTS if start.isprintable()),
            date_examples=[dates.parse(value) for value in DATE_EXAMPLES],
            version=None
            if version is None
            else {"sha256": version[1], "short": version[1][:12], "loaded_at": version[2]},
            counts=counts,
            data_url=absolute(reverse("data")),
            csv_url=reverse("cases-csv"),
            json_url=reverse("cases-json"),
            feed_url=reverse("feed"),
            schema_urls={name: reverse("data-schema", args=[name]) for name in SCHEMAS},
            release_files=release_files,
            datapackage_url=reverse("datapackage"),
        )
        context["dataset_json_ld"] = json_ld_script(_dataset(context, absolute))
        return context


def _dataset(context, absolute):
    """The dataset as schema.org describes one, for search engines and JSON-LD processors.

    The context is the schema.org vocabulary itself, written in: a processor
    expands the description without fetching anything from another host.
    """
    version = context["version"]
    archive = {"@type": "Organization", "name": settings.ARCHIVE_NAME, "url": absolute(reverse("home"))}
    dataset = {
        "@context": {"@vocab": "https://schema.org/"},
        "@type": "Dataset",
        "@id": context["data_url"],
        "url": context["data_url"],
        "name": settings.ARCHIVE_NAME,
        "description": (
            "Documented detentions and protests, every fact tied to the exact words of its source: "
            "cases, people, places and sources, as CSV, JSON and one SQLite database."
        ),
        "creator": archive,
        "publisher": archive,
        "license": settings.ARCHIVE_DATA_LICENCE_URL,
        "isAccessibleForFree": True,
        "inLanguage": "en",
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": absolute(context["csv_url"])},
            {
                "@type": "DataDownload",
                "encodingFormat": "application/json",
                "contentUrl": absolute(context["json_url"]),
            },
        ],
    }
    if version is not None:
        dataset["version"] = version["short"]
        dataset["dateModified"] = version["loaded_at"].isoformat()
        dataset["distribution"] += [
            {
                "@type": "DataDownload",
                "encodingFormat": RELEASE_TYPES[suffix].split(";")[0],
                "contentUrl": absolute(url),
            }
            for suffix, url in context["release_files"].items()
            if suffix != "sha256"
        ]
    return dataset


RELEASE_TYPES = {
    "sqlite3": "application/vnd.sqlite3",
    "csv": "text/csv; charset=utf-8; header=present",
    "json": "application/json",
    "sha256": "text/plain; charset=utf-8",
}


def datapackage(request):
    """``/data/datapackage.json``: the Data Package of the current load's full release (written on first request)."""
    current = release.current(_absolute(request)(""))
    if current is None:
        raise Http404("No data has been loaded yet.")
    return FileResponse(open(current.path(release.DATAPACKAGE), "rb"), content_type="application/json")


def release_file(request, version, suffix):
    """``/data/archive-<version>.<suffix>``: a file of a load's full release, served from disk.

    The current load's release is written on the first request for any of its
    files; an earlier load's is served while it is kept.
    """
    kept = release.Release.of(version)
    if not kept.exists:
        current = release.current(_absolute(request)(""))
        if current is None or current.version != version:
            raise Http404("No release of this version is kept.")
    name = kept.name(suffix)
    return FileResponse(
        open(kept.path(name), "rb"), as_attachment=suffix != "sha256", filename=name, content_type=RELEASE_TYPES[suffix]
    )


def schema(request, name):
    """The JSON Schemas of the exports and of the curated fixture, as kept in the repository."""
    if name not in SCHEMAS:
        raise Http404("No such schema.")
    text = (SCHEMA_DIR / SCHEMAS[name]).read_bytes()
    return HttpResponse(text, content_type="application/schema+json")


# For crawlers.


def robots_txt(request):
    """Keep crawlers out of filtered lists and feeds, and out of the bulk exports.

    A query is refused by its first parameter (``Disallow: /cases/?place=``)
    rather than by ``/cases/?`` alone, which Python's robot parser, and crawlers
    built on it, read as ``/cases/``: a prefix of every case's page. Both kinds
    of reader, with wildcards or without, agree on these plain prefixes.
    """
    parameters = [*CaseFilter.base_filters, "page"]
    lines = ["User-agent: *"]
    # Filtered lists, exports and filtered feeds are endless combinations of
    # the same records; every record has its own page in the sitemap.
    # The list alone also takes view= (its table).
    for listing, names in ((reverse("case-list"), [*parameters, "view"]), (reverse("feed"), parameters)):
        lines += [f"Disallow: {listing}?{name}=" for name in names]
    lines += [
        f"Disallow: {reverse('cases-csv')}",
        f"Disallow: {reverse('cases-json')}",
        "",
        f"Sitemap: {absolute_url(request, reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def sitemap(request):
    """``/sitemap.xml``: every address in one file while they fit in one (URLS_PER_SITEMAP), else an
    index of the sections' files, each of at most URLS_PER_SITEMAP addresses."""
    sections = {name: section() for name, section in SITEMAPS.items()}
    if sum(section.paginator.count for section in sections.values()) <= URLS_PER_SITEMAP:
        return sitemap_views.sitemap(request, sections)
    items = []
    for name, section in sections.items():
        location = absolute_url(request, reverse("sitemap-section", args=[name]))
        lastmod = section.get_latest_lastmod()
        items.append(SitemapIndexItem(location, lastmod))
        items.extend(SitemapIndexItem(f"{location}?p={page}", lastmod) for page in section.paginator.page_range[1:])
    response = TemplateResponse(request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml")
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


def sitemap_section(request, section):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


# The case list as data, honouring the list's filters.


def cases_csv(request):
    """``/cases.csv``: every case the list would show for the same parameters, in its order, streamed."""
    filterset = exports.filter_cases(request)
    if redirect := canonical_redirect(request, filterset):
        return redirect
    if not filterset.is_valid():
        return exports.filter_error_response(filterset)
    base_url = _absolute(request)("")
    return downloads.export_response(
        request,
        "cases.csv",
        "text/csv; charset=utf-8; header=present",
        "attachment",
        filterset.qs.count(),
        lambda: exports.csv_chunks(exports.rows(filterset.qs, base_url)),
        base_url,
    )


def cases_json(request):
    """``/cases.json``: the same cases as ``/cases.csv``, as JSON, streamed."""
    filterset = exports.filter_cases(request)
    if redirect := canonical_redirect(request, filterset):
        return redirect
    if not filterset.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
        return JsonResponse({"errors": errors}, status=400, json_dumps_params=JSON_DUMPS)
    absolute = _absolute(request)
    query = {key: values[0] if len(values) == 1 else values for key, values in request.GET.lists()}
    metadata = exports.dataset_metadata(data_version(request), absolute(reverse("data")), query)
    return downloads.export_response(
        request,
        "cases.json",
        "application/json",
        "inline",
        filterset.qs.count(),
        lambda: exports.json_chunks(exports.rows(filterset.qs, absolute("")), metadata),
        absolute(""),
    )
