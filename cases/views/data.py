"""The archive as data: exports of the case list, one case as JSON, the dataset page and crawler files."""

from pathlib import Path

from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sitemaps.views import SitemapIndexItem
from django.db.models import Count, Q
from django.http import (
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.generic import TemplateView

from .. import case_data, dates, exports
from ..caching import data_version
from ..models import REF_PATTERN, Case, RetiredRef, Source
from ..permalinks import absolute_url
from ..sitemaps import SITEMAPS
from .lists import canonical_redirect

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
SCHEMAS = {"case": "case.schema.json", "cases": "cases.schema.json"}
# One sitemap file holds at most this many addresses (sitemaps.org); past it,
# /sitemap.xml becomes an index of one file per section and page.
URLS_PER_SITEMAP = 50_000
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


DATE_EXAMPLES = ("2018", "2020-08", "2021-02-01", "2021-02-01/2021-02-02", "2018~", "2020-08?")


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
        context.update(
            columns=exports.COLUMNS,
            list_separator=exports.LIST_SEPARATOR.strip(),
            path_separator=exports.PATH_SEPARATOR.strip(),
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
        )
        return context


def schema(request, name):
    """The JSON Schemas of the exports, as kept in the repository."""
    if name not in SCHEMAS:
        raise Http404("No such schema.")
    text = (SCHEMA_DIR / SCHEMAS[name]).read_bytes()
    return HttpResponse(text, content_type="application/schema+json")


# For crawlers.


def robots_txt(request):
    lines = [
        "User-agent: *",
        # Filtered lists, exports and filtered feeds are endless combinations of
        # the same records; every record has its own page in the sitemap.
        "Disallow: /cases/?",
        f"Disallow: {reverse('cases-csv')}",
        f"Disallow: {reverse('cases-json')}",
        f"Disallow: {reverse('feed')}?",
        "",
        f"Sitemap: {absolute_url(request, reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def sitemap(request):
    """``/sitemap.xml``: every address in one file while they fit, else an index of the sections' files."""
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


def _download(request, content_type, chunks, filename, disposition):
    # A HEAD request gets the headers only: nothing is read from the database.
    body = iter(()) if request.method == "HEAD" else chunks
    response = StreamingHttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def cases_csv(request):
    """``/cases.csv``: every case the list would show for the same parameters, in its order, streamed."""
    filterset = exports.filter_cases(request)
    if redirect := canonical_redirect(request, filterset):
        return redirect
    if not filterset.is_valid():
        return exports.filter_error_response(filterset)
    chunks = exports.csv_chunks(exports.rows(filterset.qs, _absolute(request)("")))
    return _download(request, "text/csv; charset=utf-8; header=present", chunks, "cases.csv", "attachment")


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
    chunks = exports.json_chunks(exports.rows(filterset.qs, absolute("")), metadata)
    return _download(request, "application/json", chunks, "cases.json", "inline")
