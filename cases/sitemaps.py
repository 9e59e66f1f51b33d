"""The sitemap: every case, person, place and source, with the day it last changed, and the main pages.

The sections share one base that writes locations with ARCHIVE_BASE_URL when
it is set, as permalinks are, and finds a section's newest change with one
query instead of walking every item.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Case, DataLoad, Person, Place, Source

# Addresses in one sitemap file. sitemaps.org allows 50,000, but a file that
# large (several megabytes) would be too big for the page cache and be built
# again on every request. At this many addresses, every file fits under the
# cache's limit (cases/caching.py; tests/test_sitemap.py checks it with the
# longest slugs), so a crawler's request costs one query. Past it,
# /sitemap.xml is an index of the sections' files.
URLS_PER_SITEMAP = 4_000


class ArchiveSitemap(Sitemap):
    model = None
    order_by = ()
    limit = URLS_PER_SITEMAP

    def get_protocol(self, protocol=None):
        if settings.ARCHIVE_BASE_URL:
            return urlsplit(settings.ARCHIVE_BASE_URL).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site=None):
        if settings.ARCHIVE_BASE_URL:
            parts = urlsplit(settings.ARCHIVE_BASE_URL)
            return parts.netloc + parts.path
        return super().get_domain(site)

    def items(self):
        return self.model.objects.order_by(*self.order_by).only(*self.order_by, "modified")

    def lastmod(self, item):
        return item.modified

    def get_latest_lastmod(self):
        return self.model.objects.aggregate(latest=Max("modified"))["latest"]


class CaseSitemap(ArchiveSitemap):
    model = Case
    order_by = ("ref",)


class PersonSitemap(ArchiveSitemap):
    model = Person
    order_by = ("slug",)


class PlaceSitemap(ArchiveSitemap):
    model = Place
    order_by = ("slug",)


class SourceSitemap(ArchiveSitemap):
    model = Source
    order_by = ("slug",)


class PageSitemap(ArchiveSitemap):
    """The pages that list and explain the records; they change when data is loaded."""

    def items(self):
        return ["home", "case-list", "person-list", "place-list", "source-list", "data", "about"]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        return self.get_latest_lastmod()

    def get_latest_lastmod(self):
        if not hasattr(self, "_latest_load"):
            self._latest_load = DataLoad.objects.aggregate(latest=Max("loaded_at"))["latest"]
        return self._latest_load


SITEMAPS = {
    "pages": PageSitemap,
    "cases": CaseSitemap,
    "people": PersonSitemap,
    "places": PlaceSitemap,
    "sources": SourceSitemap,
}
