"""The case list as data through the site: /cases.csv and /cases.json follow the list's filters and order."""

import csv
import io
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import DataLoad

from .test_exports import validate


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


# Through the site: /cases.csv and /cases.json.


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8"), response


def test_the_csv_download_is_a_streamed_attachment(client, article):
    text, response = download(client, "/cases.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"] == 'attachment; filename="cases.csv"'
    assert text.startswith("\ufeffref,permalink,")
    assert len(list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))) == 6


def test_the_json_download_validates_and_says_what_it_was_asked(client, article):
    text, response = download(client, "/cases.json?place=almaty&kind=protest")
    assert response["Content-Type"] == "application/json"
    document = json.loads(text)
    validate(document)
    assert document["query"] == {"place": "almaty", "kind": "protest"}
    assert document["documentation"] == "http://testserver/data/"
    assert document["version"]["fixture_sha256"] == DataLoad.objects.get().fixture_sha256
    assert {case["kind"] for case in document["cases"]} == {"protest"}
    assert all("Almaty" in case["place_path"] for case in document["cases"])


def list_page_refs(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return re.findall(r'<span class="ref"[^>]*>([0-9a-z]{6})</span>', response.content.decode())


@pytest.mark.parametrize(
    "query",
    [
        "",
        "place=almaty",
        "place=xinjiang",
        "kind=detention",
        "person=baibolat-kunbolat",
        "date_from=2020&date_to=2021-02-01",
        "date_from=2018-06&date_to=2018-12&date_match=within",
        "q=Kunbolat",
        "q=Кунболатулы",
        "sort=ref",
        "sort=oldest",
        "kind=protest&place=kazakhstan&sort=ref",
    ],
)
def test_the_csv_read_back_is_the_filtered_list_in_its_order(client, article, query):
    text, _ = download(client, f"/cases.csv?{query}")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert [row["ref"] for row in rows] == list_page_refs(client, f"/cases/?{query}")
    document = json.loads(download(client, f"/cases.json?{query}")[0])
    assert [case["ref"] for case in document["cases"]] == [row["ref"] for row in rows]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2021-13-40", "date_from"),
        ("date_to=yesterday", "date_to"),
        ("place=nowhere", "place"),
        ("person=nobody", "person"),
        ("kind=riot", "kind"),
        ("date_match=sometimes", "date_match"),
        ("sort=colour", "sort"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_an_invalid_filter_answers_400_naming_the_field(client, article, query, field):
    response = client.get(f"/cases.csv?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert field in response.content.decode()
    response = client.get(f"/cases.json?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert "public" not in response.get("Cache-Control", "")


def test_a_bad_request_is_never_served_from_the_cache(client, article):
    first = client.get("/cases.csv?date_from=2021-13-40")
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/cases.csv?date_from=2021-13-40")
    assert first.status_code == again.status_code == 400
    assert "ETag" not in again or "public" not in again.get("Cache-Control", "")
    assert len(queries) >= 1


def test_downloads_answer_304_while_the_data_is_unchanged(client, article, django_assert_num_queries):
    _, first = download(client, "/cases.csv?place=almaty")
    assert first["ETag"] and "public" in first["Cache-Control"]
    # The data's version, the filter's place and the count of cases: a 304 only
    # for an address that answers 200.
    with django_assert_num_queries(3):
        again = client.get("/cases.csv?place=almaty", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert client.get("/cases.csv?place=kazakhstan", headers={"If-None-Match": first["ETag"]}).status_code == 200


def test_a_head_request_sends_the_headers_without_reading_the_cases(client, article):
    response = client.head("/cases.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="cases.csv"'
    assert b"".join(response.streaming_content) == b""


def test_the_list_page_links_its_downloads_and_feed_with_its_filters(client, article):
    page = client.get("/cases/?place=almaty&kind=protest&sort=ref").content.decode()
    assert 'href="/cases.csv?kind=protest&amp;place=almaty&amp;sort=ref"' in page
    assert 'href="/cases.json?kind=protest&amp;place=almaty&amp;sort=ref"' in page
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/feed/?kind=protest&amp;place=almaty' in page
