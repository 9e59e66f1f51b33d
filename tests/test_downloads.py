"""Exports that cannot starve the pages: a prepared file for every case, bounded filtered exports, a count to check.

cases/downloads.py: the export of every case is written once per load as its
first download streams, then served as a file (Content-Length, Range); other
exports stream, EXPORT_CONCURRENCY at a time; every export says how many cases
it holds.
"""

import csv
import io
import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse

from cases.downloads import COUNT_HEADER, RETRY_AFTER
from cases.loader import load_fixture


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def body(response):
    return b"".join(response.streaming_content)


def prepared_files(export_root):
    return sorted(path.name.split("-", 1)[1] for path in export_root.glob("*-cases.*"))


@pytest.mark.parametrize("url", ["/cases.csv", "/cases.json"])
def test_the_export_of_every_case_is_prepared_by_its_first_download_then_served_as_a_file(client, article, url):
    first = client.get(url)
    assert not isinstance(first, FileResponse)
    streamed = body(first)
    second = client.get(url)
    assert isinstance(second, FileResponse)
    assert body(second) == streamed
    assert int(second["Content-Length"]) == len(streamed)
    assert second["Accept-Ranges"] == "bytes"
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert second[COUNT_HEADER] == first[COUNT_HEADER] == "6"
    assert "public" in second["Cache-Control"] and second["ETag"] == first["ETag"]
    assert client.get(url, headers={"If-None-Match": second["ETag"]}).status_code == 304


def test_a_prepared_export_resumes_from_any_byte(client, article):
    whole = body(client.get("/cases.csv"))
    etag = client.get("/cases.csv")["ETag"]
    size = len(whole)
    for asked, start, end in [("bytes=0-9", 0, 9), ("bytes=100-", 100, size - 1), ("bytes=-5", size - 5, size - 1)]:
        response = client.get("/cases.csv", headers={"Range": asked})
        assert response.status_code == 206, asked
        assert response["Content-Range"] == f"bytes {start}-{end}/{size}"
        assert body(response) == whole[start : end + 1]
        assert response["ETag"] == etag
    resumed = client.get("/cases.csv", headers={"Range": "bytes=10-", "If-Range": etag})
    assert resumed.status_code == 206 and body(resumed) == whole[10:]


def test_a_range_of_another_version_or_past_the_end_is_not_answered_as_a_part(client, article):
    whole = body(client.get("/cases.csv"))
    stale = client.get("/cases.csv", headers={"Range": "bytes=10-", "If-Range": '"an-older-version"'})
    assert stale.status_code == 200 and body(stale) == whole
    past = client.get("/cases.csv", headers={"Range": f"bytes={len(whole)}-"})
    assert past.status_code == 416
    assert past["Content-Range"] == f"bytes */{len(whole)}"
    several = client.get("/cases.csv", headers={"Range": "bytes=0-1,5-6"})
    assert several.status_code == 200 and body(several) == whole


def test_a_download_cut_off_leaves_no_prepared_file(client, article, export_root):
    response = client.get("/cases.csv")
    next(iter(response.streaming_content))
    assert list(export_root.glob(".*-cases.csv.*"))  # being written
    # As the server closes a download the client left. (On PostgreSQL this
    # ends the test's database connection too, so nothing is asked after it.)
    response.close()
    assert prepared_files(export_root) == []
    assert list(export_root.glob("*cases.csv*")) == []


def test_a_filtered_export_is_never_kept_as_a_file(client, article, export_root):
    body(client.get("/cases.csv?kind=protest"))
    assert prepared_files(export_root) == []


def test_a_new_load_prepares_a_new_file_and_removes_the_old(client, article, export_root):
    old = body(client.get("/cases.csv"))
    assert prepared_files(export_root) == ["cases.csv"]
    (before,) = export_root.glob("*-cases.csv")
    load_fixture(settings.ARCHIVE_FIXTURE, force=True)
    cache.clear()
    assert body(client.get("/cases.csv")) == old  # the same data, as the new load
    (after,) = export_root.glob("*-cases.csv")
    assert after != before


@pytest.mark.parametrize("url", ["/cases.csv?kind=protest", "/cases.json?q=Kumbolat"])
def test_past_the_bound_a_filtered_export_answers_503_with_retry_after(client, article, settings, url):
    settings.EXPORT_CONCURRENCY = 1
    body(client.get("/cases.csv"))  # the export of every case, prepared
    first = client.get(url)  # streaming: it holds the one slot until it is read
    assert first.status_code == 200
    refused = client.get(url)
    assert refused.status_code == 503
    assert refused["Retry-After"] == str(RETRY_AFTER)
    assert "public" not in refused.get("Cache-Control", "")
    assert "Try again" in refused.content.decode()
    # The prepared export of every case needs no slot.
    assert client.get("/cases.csv").status_code == 200
    body(first)  # the download ends: its slot is free
    assert client.get(url).status_code == 200


def test_the_count_header_is_the_number_of_rows_and_data_page_documents_it(client, article):
    for query in ("", "?kind=protest", "?q=Kumbolat", "?q=nothing-matches-this"):
        response = client.get(f"/cases.csv{query}")
        rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))
        assert response[COUNT_HEADER] == str(len(rows)), query
        document = client.get(f"/cases.json{query}")
        assert document[COUNT_HEADER] == str(len(json.loads(body(document))["cases"])), query
    assert COUNT_HEADER in client.get("/data/").content.decode()


def test_a_json_export_cut_off_is_not_valid_json(client, article):
    text = body(client.get("/cases.json")).decode()
    json.loads(text)
    for cut in (len(text) // 3, len(text) // 2, len(text) - 3):
        with pytest.raises(json.JSONDecodeError):
            json.loads(text[:cut])
