"""Each request reads one load, whole, however a load's commit falls during it (cases/snapshot.py).

A load replaces every record in one transaction; a request reads in several
queries, and a streamed export goes on reading after its view has returned. A
request that spans a load's commit must still answer wholly from the archive
it began with. These tests run on SQLite and on PostgreSQL alike.
"""

import copy
import csv
import io
import json
import threading
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases.loader import load_fixture
from cases.snapshot import SNAPSHOT

from .pages import every_page

REF = "a8023r"
ADDED_REF = "b7k2mq"
ADDED_TITLE = "A second account of the picket"
# Every kind of answer the issue saw go wrong: the exports (the export of every
# case, prepared once per load, and a filtered one, always streamed from the
# database), one case as JSON, and its page.
ADDRESSES = (
    "/cases.csv",
    "/cases.csv?kind=protest",
    "/cases.json",
    "/cases.json?kind=protest",
    f"/cases/{REF}.json",
    f"/cases/{REF}/",
)
# Loads committed while the readers read: enough for every kind of answer to
# be in flight at some commit, many times over.
LOADS = 8
READERS = 3


@pytest.fixture
def archives(fixture_dir):
    """Two fixtures beside the curated one's source texts: ``original`` and ``revised``.

    ``revised`` is the curated fixture with every case's title changed and one
    case added. A published ref may not disappear, so ``original``, the
    curated fixture, lists that case as withdrawn: loads may alternate.
    """
    data = json.loads(settings.ARCHIVE_FIXTURE.read_text(encoding="utf-8"))
    original, revised = copy.deepcopy(data), data
    original["retired"].append(
        {"ref": ADDED_REF, "status": "withdrawn", "title": ADDED_TITLE, "reason": "Withdrawn.", "retired": "2026-11-28"}
    )
    for case in revised["cases"]:
        case["title"] = f"{case['title']} (revised)"
    added = copy.deepcopy(next(case for case in revised["cases"] if case["ref"] == REF))
    added.update(ref=ADDED_REF, title=ADDED_TITLE)
    revised["cases"].append(added)
    paths = {}
    for name, fixture in (("original", original), ("revised", revised)):
        paths[name] = fixture_dir / f"{name}.json"
        paths[name].write_text(json.dumps(fixture, ensure_ascii=False), encoding="utf-8")
    return paths


def fetch(origin, address):
    """(status, what the answer says about the archive): its content, less what names the load's moment."""
    try:
        with urllib.request.urlopen(origin + address, timeout=60) as answer:
            status, headers, body = answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()[:2000]
    if address.startswith("/cases.csv"):
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert headers["X-Case-Count"] == str(len(rows)), f"{address}: the count and the rows disagree"
        return status, body
    if address.startswith("/cases.json"):
        document = json.loads(body)  # fails on a document cut off
        assert headers["X-Case-Count"] == str(len(document["cases"])), f"{address}: the count and the cases disagree"
        del document["version"]["loaded_at"]  # the moment of the load; its fixture's SHA-256 is kept
        return status, document
    if address.endswith(".json"):
        return status, json.loads(body)
    return status, body


def other_thread(work):
    """Run ``work`` in a thread of its own, with a database connection of its own, and return its result."""
    results = []

    def run():
        try:
            results.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return results[0]


def body(response):
    return b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.mark.django_db(transaction=True)
def test_a_streamed_export_is_read_from_the_load_it_began_with(client, archives):
    """The count is read in the view, the rows as the body streams; a load commits between them."""
    load_fixture(archives["original"])
    before = body(client.get("/cases.csv?kind=protest"))
    response = client.get("/cases.csv?kind=protest")
    assert response["X-Case-Count"] == "3"
    other_thread(lambda: load_fixture(archives["revised"]))
    assert body(response) == before
    # A new request reads the new load.
    titles = {row["title"] for row in csv.DictReader(io.StringIO(body(client.get("/cases.csv?kind=protest"))))}
    assert len(titles) == 4 and ADDED_TITLE in titles


@pytest.mark.django_db(transaction=True)
def test_the_snapshot_ends_when_the_answer_is_closed_even_mid_stream(client, article):
    response = client.get("/cases.json?kind=detention")
    assert connection.in_atomic_block, "the streamed body is still to be read in the request's transaction"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            assert cursor.fetchone() == ("repeatable read",)
            cursor.execute("SHOW transaction_read_only")
            assert cursor.fetchone() == ("on",)
    next(iter(response.streaming_content))
    response.close()  # as a WSGI server does when the client goes away
    assert not connection.in_atomic_block and connection.get_autocommit()
    assert client.get(f"/cases/{REF}.json").status_code == 200
    assert not connection.in_atomic_block and connection.get_autocommit()


@pytest.mark.django_db(transaction=True)
def test_every_page_is_read_in_one_transaction_that_ends_with_its_answer(client, article):
    first = ["BEGIN", SNAPSHOT] if connection.vendor == "postgresql" else ["BEGIN"]
    for page in every_page():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.url)
            assert response.status_code == page.expected_status, page
            if response.streaming:
                b"".join(response.streaming_content)  # read to the end, then closed
        statements = [query["sql"] for query in queries.captured_queries]
        assert statements[: len(first)] == first and statements[-1] == "COMMIT", page
        assert not connection.in_atomic_block and connection.get_autocommit(), page
    if connection.vendor == "postgresql":
        # Outside a request, as when loadarchive writes: the database's default isolation.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SHOW transaction_isolation")
            assert cursor.fetchone() == ("read committed",)


def test_readers_get_one_whole_load_while_loads_commit(live_server, archives, settings):
    """Loads of two archives alternate while readers fetch every kind of answer through a real server.

    Each answer must be wholly the one archive or wholly the other, never a
    mix, a document cut off, or a server error. The page cache is off, so
    every answer is read from the database.
    """
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    origin = live_server.url
    expected = {}
    for name, fixture in archives.items():
        load_fixture(fixture)
        for address in ADDRESSES:
            status, content = fetch(origin, address)
            assert status == 200, (address, content)
            expected[name, address] = content
    for address in ADDRESSES:
        assert expected["original", address] != expected["revised", address], address

    loading = True
    seen, wrong = [], []

    def read():
        while loading:
            for address in ADDRESSES:
                try:
                    status, content = fetch(origin, address)
                except Exception as error:
                    wrong.append((address, f"{type(error).__name__}: {error}"))
                    continue
                archive = next((name for name in archives if (status, content) == (200, expected[name, address])), None)
                if archive is None:
                    wrong.append((address, status))
                seen.append((address, archive))

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    try:
        for number in range(LOADS):
            load_fixture(archives["original" if number % 2 == 0 else "revised"])
    finally:
        loading = False
        for reader in readers:
            reader.join()
    assert wrong == [], f"{len(wrong)} of {len(seen)} answers were not one whole load: {wrong[:5]}"
    # The reads met the loads: both archives were answered, and every address was asked. (Which address
    # meets which load is the machine's timing: a busy machine may show one address a single archive.)
    assert {archive for _address, archive in seen} == set(archives)
    assert {address for address, _archive in seen} == set(ADDRESSES)
