"""Load test: the production-like server (`make serve`) on 127.0.0.1 against PostgreSQL, driven by wrk.

    make loadtest                      # a database of its own: archive_loadtest
    DATABASE_URL=postgres://... make loadtest

Starts `make serve` on 127.0.0.1:$PORT against DATABASE_URL (creating the
database when it does not exist), asks once for every URL of the mix and prints
its status, then drives the mix with wrk at each level of concurrency for a
bounded time and prints requests per second, p50/p99 latency, socket errors and
non-2xx answers. Stops the server it started, whatever happens. Exits non-zero
on any socket error or 5xx answer.

Settings (environment): PORT, LOADTEST_DURATION (seconds per level, default
15), LOADTEST_CONNECTIONS (default "16,64"), LOADTEST_THREADS (wrk threads,
default 2).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import Request, urlopen

from common import ensure_postgresql_database, stop_server

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # never anything else: load goes to this machine only
START_TIMEOUT = 180


def env_int(name, default):
    try:
        return int(os.environ.get(name) or default)
    except ValueError:
        sys.exit(f"{name}={os.environ[name]!r} is not a whole number")


def url_mix(fixture):
    """The URLs to drive, by kind of page, built from the curated fixture (the data `make serve` loads)."""
    data = json.loads(fixture.read_text(encoding="utf-8"))
    refs = [case["ref"] for case in data["cases"]]
    people = data["people"]
    spellings = [name["name"] for person in people for name in person.get("names", [])]
    places = [place["slug"] for place in data["places"]]
    years = sorted({case["date"][:4] for case in data["cases"] if case["date"][:4].isdigit()})

    def cases(**query):
        return f"/cases/?{urlencode(query)}"

    return {
        "home": ["/"],
        "list": ["/cases/", cases(page=1), cases(sort="oldest")],
        "filtered list": [
            cases(kind="detention"),
            cases(kind="protest", place=places[1]),
            cases(place=places[0]),
            cases(person=people[1]["slug"]),
            cases(date_from=years[0], date_to=years[-1], date_match="within"),
        ],
        "search": [
            cases(q=people[1]["name"].split()[-1]),
            cases(q=next(name for name in spellings if name.isascii() and name not in people[1]["name"])),
            cases(q=next((name for name in spellings if not name.isascii()), people[0]["name"])),
        ],
        "case": [f"/cases/{ref}/" for ref in refs],
        "source": [f"/sources/{quote(source['slug'])}/" for source in data["sources"]],
        "export": [
            "/cases.csv",
            "/cases.json",
            f"/cases.csv?{urlencode({'kind': 'protest'})}",
            f"/cases/{refs[0]}.json",
            f"/cases/{refs[1]}/cite.bib",
            f"/cases/{refs[2]}/cite.ris",
        ],
    }


WRK_SCRIPT = """
local urls = {%(urls)s}
local threads = {}

function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end

function init(args)
  counter = offset
  non2xx = 0
  server_errors = 0
end

function request()
  counter = counter + 1
  return wrk.format("GET", urls[(counter %% #urls) + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  if status >= 500 then server_errors = server_errors + 1 end
end

function done(summary, latency, requests)
  local non2xx_total, server_errors_total = 0, 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + thread:get("non2xx")
    server_errors_total = server_errors_total + thread:get("server_errors")
  end
  local e = summary.errors
  io.write(string.format(
    'LOADTEST {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "max_us": %%d, ' ..
    '"errors": %%d, "non2xx": %%d, "server_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, non2xx_total, server_errors_total))
end
"""


def port_is_free(port):
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def get(port, path):
    request = Request(f"http://{HOST}:{port}{path}", headers={"User-Agent": "archive-loadtest"})
    try:
        with urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except HTTPError as error:
        return error.code


def start_server(port, log):
    environment = {**os.environ, "PORT": str(port)}
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve", f"PORT={port}"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return server, False
        try:
            if get(port, "/") == 200:
                return server, True
        except OSError:
            pass
        time.sleep(0.5)
    return server, False


def start_wrk(port, script, connections, threads, duration):
    return subprocess.Popen(
        [
            "wrk",
            f"--threads={min(threads, connections)}",
            f"--connections={connections}",
            f"--duration={duration}s",
            "--timeout=10s",
            f"--script={script}",
            f"http://{HOST}:{port}/",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wrk_result(process, duration):
    try:
        stdout, stderr = process.communicate(timeout=duration + 60)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    for line in stdout.splitlines():
        if line.startswith("LOADTEST "):
            return json.loads(line.removeprefix("LOADTEST "))
    sys.exit(f"wrk did not report (exit {process.returncode}):\n{stdout}\n{stderr}")


def run_wrk(port, script, connections, threads, duration):
    return wrk_result(start_wrk(port, script, connections, threads, duration), duration)


def export_mix(fixture):
    """Filtered exports two clients download in a loop, and the pages that must stay fast meanwhile."""
    data = json.loads(fixture.read_text(encoding="utf-8"))
    exports = [f"/cases.csv?{urlencode({'q': 'a'})}", f"/cases.json?{urlencode({'kind': 'detention'})}"]
    return exports, ["/robots.txt", f"/cases/{data['cases'][0]['ref']}/"]


def main():
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "The load test runs against PostgreSQL: set DATABASE_URL=postgres://... (make loadtest sets a default)"
        )
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")
    port = env_int("PORT", 8765)
    duration = env_int("LOADTEST_DURATION", 15)
    threads = env_int("LOADTEST_THREADS", 2)
    levels = [int(level) for level in os.environ.get("LOADTEST_CONNECTIONS", "16,64").split(",")]
    if not port_is_free(port):
        sys.exit(f"{HOST}:{port} is in use: choose another with PORT=")

    ensure_postgresql_database(database_url)
    mix = url_mix(ROOT / "fixtures" / "archive.json")
    urls = [url for group in mix.values() for url in group]
    log_path = ROOT / "var" / "loadtest-server.log"
    log_path.parent.mkdir(exist_ok=True)
    database = urlsplit(database_url)
    print(f"Starting `make serve` on {HOST}:{port}, database {database.path.lstrip('/')} on {database.hostname}")
    print(f"(server log: {log_path.relative_to(ROOT)})")
    with log_path.open("w") as log, tempfile.TemporaryDirectory() as scratch:
        server, ready = start_server(port, log)
        try:
            if not ready:
                log.flush()
                sys.exit(f"The server did not start:\n{log_path.read_text()[-3000:]}")
            print("\nThe mix, each URL asked once (warm-up):")
            not_ok = 0
            for kind, group in mix.items():
                for url in group:
                    status = get(port, url)
                    not_ok += status != 200
                    print(f"  {status}  {kind:<14} {url}")
            script = Path(scratch) / "mix.lua"
            script.write_text(WRK_SCRIPT % {"urls": ", ".join(json.dumps(url) for url in urls)})
            results = []
            for connections in levels:
                print(f"\nwrk: {connections} connections, {threads} threads, {duration} s ...", flush=True)
                results.append((connections, run_wrk(port, script, connections, threads, duration)))
            # Two clients loop on filtered exports while four ask for pages: the
            # exports are bounded (a 503 past EXPORT_CONCURRENCY), the pages must not wait.
            exports, pages = export_mix(ROOT / "fixtures" / "archive.json")
            export_script, page_script = Path(scratch) / "exports.lua", Path(scratch) / "pages.lua"
            export_script.write_text(WRK_SCRIPT % {"urls": ", ".join(json.dumps(url) for url in exports)})
            page_script.write_text(WRK_SCRIPT % {"urls": ", ".join(json.dumps(url) for url in pages)})
            print(f"\nwrk: 2 clients on {', '.join(exports)} while 4 ask for {', '.join(pages)}, {duration} s ...")
            downloading = start_wrk(port, export_script, 2, 1, duration)
            during = run_wrk(port, page_script, 4, threads, duration)
            export_result = wrk_result(downloading, duration)
        finally:
            stop_server(server)

    print(f"\n{len(urls)} URLs in rotation ({not_ok} not answering 200 before the run); {os.cpu_count()} cores")
    print(
        f"{'connections':>11} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7} {'non-2xx':>8} {'5xx':>5}"
    )
    failed = False
    for connections, result in results:
        rate = result["requests"] / (result["duration_us"] / 1e6)
        print(
            f"{connections:>11} {rate:>11.1f} {result['p50_us'] / 1000:>8.1f} {result['p99_us'] / 1000:>8.1f} "
            f"{result['requests']:>9} {result['errors']:>7} {result['non2xx']:>8} {result['server_errors']:>5}"
        )
        failed |= bool(result["errors"] or result["server_errors"])
    print("\nWhile two clients download filtered exports in a loop:")
    print(f"{'':>22} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7} {'non-2xx':>8}")
    for label, result in (("pages (robots, case)", during), ("exports (503 = bound)", export_result)):
        rate = result["requests"] / (result["duration_us"] / 1e6)
        print(
            f"{label:>22} {rate:>11.1f} {result['p50_us'] / 1000:>8.1f} {result['p99_us'] / 1000:>8.1f} "
            f"{result['requests']:>9} {result['errors']:>7} {result['non2xx']:>8}"
        )
    failed |= bool(during["errors"] or during["non2xx"] or export_result["errors"])
    if failed:
        print("\nFAILED: socket errors or 5xx answers (see var/loadtest-server.log)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
