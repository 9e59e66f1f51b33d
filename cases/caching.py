"""Conditional requests and a page cache, both keyed by the version of what a page shows.

The public site only reads, and its data changes only when curators load a
fixture (one DataLoad row per load). So a page's content is fixed by three
things: the code that renders it, its data's version, and its full address.
A record's own pages (a case's page, JSON and citation files; a person's,
place's or source's page) are named by the load that last changed anything
they show (``LoadedRecord.changed_in``, set by ``cases.sync``), so a load
that edits one case leaves every other record's pages, cached copies and
validators as they were. Every other page (lists, the home page, exports,
the sitemap) is named by the latest load. ``PageCacheMiddleware`` turns that
into:

- validators: an ``ETag`` hashed from (code, load, address) and a
  ``Last-Modified`` of the load's time, on every GET/HEAD 200 of a page or an
  export; a matching ``If-None-Match``/``If-Modified-Since`` is answered 304
  from the stored page without running the view, and otherwise once the
  view has answered 200, never for an address that answers anything else;
- ``Cache-Control`` that lets a shared cache in front serve them (see
  CACHE_CONTROL for the values and why);
- a server-side copy of each rendered page in Django's cache under the same
  key, so a repeated request costs the one query that reads the version. A
  new load changes the version, so nothing has to be invalidated by hand.

A page depends on nothing in the request but its address, host and scheme
included (no sessions, cookies or content negotiation), so the key is the
absolute address and no Vary is sent: a Vary on Cookie or Accept-Encoding
would only split a shared cache's copies of identical pages. Error
responses, redirects, streamed exports' bodies, and responses that set their
own caching rules, cookies or Vary are never stored.
"""

import functools
import hashlib
from pathlib import Path

import django
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from .models import Case, DataLoad, Person, Place, Source
from .permalinks import absolute_url

# Browsers keep a page 5 minutes, then revalidate (a 304 costs one query).
# Shared caches keep it 10 minutes and may serve it 5 more while they
# revalidate. The data changes only by a curated load, so longer would be
# safe for freshness; it is kept short because a load may withdraw a record to
# protect someone, and that must reach readers within minutes, not hours. If
# the site is down, a cache may keep serving what it has for a day.
CACHE_CONTROL = "public, max-age=300, s-maxage=600, stale-while-revalidate=300, stale-if-error=86400"

# Keyed by version, so an entry is never stale; the timeout and the cache's
# MAX_ENTRIES only bound memory. Pages bigger than this are not kept.
PAGE_CACHE_TIMEOUT = 60 * 60 * 24
PAGE_CACHE_MAX_BYTES = 1024 * 1024

SAFE_METHODS = ("GET", "HEAD")
# Set afresh on every answer, so not kept with a stored page.
UNSTORED_HEADERS = {"etag", "last-modified", "cache-control", "content-length", "date"}
_CODE_DIRS = ("archive", "cases", "templates", "static")


@functools.cache
def code_version():
    """(digest, newest mtime) of the code, templates and static files a page is rendered with.

    Part of every ETag and the floor of every Last-Modified, so a deploy that
    changes a template is not answered with 304 for pages rendered before it.
    Computed once per process.
    """
    digest = hashlib.sha256(django.get_version().encode())
    newest = 0.0
    for folder in _CODE_DIRS:
        for path in sorted(Path(settings.BASE_DIR, folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
                newest = max(newest, path.stat().st_mtime)
    return digest.hexdigest(), newest


def data_version(request=None):
    """The latest DataLoad as (pk, fixture_sha256, loaded_at), or None before any load.

    One query, remembered on the request so the middleware and a view share it.
    """
    if request is not None and hasattr(request, "archive_data_version"):
        return request.archive_data_version
    version = DataLoad.objects.order_by("-loaded_at", "-pk").values_list("pk", "fixture_sha256", "loaded_at").first()
    if request is not None:
        request.archive_data_version = version
    return version


# The pages that belong to one record, by URL name: the record's model and the URL's keyword for its key.
RECORD_PAGES = {
    "case-detail": (Case, "ref"),
    "case-json": (Case, "ref"),
    "case-cite": (Case, "ref"),
    "person-detail": (Person, "slug"),
    "place-detail": (Place, "slug"),
    "source-detail": (Source, "slug"),
    "source-text": (Source, "slug"),
}


def page_version(request):
    """The version this request's page is named by: its record's for a record page, else the latest load's.

    As (pk, fixture_sha256, loaded_at) of a DataLoad, or None before any load; one query.
    """
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and match.url_name in RECORD_PAGES:
        model, key = RECORD_PAGES[match.url_name]
        # By the key's unique index alone: a condition on changed_in could lead the planner to its index.
        version = (
            model.objects.filter(**{key: match.kwargs[key]})
            .values_list("changed_in", "changed_in__fixture_sha256", "changed_in__loaded_at")
            .first()
        )
        if version is not None and version[0] is not None:
            return version
    return data_version(request)


def validators(request, version):
    """(cache key, ETag, Last-Modified timestamp) of this request's page under ``version``."""
    pk, sha, loaded_at = version
    address = absolute_url(request, request.get_full_path())
    key = hashlib.sha256(f"{code_version()[0]}|{pk}|{sha}|{loaded_at.isoformat()}|{address}".encode()).hexdigest()
    last_modified = int(max(loaded_at.timestamp(), code_version()[1]))
    return f"page:{key}", f'"{key[:40]}"', last_modified


def _set_validators(response, etag, last_modified):
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(last_modified)
    response.headers["Cache-Control"] = CACHE_CONTROL


def _may_validate(request, response):
    """True for a response whose content is fixed by the code, the data and the address alone."""
    nonce = getattr(request, "_csp_nonce", None)
    return (
        response.status_code == 200
        and "Cache-Control" not in response
        and "Vary" not in response
        and not response.cookies
        # A page that used a CSP nonce differs on every request.
        and not nonce
    )


class PageCacheMiddleware:
    """Validators, 304s, Cache-Control and the server-side page cache. Place it last in MIDDLEWARE.

    Last, so that a page served from the cache still passes out through the
    security, CSP and frame middleware, which add their headers afresh.
    Off when DEBUG is on, so edited templates show at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG or request.method not in SAFE_METHODS:
            return self.get_response(request)
        version = page_version(request)
        if version is None:
            # Nothing loaded yet: there is no version to name the content by.
            return self.get_response(request)
        key, etag, last_modified = validators(request, version)

        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response.headers[name] = value
            _set_validators(response, etag, last_modified)
        else:
            response = self.get_response(request)
            if not _may_validate(request, response):
                return response
            _set_validators(response, etag, last_modified)
            if not response.streaming and len(response.content) <= PAGE_CACHE_MAX_BYTES:
                headers = [(name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS]
                cache.set(key, (response.content, headers), PAGE_CACHE_TIMEOUT)
        # Only a page that answers 200 (stored, or just rendered) is answered
        # 304: "If-None-Match: *" or a date in the future must not turn a 404
        # or a 410 into "your copy is current".
        return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
