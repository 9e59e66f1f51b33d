"""What every request passes through before a view: headers, the read-only rule, sane input."""

from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponseNotAllowed, HttpResponsePermanentRedirect
from django.template import loader
from django.urls import Resolver404, resolve, reverse
from django.utils.encoding import escape_uri_path

from .characters import has_control_character
from .filters import CaseFilter

SAFE_METHODS = ("GET", "HEAD")

# The longest address (path and query string, percent-encoded as sent) the site
# answers. The longest real one, a list with every filter and a 200-character
# search in a non-Latin script, is under 2,500. gunicorn's request-line limit
# (8190 bytes, archive/gunicorn.conf.py) is above it, so Django's 400 page is
# what an overlong address gets.
MAX_URL_LENGTH = 4096


class SecurityHeadersMiddleware:
    """Sends the headers Django does not set by itself, on every answer.

    Permissions-Policy denies the browser features no page uses;
    Cross-Origin-Resource-Policy stops other sites from embedding the archive's
    pages, data and files in theirs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class ReadOnlyMiddleware:
    """Answers every method but GET and HEAD with 405, before any view runs.

    The public site changes nothing, so no URL, existing or not, accepts a
    write. A HEAD is answered with GET's headers and no body: WSGI servers
    are not required to drop it, and gunicorn warns when it has to.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            body = loader.render_to_string("405.html", {"method": request.method}, request)
            return HttpResponseNotAllowed(SAFE_METHODS, body)
        response = self.get_response(request)
        if request.method == "HEAD":
            if response.streaming:
                response.streaming_content = []
            else:
                response.content = b""
        return response


class RequestSanityMiddleware:
    """Answers 400 to a request no page could mean, before any view or query runs.

    A Host header that is malformed or not ours, an address longer than
    MAX_URL_LENGTH, a control character (NUL included) or a character XML
    forbids (U+FFFE, U+FFFF; cases/characters.py) in the path or in a query
    parameter's name or value, or a query string that is not UTF-8 is
    refused here. Views and forms then only ever see printable text, which
    every database can store and compare: PostgreSQL, for one, refuses NUL in
    text with an error that would otherwise become a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Raises DisallowedHost (a 400) for a malformed or unknown Host, here
        # rather than later, so static files are not served to it either.
        request.get_host()
        problem = url_problem(request)
        if problem:
            raise BadRequest(problem)
        return self.get_response(request)


def url_problem(request):
    """Why the request's address cannot be answered, or None when it can."""
    if len(request.get_full_path()) > MAX_URL_LENGTH:
        return "Address too long"
    if has_control_character(request.path_info):
        return "Control character in the path"
    # QUERY_STRING holds the bytes as sent, decoded as Latin-1 (PEP 3333).
    raw = request.META.get("QUERY_STRING", "").encode("latin-1", "replace")
    try:
        pairs = parse_qsl(
            raw,
            keep_blank_values=True,
            max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        )
    except ValueError:
        return "Too many query parameters"
    for name, value in pairs:
        try:
            text = name.decode("utf-8") + value.decode("utf-8")
        except UnicodeDecodeError:
            return "Query string is not UTF-8"
        if has_control_character(text) and not validates_own_query(request):
            return "Control character in the query string"
    return None


def validates_own_query(request):
    """True for the case list, whose form refuses control characters itself.

    There the reader sees the error beside the field it came from, as for any
    other invalid filter; unknown parameters are ignored and never reach the
    database. Everywhere else this middleware answers the 400.
    """
    return request.path_info == reverse("case-list")


# The query parameters each page reads. Any other parameter, or one given
# twice, is dropped by CleanAddressMiddleware's redirect.
CASE_FILTERS = tuple(CaseFilter.base_filters)
QUERY_PARAMETERS = {
    "case-list": (*CASE_FILTERS, "page", "view"),
    "cases-csv": CASE_FILTERS,
    "cases-json": CASE_FILTERS,
    "feed": CASE_FILTERS,
    "person-list": ("page",),
    "person-detail": ("page",),
    "place-detail": ("page",),
    "source-list": ("page",),
    "sitemap-section": ("p",),
}


class CleanAddressMiddleware:
    """Redirects (301) an address that is not written the one way the site writes it.

    A page has one address, so that every worker, every cache and every
    reader's link agree on it: ``//``, ``/./`` and ``/../`` in the path are
    resolved (``/x/../cases/abc/`` is ``/cases/abc/``), and on a page of the
    site a query parameter the page does not read (``?cb=…``), or one given
    twice (the last counts, as Django reads it), is dropped. Without this, an
    address with dot segments was answered 404 by the router but found in the
    page cache under the address it resolves to, and any made-up parameter
    skipped the cache and stored one more copy of the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        clean = clean_address(request)
        if clean is not None:
            return HttpResponsePermanentRedirect(clean)
        return self.get_response(request)


def clean_address(request):
    """The request's address written the site's one way, or None when it already is."""
    path = normalized_path(request.path_info)
    try:
        allowed = QUERY_PARAMETERS.get(resolve(path).url_name, ())
    except Resolver404:
        allowed = None  # not a page: the query does not matter, the 404 is the same
    names = list(request.GET)
    repeated = any(len(request.GET.getlist(name)) > 1 for name in names)
    if allowed is not None and (repeated or any(name not in allowed for name in names)):
        query = urlencode([(name, request.GET[name]) for name in names if name in allowed])
    elif path != request.path_info:
        query = request.GET.urlencode()
    else:
        return None
    return escape_uri_path(path) + (f"?{query}" if query else "")


def normalized_path(path):
    """``path`` without empty, ``.`` and ``..`` segments: "//a/./b/../c/" is "/a/c/"."""
    segments = []
    parts = path.split("/")
    for segment in parts:
        if segment == "..":
            if segments:
                segments.pop()
        elif segment not in ("", "."):
            segments.append(segment)
    trailing = parts[-1] in ("", ".", "..") and segments
    return "/" + "/".join(segments) + ("/" if trailing else "")
