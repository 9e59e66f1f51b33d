import re
import urllib.robotparser
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from protego import Protego

from cases.models import Case, Person, Place, Source
from cases.views import data

from .factories import make_case, make_person

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def urlset(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    return {url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS) for url in root}


def test_the_sitemap_lists_every_case_person_place_and_source_with_its_last_change(client, article):
    urls = urlset(client, "/sitemap.xml")
    expected = [
        *(f"/cases/{ref}/" for ref in Case.objects.values_list("ref", flat=True)),
        *(f"/people/{slug}/" for slug in Person.objects.values_list("slug", flat=True)),
        *(f"/places/{slug}/" for slug in Place.objects.values_list("slug", flat=True)),
        *(f"/sources/{slug}/" for slug in Source.objects.values_list("slug", flat=True)),
    ]
    assert len(expected) == 6 + 6 + 6 + 1
    for path in expected:
        assert urls[f"http://testserver{path}"] == "2026-11-27"
    for path in ("/", "/cases/", "/people/", "/sources/", "/data/", "/about/"):
        assert f"http://testserver{path}" in urls
    assert len(urls) == len(expected) + 7


def test_the_sitemap_gives_each_records_own_last_change(client, db):
    import datetime

    case = make_case(created=datetime.date(2025, 3, 1), modified=datetime.date(2025, 4, 2))
    urls = urlset(client, "/sitemap.xml")
    assert urls[f"http://testserver/cases/{case.ref}/"] == "2025-04-02"


def test_the_sitemap_uses_the_public_address_when_one_is_set(client, article, settings):
    settings.ARCHIVE_BASE_URL = "https://archive.example.org"
    urls = urlset(client, "/sitemap.xml")
    assert "https://archive.example.org/cases/a8023r/" in urls
    assert all(url.startswith("https://archive.example.org/") for url in urls)


def test_past_one_files_limit_the_sitemap_becomes_an_index_of_section_files(client, article, monkeypatch):
    monkeypatch.setattr(data, "URLS_PER_SITEMAP", 10)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    files = [entry.findtext("sm:loc", namespaces=NS) for entry in root]
    assert files == [
        f"http://testserver/sitemap-{name}.xml" for name in ("pages", "cases", "people", "places", "sources")
    ]
    assert root[1].findtext("sm:lastmod", namespaces=NS).startswith("2026-11-27")
    everything = {}
    for url in files:
        everything.update(urlset(client, url.removeprefix("http://testserver")))
    assert "http://testserver/cases/a8023r/" in everything
    assert "http://testserver/sources/kazakh-anti-communist-heats-up-again/" in everything
    assert len(everything) == 7 + 6 + 6 + 6 + 1


def test_a_section_too_big_for_one_file_is_split_into_pages(client, db, monkeypatch):
    from cases.sitemaps import CaseSitemap

    monkeypatch.setattr(data, "URLS_PER_SITEMAP", 2)
    monkeypatch.setattr(CaseSitemap, "limit", 2)
    refs = {make_case().ref for _ in range(5)}
    root = ET.fromstring(client.get("/sitemap.xml").content)
    case_files = [
        entry.findtext("sm:loc", namespaces=NS)
        for entry in root
        if "sitemap-cases" in entry.findtext("sm:loc", namespaces=NS)
    ]
    assert case_files == [
        "http://testserver/sitemap-cases.xml",
        "http://testserver/sitemap-cases.xml?p=2",
        "http://testserver/sitemap-cases.xml?p=3",
    ]
    listed = set()
    for url in case_files:
        listed |= {loc.rsplit("/", 2)[-2] for loc in urlset(client, url.removeprefix("http://testserver"))}
    assert listed == refs


def test_an_unknown_section_or_page_answers_404(client, article):
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-cases.xml?p=9").status_code == 404


def test_the_sitemaps_query_count_does_not_grow_with_records(client, db):
    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            client.get("/sitemap.xml")
        return len(captured)

    make_case()
    few = queries()
    for _ in range(10):
        make_case()
    assert queries() == few


def test_robots_txt_points_to_the_sitemap_by_its_absolute_address(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert lines[0] == "User-agent: *"


def robot_parsers(client):
    """robots.txt as read by Python's parser (no wildcards, first match) and by Protego (Google's rules)."""
    text = client.get("/robots.txt").content.decode()
    python = urllib.robotparser.RobotFileParser()
    python.parse(text.splitlines())
    protego = Protego.parse(text)
    return {
        "urllib.robotparser": lambda url: python.can_fetch("AnyBot", url),
        "protego": lambda url: protego.can_fetch(url, "AnyBot"),
    }


def test_robots_txt_allows_every_address_the_sitemap_lists_for_both_kinds_of_parser(client, article):
    sitemap = ET.fromstring(client.get("/sitemap.xml").content)
    urls = [loc.text for loc in sitemap.iterfind(".//sm:loc", NS)]
    assert len(urls) > 20 and any("/cases/" in url for url in urls)
    for name, can_fetch in robot_parsers(client).items():
        assert [url for url in urls if not can_fetch(url)] == [], name


@pytest.mark.parametrize(
    "path",
    [
        "/cases/?place=almaty",
        "/cases/?kind=protest&place=almaty",
        "/cases/?sort=oldest",
        "/cases/?page=2",
        "/cases/?view=table",
        "/cases/?date_from=2018&q=picket",
        "/feed/?place=almaty",
        "/cases.csv",
        "/cases.csv?place=almaty",
        "/cases.json",
    ],
)
def test_robots_txt_keeps_both_kinds_of_parser_out_of_filtered_lists_and_bulk_exports(client, db, path):
    for name, can_fetch in robot_parsers(client).items():
        assert not can_fetch(f"http://testserver{path}"), name
        assert can_fetch("http://testserver/cases/"), name
        assert can_fetch("http://testserver/feed/"), name


def test_robots_txt_uses_the_public_address_when_one_is_set(client, db, settings):
    settings.ARCHIVE_BASE_URL = "https://archive.example.org"
    assert "Sitemap: https://archive.example.org/sitemap.xml" in client.get("/robots.txt").content.decode()


def test_a_full_sitemap_file_fits_the_page_cache_even_with_the_longest_addresses(client, db, settings):
    from cases.caching import PAGE_CACHE_MAX_BYTES
    from cases.sitemaps import URLS_PER_SITEMAP

    settings.ARCHIVE_BASE_URL = "https://archive-of-detentions-and-protests.example.org"
    longest = Person._meta.get_field("slug").max_length
    make_case(people=[(make_person(slug="p" * longest), "detained")])
    content = client.get("/sitemap-people.xml").content
    (entry,) = re.findall(rb"<url>.*?</url>\s*", content, re.DOTALL)
    assert b"p" * longest in entry
    assert URLS_PER_SITEMAP * len(entry) + len(content) <= PAGE_CACHE_MAX_BYTES


def test_a_sitemap_file_is_served_from_the_page_cache(client, article, django_assert_num_queries):
    for url in ("/sitemap.xml", "/sitemap-cases.xml"):
        first = client.get(url)
        with django_assert_num_queries(1):  # the data's version
            again = client.get(url)
        assert again.content == first.content
        assert "public" in again["Cache-Control"]
