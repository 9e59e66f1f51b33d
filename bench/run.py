"""``make bench``: how fast the archive is at 100,000 cases, next to the ceiling of its own stack.

It writes the synthetic fixture once (``bench/synthetic.py``, kept in
``var/bench/fixture/`` and reused while the size, seed and generator are
unchanged). Then for each database (SQLite, then PostgreSQL) it
1. empties a dedicated benchmark database and loads the fixture with
   ``manage.py loadarchive``, the loader curators use, timing the full load;
2. edits ONE case's title in a copy of the fixture and loads that, with the
   site served meanwhile, timing the load and the time from its start until
   the case's page shows the new title;
3. measures every page kind in-process (``bench/measure.py``): median and
   95th-percentile server time uncached and cached, and the query count;
4. serves the site as production would (gunicorn, 2 sync workers, on
   127.0.0.1) and measures throughput with wrk: over many distinct URLs of
   each kind, and for one URL repeated, each next to the throughput of
   ``/robots.txt``, the cheapest view of the same app, measured in the same run.

It prints figures, not verdicts, and saves them as JSON in ``var/bench/``.
Settings, from the environment: BENCH_CASES (100000), BENCH_SEED (1),
BENCH_DATABASES ("sqlite,postgresql"), BENCH_SQLITE_PATH (var/bench.sqlite3),
BENCH_DATABASE_URL (postgres://root@127.0.0.1:5432/archive_bench),
BENCH_WRK_SECONDS (5), BENCH_WRK_CONNECTIONS (4), BENCH_PAGE_SECONDS (12).
"""

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import recreate_postgresql_database, stop_server

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
GENERATOR = ROOT / "bench" / "synthetic.py"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

CASES = int(os.environ.get("BENCH_CASES", "100000"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
DATABASES = [name.strip() for name in os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",") if name.strip()]
SQLITE_PATH = os.environ.get("BENCH_SQLITE_PATH", str(ROOT / "var" / "bench.sqlite3"))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/archive_bench")
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "5"))
WRK_CONNECTIONS = int(os.environ.get("BENCH_WRK_CONNECTIONS", "4"))
WORKERS = 2

KINDS = [
    ("home", "home /"),
    ("list", "list /cases/"),
    ("list-filtered", "list, place + dates"),
    ("list-dates", "list, dates"),
    ("list-page-1000", "list, page 1,000"),
    ("search", "search ?q="),
    ("list-table", "table, each sort"),
    ("case", "case page"),
    ("person", "person page"),
    ("place", "place page"),
    ("source", "source page"),
    ("csv-10000", "CSV, ~10,000 rows"),
    ("feed", "feed"),
    ("robots", "robots.txt (trivial)"),
]


def say(message):
    print(message, flush=True)


def settings_env(database):
    """The environment of every process of one run: production settings, on the benchmark database."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "SQLITE_PATH"):
        env.pop(name, None)
    if database == "sqlite":
        env["SQLITE_PATH"] = SQLITE_PATH
    else:
        env["DATABASE_URL"] = DATABASE_URL
    env.update(
        ARCHIVE_ENV="production",
        SECRET_KEY="benchmark-only-not-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        ARCHIVE_BASE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(OUT / "static"),
        LOG_LEVEL="ERROR",
        BENCH_SEED=str(SEED),
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def fixture():
    """The synthetic fixture's archive.json: written once, reused while the size, seed and generator are unchanged."""
    folder = OUT / "fixture"
    stamp = hashlib.sha256(f"cases={CASES} seed={SEED}\n".encode() + GENERATOR.read_bytes()).hexdigest()
    written_by = folder / "written-by"
    if written_by.is_file() and written_by.read_text() == stamp:
        say(f"fixture: {folder.relative_to(ROOT)} (reused)")
        return folder / "archive.json"
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    command = [PYTHON, str(GENERATOR), "--cases", str(CASES), "--seed", str(SEED), "--out", str(folder)]
    subprocess.run(command, cwd=ROOT, check=True)
    written_by.write_text(stamp)
    say(f"fixture written in {time.perf_counter() - started:.0f} s")
    return folder / "archive.json"


def edited_copy(path):
    """A copy of the fixture with ONE case's title changed, as a curator's small correction; its texts hard-linked.

    Returns the copy's archive.json, the case's ref and its new title.
    """
    folder = OUT / "fixture-edited"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(path.parent / "sources", folder / "sources", copy_function=os.link)
    data = json.loads(path.read_bytes())
    case = data["cases"][len(data["cases"]) // 2]
    case["title"] = f"{case['title']} (title corrected)"
    edited = folder / "archive.json"
    edited.write_bytes(json.dumps(data, ensure_ascii=False, indent=1).encode())
    return edited, case["ref"], case["title"]


def empty_database(database, env):
    """The benchmark database, emptied and migrated: the full load below starts from nothing."""
    if database == "postgresql":
        recreate_postgresql_database(DATABASE_URL)
    else:
        Path(SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(SQLITE_PATH + suffix).unlink(missing_ok=True)
    manage(env, "migrate", "--no-input", "-v0")


def loadarchive(env, path):
    """Run ``manage.py loadarchive``; its seconds and the line it prints as each stage ends."""
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "manage.py", "loadarchive", str(path)], cwd=ROOT, env=env, check=True,
                          stdout=subprocess.PIPE, text=True)  # fmt: skip
    seconds = time.perf_counter() - started
    stages = [line for line in done.stdout.splitlines() if line.strip()]
    for line in stages:
        say(f"    {line}")
    return {"seconds": seconds, "stages": stages}


def analyze(database):
    """Fresh planner statistics, as a long-lived archive's would be (autovacuum's work, done now)."""
    if database == "postgresql":
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(DATABASE_URL)
        params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None,
                  "password": config["PASSWORD"] or None, "dbname": config["NAME"], "autocommit": True}  # fmt: skip
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
            conn.execute("VACUUM ANALYZE")
    else:
        import sqlite3

        with sqlite3.connect(SQLITE_PATH) as conn:
            conn.execute("ANALYZE")


def prepare(database, env, path):
    """Load the fixture into the emptied database, then the edited copy while the site is served; their times."""
    empty_database(database, env)
    manage(env, "collectstatic", "--no-input", "-v0")
    say("  loading the fixture into the empty database")
    full = loadarchive(env, path)
    say(f"  full load: {full['seconds']:.1f} s")
    edited, ref, title = edited_copy(path)
    server, port = start_server(env)
    try:
        say(f"  loading it again with one case's title changed ({ref}), the site served meanwhile")
        started = time.perf_counter()
        again = loadarchive(env, edited)
        url = f"http://127.0.0.1:{port}/cases/{ref}/"
        deadline = time.monotonic() + 600
        while True:
            with urllib.request.urlopen(url, timeout=30) as response:
                if title in response.read().decode():
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not show the new title within 10 minutes of the load")
            time.sleep(0.2)
        again["served_seconds"] = time.perf_counter() - started
    finally:
        stop_server(server)
    say(f"  one title changed: loaded in {again['seconds']:.1f} s, the page served "
        f"{again['served_seconds']:.1f} s after the load began")  # fmt: skip
    analyze(database)
    return {"full": full, "one_title": again}


def measure_in_process(env):
    output = OUT / "measure.json"
    subprocess.run([PYTHON, str(ROOT / "bench" / "measure.py"), str(output)], cwd=ROOT, env=env, check=True)
    return json.loads(output.read_text())


# The production-like server, and wrk.


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env):
    port = free_port()
    command = [GUNICORN, "archive.wsgi:application", "--workers", str(WORKERS), "--worker-class", "sync",
               "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning"]  # fmt: skip
    with open(OUT / "gunicorn.log", "a") as log:  # the server keeps its own copy of the descriptor
        server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt", timeout=2):
                return server, port
        except urllib.error.HTTPError:
            return server, port  # it answers, if not with 200: the page may not be built yet
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("gunicorn exited at start-up") from None
            time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer within 60 s")


def wrk(port, paths, seconds):
    """Requests per second over ``paths`` in turn (one path: that path again and again)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        table = ", ".join(json.dumps(path) for path in paths)
        script.write(
            f"local paths = {{{table}}}\nlocal i = 0\n"
            "request = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
        )
    try:
        command = ["wrk", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "-s", script.name, f"http://127.0.0.1:{port}"]
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, timeout=seconds + 30).stdout
    finally:
        os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rate, "requests": total, "non_2xx": int(failed.group(1)) if failed else 0, "distinct": len(paths)}


def measure_server(env, urls, built):
    server, port = start_server(env)
    try:
        # Warm both workers: imports, templates, connections.
        wrk(port, [paths[0] for kind, paths in urls.items() if kind in built], 2)
        results = {"robots_before": wrk(port, ["/robots.txt"], WRK_SECONDS)}
        for kind, _ in KINDS:
            if kind == "robots" or kind not in built:
                continue
            say(f"  serving {kind}")
            entry = {}
            if len(urls[kind]) > 1:
                entry["distinct"] = wrk(port, urls[kind], WRK_SECONDS)
            entry["same"] = wrk(port, urls[kind][:1], WRK_SECONDS)
            results[kind] = entry
        results["robots_after"] = wrk(port, ["/robots.txt"], WRK_SECONDS)
    finally:
        stop_server(server)
    return results


# The report.


def ms(value):
    return f"{value:7.1f}" if value >= 10 else f"{value:7.2f}"


def print_report(database, data, server):
    facts = data["facts"]
    loads = data["loads"]
    version = facts["server_version"]
    label = f"PostgreSQL {version // 10000}.{version % 10000}" if database == "postgresql" else f"SQLite {version}"
    say("")
    say(f"== {label}: {facts['cases']:,} cases ({facts['kinds']}), {facts['people']:,} people, "
        f"{facts['places']:,} places, {facts['sources']:,} sources; seed {SEED}")  # fmt: skip
    say(f"loadarchive into the empty database: {loads['full']['seconds']:.1f} s; after one case's title changed: "
        f"{loads['one_title']['seconds']:.1f} s, the page served with the new title "
        f"{loads['one_title']['served_seconds']:.1f} s after the load began (one run each)")  # fmt: skip
    robots = None
    if server:
        before, after = server["robots_before"]["rps"], server["robots_after"]["rps"]
        robots = (before + after) / 2
        say(f"robots.txt, the trivial view: {before:,.0f} req/s before the pages, {after:,.0f} after; "
            f"ratios below are against {robots:,.0f}")  # fmt: skip
    say("")
    say(
        f"{'':22} {'in-process (test client), ms':^44} | {'gunicorn 2 workers, wrk ' + str(WRK_CONNECTIONS) + ' conn':^36}"
    )
    say(f"{'page kind':22} {'queries':>7} {'median':>7} {'p95':>7} {'goal':>5} {'cached':>7} {'n':>5} | "
        f"{'distinct':>9} {'×robots':>7} {'same URL':>9} {'×robots':>7}")  # fmt: skip
    for kind, title in KINDS:
        result = data["results"].get(kind, {})
        if "state" in result:
            say(f"{title:22} {result['state']}")
            continue
        queries = result["queries"]
        q = str(queries[0]) if queries[0] == queries[1] else f"{queries[0]}-{queries[1]}"
        goal = data["goals_ms"].get(kind)
        line = (f"{title:22} {q:>7} {ms(result['uncached_ms']['median'])} {ms(result['uncached_ms']['p95'])} "
                f"{('≤' + str(goal)) if goal else '':>5} {ms(result['cached_ms']['median'])} "
                f"{result['uncached_ms']['n']:>5} |")  # fmt: skip
        entry = (server or {}).get(kind)
        if entry and robots:
            distinct = entry.get("distinct")
            same = entry["same"]
            line += f" {distinct['rps']:>9,.0f} {distinct['rps'] / robots:>7.2f}" if distinct else f" {'—':>9} {'':>7}"
            line += f" {same['rps']:>9,.0f} {same['rps'] / robots:>7.2f}"
            bad = (distinct or {}).get("non_2xx", 0) + same["non_2xx"]
            if bad:
                line += f"  ({bad} non-2xx)"
        elif kind == "robots" and robots:
            line += f" {'':>9} {'':>7} {robots:>9,.0f} {1:>7.2f}"
        say(line)
    memory = data["csv_memory"]
    say("")
    if "state" in memory:
        say(f"CSV export of every case: {memory['state']}")
    else:
        mb = 1024 * 1024
        samples = ", ".join(f"{rows // 1000}k rows {rss / mb:.0f} MB" for rows, rss in memory["rss_samples"][::2])
        say(f"CSV export of every case ({memory['rows']:,} rows, {memory['bytes'] / mb:.1f} MB, "
            f"{'streamed' if memory['streaming'] else 'NOT streamed'}) in {memory['seconds']:.1f} s: "
            f"resident memory {memory['rss_before'] / mb:.0f} MB before, peak {memory['rss_peak'] / mb:.0f} MB "
            f"(+{(memory['rss_peak'] - memory['rss_before']) / mb:.1f} MB); {samples}")  # fmt: skip


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    have_wrk = shutil.which("wrk") is not None
    if not have_wrk:
        say("wrk is not installed (apt-get install -y wrk): throughput is not measured")
    started = time.perf_counter()
    unknown = [database for database in DATABASES if database not in ("sqlite", "postgresql")]
    if unknown:
        sys.exit(f"BENCH_DATABASES: {unknown[0]!r} is neither sqlite nor postgresql")
    path = fixture()
    for database in DATABASES:
        say(f"\n### {database}: loading {CASES:,} synthetic cases")
        env = settings_env(database)
        loads = prepare(database, env, path)
        say("measuring in-process")
        data = measure_in_process(env)
        server = None
        if have_wrk:
            say("measuring under gunicorn")
            built = {kind for kind, result in data["results"].items() if "state" not in result}
            server = measure_server(env, data["urls"], built)
        data["server"] = server
        data["loads"] = loads
        data["settings"] = {"cases": CASES, "seed": SEED, "wrk_seconds": WRK_SECONDS,
                            "wrk_connections": WRK_CONNECTIONS, "workers": WORKERS}  # fmt: skip
        (OUT / f"{database}.json").write_text(json.dumps(data, indent=1))
        print_report(database, data, server)
    say(f"\nmake bench took {(time.perf_counter() - started) / 60:.1f} min; figures saved in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
