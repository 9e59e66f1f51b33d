import datetime
import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from cases import caching
from cases.loader import load_fixture
from cases.models import DataLoad

from .factories import make_case


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def load_marker(**fields):
    """A DataLoad row, as a load writes one: the data's new version."""
    return DataLoad.objects.create(loaded_at=fields.pop("loaded_at", timezone.now()), fixture_sha256="f" * 64, **fields)


def test_pages_and_data_send_validators_and_a_shared_cache_policy(client, article):
    load = DataLoad.objects.get()
    for url in ("/data/", "/cases/a8023r.json", "/sitemap.xml", "/robots.txt"):
        response = client.get(url)
        assert response.status_code == 200
        assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
        assert parse_http_date(response["Last-Modified"]) == int(load.loaded_at.timestamp())
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"public", "max-age=300", "s-maxage=600", "stale-while-revalidate=300"} <= directives


def test_a_304_round_trip_with_the_etag(client, article, django_assert_num_queries):
    first = client.get("/cases/a8023r.json")
    with django_assert_num_queries(1):  # the data's version, nothing else
        again = client.get("/cases/a8023r.json", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"]


def test_a_304_round_trip_with_the_last_modified_date(client, article, django_assert_num_queries):
    first = client.get("/data/")
    with django_assert_num_queries(1):
        again = client.get("/data/", headers={"If-Modified-Since": first["Last-Modified"]})
    assert again.status_code == 304
    assert again["Last-Modified"] == first["Last-Modified"]


def test_a_copy_older_than_the_last_load_is_sent_again(client, article):
    load = DataLoad.objects.get()
    before = http_date(load.loaded_at.timestamp() - 3600)
    assert client.get("/data/", headers={"If-Modified-Since": before}).status_code == 200
    assert client.get("/data/", headers={"If-None-Match": '"not-this-one"'}).status_code == 200


@pytest.mark.parametrize("url", ["/cases/a8023r.json", "/cases/"])
def test_the_etag_changes_after_a_load_that_changes_the_page(client, article, fixture_dir, url):
    first = client.get(url)
    data = json.loads((fixture_dir / "archive.json").read_text(encoding="utf-8"))
    next(c for c in data["cases"] if c["ref"] == "a8023r")["title"] += " (edited)"
    (fixture_dir / "archive.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    load_fixture(fixture_dir / "archive.json")
    second = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert parse_http_date(second["Last-Modified"]) >= parse_http_date(first["Last-Modified"])


def test_a_record_page_a_load_does_not_change_keeps_its_etag(client, article):
    first = client.get("/cases/a8023r.json")
    load_fixture(settings.ARCHIVE_FIXTURE, force=True)
    assert client.get("/cases/a8023r.json", headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_each_address_has_its_own_etag(client, article):
    etags = {
        client.get(url)["ETag"] for url in ("/data/", "/people/?page=1", "/cases/a8023r.json", "/cases/ha3c3r.json")
    }
    assert len(etags) == 4


def test_head_gets_the_same_validators_as_get(client, article):
    get = client.get("/data/")
    head = client.head("/data/")
    assert head.status_code == 200
    assert head["ETag"] == get["ETag"]
    assert client.head("/data/", headers={"If-None-Match": get["ETag"]}).status_code == 304


def test_a_repeated_request_is_served_from_the_cache_for_one_query(client, article, django_assert_num_queries):
    fresh = client.get("/cases/2n2181.json")
    with django_assert_num_queries(1):
        cached = client.get("/cases/2n2181.json")
    assert cached.status_code == 200
    assert cached.content == fresh.content
    assert cached["Content-Type"] == fresh["Content-Type"]
    assert cached["ETag"] == fresh["ETag"]
    assert cached["Content-Security-Policy"] == fresh["Content-Security-Policy"]


def test_a_cached_page_equals_a_fresh_rendering(client, article):
    first = client.get("/data/")
    cached = client.get("/data/")
    cache.clear()
    fresh = client.get("/data/")
    assert first.content == cached.content == fresh.content
    assert {k: v for k, v in cached.items() if k != "Date"} == {k: v for k, v in fresh.items() if k != "Date"}


def test_a_new_load_replaces_what_the_cache_serves(client, article):
    assert "6 cases" in client.get("/data/").content.decode()
    make_case()
    # Data changed outside a load is not seen: the page comes from the cache.
    assert "6 cases" in client.get("/data/").content.decode()
    load_marker()
    assert "7 cases" in client.get("/data/").content.decode()


def test_pages_of_a_host_are_not_served_to_another(client, article):
    client.get("/robots.txt")
    other = client.get("/robots.txt", HTTP_HOST="127.0.0.1")
    assert "Sitemap: http://127.0.0.1/sitemap.xml" in other.content.decode()


@pytest.mark.parametrize("url", ["/cases/zzzzzz.json", "/no/such/page/", "/sitemap-cases.xml?p=99"])
def test_errors_are_never_cached_nor_given_validators(client, article, url):
    first = client.get(url)
    assert first.status_code == 404
    assert "public" not in first.get("Cache-Control", "")
    assert "Last-Modified" not in first
    again = client.get(url)
    assert again.status_code == 404


def test_an_error_is_answered_afresh_every_time(client, article):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/cases/zzzzzz.json")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/cases/zzzzzz.json").status_code == 404
    assert len(queries) > 1


def test_a_withdrawn_record_is_not_cached(client, db):
    from cases.models import RetiredRef

    load_marker()
    RetiredRef.objects.create(
        ref="zzzzz3", status="withdrawn", title="Gone", reason="Retracted.", retired=datetime.date(2026, 1, 1)
    )
    response = client.get("/cases/zzzzz3.json")
    assert response.status_code == 410
    assert "public" not in response.get("Cache-Control", "")


def test_before_any_load_nothing_is_cached(client, db):
    first = make_case()
    response = client.get("/sitemap.xml")
    assert "public" not in response.get("Cache-Control", "")
    second = make_case()
    text = client.get("/sitemap.xml").content.decode()
    assert f"/cases/{first.ref}/" in text
    assert f"/cases/{second.ref}/" in text


# The middleware on its own, with views that set their own rules.


def middleware_answer(view_response, path="/somewhere/", **headers):
    request = RequestFactory().get(path, headers=headers)
    return caching.PageCacheMiddleware(lambda request: view_response() if callable(view_response) else view_response)(
        request
    )


def test_a_view_that_sets_its_own_cache_rules_is_left_alone(db):
    load_marker()

    def private():
        response = HttpResponse("for you")
        response["Cache-Control"] = "private, no-store"
        return response

    first = middleware_answer(private)
    assert first["Cache-Control"] == "private, no-store"
    assert "ETag" not in first
    assert middleware_answer(lambda: HttpResponse("other")).content == b"other"


@pytest.mark.parametrize("mark", ["cookie", "vary"])
def test_responses_with_cookies_or_vary_are_neither_validated_nor_stored(db, mark):
    load_marker()
    calls = []

    def view():
        calls.append(1)
        response = HttpResponse(f"answer {len(calls)}")
        if mark == "cookie":
            response.set_cookie("x", "1")
        else:
            response["Vary"] = "Accept-Language"
        return response

    assert "ETag" not in middleware_answer(view)
    assert middleware_answer(view).content == b"answer 2"


def test_a_streamed_response_gets_validators_but_its_body_is_not_stored(db):
    load_marker()
    calls = []

    def view():
        calls.append(1)
        return StreamingHttpResponse(iter([b"a,b\r\n", b"1,2\r\n"]))

    first = middleware_answer(view)
    assert first.streaming
    assert first["ETag"]
    assert b"".join(first.streaming_content) == b"a,b\r\n1,2\r\n"
    second = middleware_answer(view)
    assert second.streaming
    assert len(calls) == 2
    # Not stored, so the view is asked again whether the address answers 200;
    # its body is not read.
    assert middleware_answer(view, **{"If-None-Match": first["ETag"]}).status_code == 304
    assert len(calls) == 3


def test_a_page_bigger_than_the_limit_is_not_stored(db, monkeypatch):
    load_marker()
    monkeypatch.setattr(caching, "PAGE_CACHE_MAX_BYTES", 10)
    calls = []

    def view():
        calls.append(1)
        return HttpResponse("x" * 11)

    middleware_answer(view)
    middleware_answer(view)
    assert len(calls) == 2


def test_nothing_is_cached_with_debug_on(db, settings):
    load_marker()
    settings.DEBUG = True
    response = middleware_answer(lambda: HttpResponse("page"))
    assert "ETag" not in response
    assert "Cache-Control" not in response


FUTURE = http_date(4102444800)  # 2100-01-01
ANY_COPY = {"If-None-Match": "*"}


@pytest.mark.parametrize("headers", [ANY_COPY, {"If-Modified-Since": FUTURE}], ids=["any etag", "future date"])
@pytest.mark.parametrize(
    "url",
    ["/cases/zzzzzz/", "/cases/?date_from=2021-13-40", "/people/?page=x", "/cases/withdr/", "/cases/withdr.json"],
)
def test_an_address_that_answers_no_page_is_never_answered_304(client, article, url, headers):
    withdraw("withdr")
    expected = client.get(url).status_code
    assert expected in (400, 404, 410)
    for _ in range(2):  # cold, then with whatever the first request left in the cache
        assert client.get(url, headers=headers).status_code == expected
        assert client.head(url, headers=headers).status_code == expected


@pytest.mark.parametrize("headers", [ANY_COPY, {"If-Modified-Since": FUTURE}], ids=["any etag", "future date"])
def test_a_page_that_answers_200_may_be_answered_304_cold_or_stored(client, article, headers):
    for _ in range(2):
        assert client.get("/cases/a8023r/", headers=headers).status_code == 304
        assert client.get("/cases.csv", headers=headers).status_code == 304


def withdraw(ref):
    from cases.models import RetiredRef

    RetiredRef.objects.create(
        ref=ref,
        status=RetiredRef.Status.WITHDRAWN,
        title="A case recorded twice",
        reason="It was the same event as another case.",
        retired=datetime.date(2026, 1, 2),
    )
