"""In-process measurements of every page kind, on whatever database the environment names.

Run by ``bench/run.py`` once per database, as its own process (Django's settings
are read once per process). Picks the URLs to request from the data itself,
times each page through the whole middleware stack with Django's test client,
counts its queries, measures the memory of the full CSV export while it
streams, and writes one JSON document to the file named by its argument: the
URLs (for the server measurements) and the figures.

Uncached: every cache is cleared before each request, as after a data load.
Cached: the same URL again and again, as a popular page is asked for.
"""

import json
import logging
import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

import django

django.setup()
# A 404 is a figure here, not news: keep the request log quiet.
logging.disable(logging.WARNING)

from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cases.models import Case, Person, PersonName, Place, Source  # noqa: E402

# The time each page kind may take in total, and the most and fewest repetitions.
BUDGET_SECONDS = float(os.environ.get("BENCH_PAGE_SECONDS", "12"))
MAX_REPEAT = int(os.environ.get("BENCH_REPEAT", "200"))
MIN_REPEAT = 10
SAMPLES = 300  # distinct URLs per page kind, where the data has that many
# Only these page kinds (comma-separated, e.g. "case,search"), and no CSV memory run unless "csv-memory" is named.
ONLY = {kind.strip() for kind in os.environ.get("BENCH_KINDS", "").split(",") if kind.strip()}

# The goals for PostgreSQL at 100,000 cases (median server time, uncached), shown beside the figures.
GOALS_MS = {"home": 10, "case": 10, "person": 10, "place": 10, "source": 10, "list": 50, "list-filtered": 50,
            "list-dates": 50, "list-page-1000": 50, "search": 50}  # fmt: skip


def clear_caches():
    for cache in caches.all():
        cache.clear()


def rss_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def pick_urls(rng):
    """For each page kind, the URLs to request: many distinct ones, so no one row is measured alone."""
    total = Case.objects.count()
    top = Case.objects.aggregate(top=Max("pk"))["top"] or 0
    ids = rng.sample(range(1, top + 1), min(SAMPLES * 2, top))
    refs = list(Case.objects.filter(pk__in=ids).values_list("ref", flat=True)[:SAMPLES])
    top_person = Person.objects.aggregate(top=Max("pk"))["top"] or 0
    people = list(
        Person.objects.filter(pk__in=rng.sample(range(1, top_person + 1), min(SAMPLES, top_person)))
        .filter(involvements__isnull=False)
        .distinct()
        .values_list("slug", flat=True)
    )
    places = list(Place.objects.values_list("slug", flat=True))
    places = rng.sample(places, min(SAMPLES, len(places)))
    sources = list(Source.objects.values_list("slug", flat=True))
    sources = rng.sample(sources, min(SAMPLES, len(sources)))
    regions = list(Place.objects.filter(depth=1).values_list("slug", flat=True)) or places
    spans = [("2017", "2019"), ("2018", "2018"), ("2016-03", "2020-10"), ("2019-01-01", "2021-06-30"), ("2015", "2022")]
    filtered = [f"/cases/?place={p}&date_from={a}&date_to={b}" for p in regions for a, b in spans]
    rng.shuffle(filtered)
    # Dates alone, as the year facet's links and a reader's ranges give them: whole years, months,
    # days, one end open, either match, with and without a kind.
    ends = ["", "2012", "2015", "2016-03", "2017", "2018", "2018-06", "2019-01-01", "2019-09-15", "2020", "2021-06"]
    dated = [
        f"/cases/?date_from={a}&date_to={b or 'present'}{extra}"
        for a in ends
        for b in ends
        if (a or b) and (not a or not b or a[: len(b)] <= b)
        for extra in ("", "&date_match=within", "&kind=protest")
    ]
    rng.shuffle(dated)
    # A reader's searches: a surname, a full name in Latin or Cyrillic or Chinese, a spelling with
    # diacritics, a word of a title.
    top_name = PersonName.objects.aggregate(top=Max("pk"))["top"] or 0
    names = list(
        PersonName.objects.filter(pk__in=rng.sample(range(1, top_name + 1), min(400, top_name))).values_list(
            "name", flat=True
        )
    )
    words = ["picket", "sentenced", "detained", "consulate", "rally", "court"]
    queries = names[:SAMPLES] + [name.split()[-1] for name in names[:60] if " " in name] + words
    rng.shuffle(queries)
    pages = max(1, total // 20)
    deep = [f"/cases/?page={n}" for n in range(max(1, 1000 - SAMPLES // 2), 1000 + SAMPLES // 2) if n <= pages]
    return {
        "home": ["/"],
        "list": ["/cases/"],
        "list-filtered": filtered[:SAMPLES],
        "list-dates": dated[:SAMPLES],
        "list-page-1000": ["/cases/?page=1000"] + [u for u in deep if u != "/cases/?page=1000"],
        "search": [f"/cases/?q={quote(q)}" for q in queries[:SAMPLES]],
        # The overview table, sorted by each of its columns (people: by a subquery per case).
        "list-table": [
            f"/cases/?view=table&sort={order}"
            for order in ("newest", "kind", "place", "people", "status", "sentence", "authority")
        ]
        + [f"/cases/?view=table&sort=place&place={p}" for p in regions[:SAMPLES]],
        "case": [f"/cases/{ref}/" for ref in refs],
        "person": [f"/people/{slug}/" for slug in people],
        "place": [f"/places/{slug}/" for slug in places],
        "source": [f"/sources/{slug}/" for slug in sources],
        "csv-10000": csv_filters(),
        "feed": ["/feed/", "/feed/?kind=protest", "/feed/?kind=detention"]
        + [f"/feed/?place={p}" for p in regions[:SAMPLES]],
        "robots": ["/robots.txt"],
    }


def quote(text):
    from urllib.parse import quote_plus

    return quote_plus(text)


def csv_filters():
    """Filters of the CSV export that select about 10,000 cases each (date spans, by overlap)."""
    from cases.dates import parse_bound

    candidates = []
    for year in range(2005, 2026):
        for months in (1, 2, 3, 4, 6, 9, 12, 18, 24, 36):
            end_month = year * 12 + months - 1
            date_to = f"{end_month // 12}-{end_month % 12 + 1:02d}"
            start, end = parse_bound(f"{year}-01"), parse_bound(date_to, end=True)
            candidates.append((f"{year}-01", date_to, start, end))
    scored = []
    for date_from, date_to, start, end in candidates:
        n = Case.objects.filter(date_earliest__lte=end, date_latest__gte=start).count()
        scored.append((abs(n - 10_000), n, date_from, date_to))
    scored.sort()
    return [f"/cases.csv?date_from={a}&date_to={b}" for _, n, a, b in scored[:5] if n]


def consume(response):
    if response.streaming:
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        return size
    return len(response.content)


def measure(client, urls):
    """Status, query count, uncached and cached timings of one page kind."""
    probed = {}
    for url in urls[:20]:
        clear_caches()
        response = client.get(url)
        consume(response)
        probed[url] = response.status_code
    statuses = sorted(set(probed.values()))
    if 200 not in statuses:
        return {"urls": len(urls), "state": "not built" if statuses == [404] else f"answers {statuses}"}
    ok = [url for url in urls if probed.get(url, 200) == 200]
    counts = []
    for url in ok[:10]:
        clear_caches()
        with CaptureQueriesContext(connection) as captured:
            consume(client.get(url))
        counts.append(len(captured.captured_queries))
    result = {"urls": len(ok), "queries": [min(counts), max(counts)], "statuses": {}}

    timings, sizes, started, i = [], [], time.perf_counter(), 0
    while i < MAX_REPEAT and (i < MIN_REPEAT or time.perf_counter() - started < BUDGET_SECONDS):
        clear_caches()
        t0 = time.perf_counter()
        response = client.get(ok[i % len(ok)])
        sizes.append(consume(response))
        timings.append(time.perf_counter() - t0)
        result["statuses"][response.status_code] = result["statuses"].get(response.status_code, 0) + 1
        i += 1
    result["uncached_ms"] = summary(timings)
    result["bytes"] = int(statistics.median(sizes))

    consume(client.get(ok[0]))
    timings, started, i = [], time.perf_counter(), 0
    while i < MAX_REPEAT and (i < MIN_REPEAT or time.perf_counter() - started < BUDGET_SECONDS / 3):
        t0 = time.perf_counter()
        consume(client.get(ok[0]))
        timings.append(time.perf_counter() - t0)
        i += 1
    result["cached_ms"] = summary(timings)
    return result


def summary(seconds):
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return {"n": len(ms), "median": statistics.median(ms), "p95": p95}


def csv_memory(client):
    """Stream the whole export (every case) and watch the process's resident memory while it does."""
    warm = client.get("/cases.csv?kind=protest&date_from=2018-01&date_to=2018-01")
    if warm.status_code != 200:
        return {"state": "not built" if warm.status_code == 404 else f"answers {warm.status_code}"}
    consume(warm)
    clear_caches()
    before = rss_bytes()
    t0 = time.perf_counter()
    response = client.get("/cases.csv")
    if response.status_code != 200:
        return {"state": f"answers {response.status_code}"}
    rows, size, peak, samples, next_sample = 0, 0, before, [], 10_000
    chunks = response.streaming_content if response.streaming else [response.content]
    for chunk in chunks:
        size += len(chunk)
        rows += chunk.count(b"\n")
        if rows >= next_sample:
            now = rss_bytes()
            peak = max(peak, now)
            samples.append((rows, now))
            next_sample += 10_000
    peak = max(peak, rss_bytes())
    return {
        "streaming": response.streaming,
        "rows": rows - 1,
        "bytes": size,
        "seconds": time.perf_counter() - t0,
        "rss_before": before,
        "rss_peak": peak,
        "rss_samples": samples,
    }


def main():
    rng = random.Random(int(os.environ.get("BENCH_SEED", "1")))
    client = Client(raise_request_exception=False)
    urls = pick_urls(rng)
    consume(client.get("/"))  # imports, templates and the connection, before anything is timed
    results = {}
    for kind, kind_urls in urls.items():
        if ONLY and kind not in ONLY:
            results[kind] = {"urls": len(kind_urls), "state": "not measured (BENCH_KINDS)"}
            continue
        print(f"  measuring {kind} ({len(kind_urls)} URLs)", file=sys.stderr, flush=True)
        results[kind] = measure(client, kind_urls)
    if ONLY and "csv-memory" not in ONLY:
        memory = {"state": "not measured (BENCH_KINDS)"}
    else:
        print("  streaming the whole CSV export", file=sys.stderr, flush=True)
        memory = csv_memory(client)
    facts = {
        "vendor": connection.vendor,
        "server_version": connection.cursor().connection.info.server_version
        if connection.vendor == "postgresql"
        else __import__("sqlite3").sqlite_version,
        "cases": Case.objects.count(),
        "kinds": dict(Case.objects.values_list("kind").annotate(n=Count("pk"))),
        "people": Person.objects.count(),
        "places": Place.objects.count(),
        "sources": Source.objects.count(),
    }
    data = {"facts": facts, "urls": urls, "results": results, "csv_memory": memory, "goals_ms": GOALS_MS}
    with open(sys.argv[1], "w") as out:
        json.dump(data, out)


if __name__ == "__main__":
    main()
