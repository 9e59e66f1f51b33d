"""Production settings and serving: deploy checks, HSTS, error pages, and `make serve` end to end.

The settings are read once per process, so production is tried in a
subprocess with ARCHIVE_ENV=production, as a deployment would start it.
"""

import datetime
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import render
from django.test import Client
from django.urls import include, path

from archive.urls import handler400, handler404, handler500  # noqa: F401 (this module is a URLconf too)
from cases.models import RetiredRef

ROOT = Path(__file__).resolve().parent.parent
INTERNAL_DETAIL = "internal-detail-4f1c /srv/secret password=hunter2"


@pytest.fixture
def production_env(tmp_path):
    """Make the environment of a production process: its own SQLite file and static folder, nothing inherited."""
    (tmp_path / "static").mkdir()

    def make(**extra):
        unset = {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "ARCHIVE_BASE_URL",
            "SECURE_SSL_REDIRECT",
            "DATABASE_URL",
            "DJANGO_SETTINGS_MODULE",
        }
        environment = {key: value for key, value in os.environ.items() if key not in unset}
        environment.update(
            ARCHIVE_ENV="production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="archive.example.org",
            ARCHIVE_BASE_URL="https://archive.example.org",
            SQLITE_PATH=str(tmp_path / "archive.sqlite3"),
            STATIC_ROOT=str(tmp_path / "static"),
        )
        environment.update(extra)
        return environment

    return make


def run(args, env, timeout=120):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def test_deploy_check_passes_without_a_single_warning(production_env):
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    # security.W003 (no CSRF middleware) alone: the site has no form that writes and sets no cookie.
    assert "System check identified no issues (1 silenced)." in result.stdout
    assert "Warning" not in result.stderr


def test_deploy_check_would_catch_a_weak_secret_key(production_env):
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        production_env(SECRET_KEY="short"),
    )
    assert result.returncode != 0
    assert "security.W009" in result.stderr


PRODUCTION_REQUESTS = """
import json, django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
client = Client(headers={"host": "archive.example.org"})
secure = client.get("/no/such/page/", secure=True)
plain = client.get("/no/such/page/")
print(json.dumps({
    "secure": [secure.status_code, dict(secure.headers), secure.content.decode()],
    "plain": [plain.status_code, dict(plain.headers)],
}))
"""


def test_production_sends_hsts_and_redirects_plain_http_to_https(production_env):
    result = run([sys.executable, "-c", PRODUCTION_REQUESTS], production_env(DJANGO_SETTINGS_MODULE="archive.settings"))
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.splitlines()[-1])
    status, headers, body = answers["secure"]
    assert status == 404
    assert "Page not found" in body and "Traceback" not in body
    assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    status, headers = answers["plain"]
    assert status == 301
    assert headers["Location"] == "https://archive.example.org/no/such/page/"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set"),
        ({"DEBUG": "1"}, "DEBUG must be off"),
        ({"ARCHIVE_BASE_URL": ""}, "ARCHIVE_BASE_URL must be set"),
        ({"ARCHIVE_BASE_URL": "archive.example.org/x"}, "must be a scheme and a host"),
    ],
)
def test_gunicorn_refuses_to_start_with_unsafe_production_settings(production_env, missing, message):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    result = run(
        [str(gunicorn), "--config", "archive/gunicorn.conf.py"],
        production_env(PORT=str(free_port()), **missing),
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


# A URLconf for the error pages: the site's own routes and handlers, and views that fail.
def _raises(request):
    raise RuntimeError(INTERNAL_DETAIL)


def _bad_request(request):
    raise BadRequest(INTERNAL_DETAIL)


def _not_found(request):
    raise Http404(INTERNAL_DETAIL)


def _withdrawn(request):
    retired = RetiredRef(
        ref="zzzzzz",
        status=RetiredRef.Status.WITHDRAWN,
        title="A case recorded twice",
        reason="It was the same event as another case.",
        retired=datetime.date(2026, 1, 2),
    )
    return render(request, "410.html", {"retired": retired}, status=410)


urlpatterns = [
    path("error/500/", _raises),
    path("error/400/", _bad_request),
    path("error/404/", _not_found),
    path("error/410/", _withdrawn),
    path("", include("archive.urls")),
]


def assert_reveals_nothing_internal(response):
    text = response.content.decode()
    for leak in (INTERNAL_DETAIL, "Traceback", "RuntimeError", "Http404", "BadRequest", "DEBUG", "settings"):
        assert leak not in text
    assert str(ROOT) not in text
    assert "Django" not in text
    assert "<title>" in text


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("url", "method", "status", "says"),
    [
        ("/error/400/", "get", 400, "could not be understood"),
        ("/error/404/", "get", 404, "Page not found"),
        ("/error/410/", "get", 410, "has been withdrawn"),
        ("/error/500/", "get", 500, "Something went wrong on our side"),
        ("/error/500/", "post", 405, "read-only"),
    ],
)
def test_error_pages_say_what_happened_and_reveal_nothing_internal(db, settings, url, method, status, says):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert says in response.content.decode()
    assert_reveals_nothing_internal(response)


# `make serve`, end to end: the documented command, on the suite's database engine.


def _serve_database(tmp_path):
    """A DATABASE_URL of its own for the server: a new SQLite file, or a new PostgreSQL database."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return {"SQLITE_PATH": str(tmp_path / "serve.sqlite3")}, lambda: None
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_serve"
    maintenance = parts._replace(path="/postgres").geturl()

    def drop():
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return {"DATABASE_URL": parts._replace(path=f"/{name}").geturl()}, drop


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`make serve` on a free port, with DEBUG off and no SECRET_KEY given; yields (port, read_log)."""
    tmp_path = tmp_path_factory.mktemp("serve")
    port = free_port()
    database, drop_database = _serve_database(tmp_path)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "ARCHIVE_BASE_URL",
            "DATABASE_URL",
            "SQLITE_PATH",
            "DJANGO_SETTINGS_MODULE",
        }
    }
    environment.update(database, PORT=str(port), STATIC_ROOT=str(tmp_path / "static"), WEB_CONCURRENCY="2")
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, log.read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        yield port, log.read_text
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        drop_database()


def request(port, method, target, headers=None):
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in {"Host": f"127.0.0.1:{port}", **(headers or {})}.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def test_make_serve_answers_pages_with_debug_off_and_every_protective_header(served):
    port, _ = served
    status, headers, body = request(port, "GET", "/")
    assert status == 200
    assert "exact words of the source" in body.decode()
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    status, _, body = request(port, "GET", "/no/such/page/")
    assert status == 404
    assert "Page not found" in body.decode() and "Traceback" not in body.decode()


def test_make_serve_serves_hashed_compressed_static_files_cached_for_a_year(served):
    port, _ = served
    _, _, body = request(port, "GET", "/")
    stylesheet = re.search(r'href="(/static/css/archive\.[0-9a-f]{12}\.css)"', body.decode()).group(1)
    status, headers, compressed = request(port, "GET", stylesheet, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= 365 * 24 * 3600
    status, headers, plain = request(port, "GET", stylesheet)
    assert status == 200 and "Content-Encoding" not in headers
    assert len(compressed) < len(plain)
    # The manifest of hashed names is the server's, not a file of the site.
    assert request(port, "GET", "/static/staticfiles.json")[0] == 404


@pytest.mark.parametrize(
    ("method", "target", "headers", "status"),
    [
        ("GET", "/" + "a" * 5000, {}, 400),
        ("GET", "/" + "a" * 9000, {}, 414),
        ("GET", "/cases/?q=" + "b" * 4200, {}, 400),
        ("GET", "/cases/?q=%00", {}, 400),
        ("GET", "/cases/%00/", {}, 400),
        ("GET", "/", {"Host": "evil.example"}, 400),
        ("GET", "/", {"Host": "a b"}, 400),
        ("GET", "/static/css/archive.css", {"Host": "[::1"}, 400),
        ("POST", "/", {"Content-Length": "0"}, 405),
        ("DELETE", "/cases/", {}, 405),
    ],
)
def test_make_serve_refuses_bad_requests_and_writes(served, method, target, headers, status):
    port, _ = served
    answer, response_headers, _ = request(port, method, target, headers)
    assert answer == status
    if status == 405:
        assert response_headers["Allow"] == "GET, HEAD"


def test_make_serve_logs_to_stdout_what_was_served_but_not_who_asked(served):
    port, read_log = served
    request(
        port,
        "GET",
        "/?q=a-name-someone-searched",
        {"User-Agent": "reader-browser/1.0", "Referer": "https://x.example/"},
    )
    request(port, "HEAD", "/")
    request(port, "GET", "/" + "x" * 9000)  # refused by gunicorn itself, which would log the address
    request(port, "GET", "/", {"Host": "scanner.example"})
    time.sleep(0.5)
    log = read_log()
    assert "SECRET_KEY is not set: using the local key in var/secret_key" in log
    assert "Listening at: http://127.0.0.1:" in log
    assert '"GET /" 200' in log and '"HEAD /" 200 0 ' in log
    for private in ("a-name-someone-searched", "reader-browser", "x.example"):
        assert private not in log
    served_lines = [line for line in log.splitlines() if "Listening at" not in line and "Serving on" not in line]
    assert served_lines and not [line for line in served_lines if "127.0.0.1" in line]
    assert "no-body response" not in log
    assert re.search(r"Invalid request from a client: Request Line is too large \(\d+ > 8190\)", log)
    assert "django.security.DisallowedHost 400 Bad Request: /" in log
    assert "scanner.example" not in log
    assert "Traceback" not in log, "client errors are logged in one line"


def send_raw(port, data):
    """Send bytes as they are, however malformed, and read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_make_serve_logs_no_value_a_reader_sent_whatever_the_request(served):
    """Marked values in every part of a request, well formed or not; none of them reaches the log."""
    port, read_log = served
    answers = [
        request(port, "GET", "/people/?page=MARKPAGE")[0],
        request(port, "GET", "/cases/?q=MARKSEARCH&date_from=MARKDATE")[0],
        request(port, "GET", "/feed/?q=MARKFEED&place=markplace")[0],
        request(port, "GET", "/cases.csv?q=MARKCSV")[0],
        request(port, "GET", "/no/such/page/?MARKNAME=MARKVALUE")[0],
        request(port, "GET", "/", {"Host": "markhost.example"})[0],
        request(port, "GET", "/", {"Cookie": "csrftoken=MARKCOOKIE", "X-Forwarded-For": "MARKFORWARD"})[0],
        request(port, "GET", "/cases/?q=" + "MARKLONG" * 1200)[0],
    ]
    assert answers == [400, 400, 400, 200, 404, 400, 200, 414]
    raw = [
        b"GET /?q=MARKLINE x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"MARKMETHOD /?q=MARKLINE2 HTTP/1.1\r\n\r\n",
        b"GET /?q=MARKVERSION HTTP/MARK\r\n\r\n",
        b"GET /?q=MARKHEADER HTTP/1.1\r\nHost: 127.0.0.1\r\nMark\x01Name: MARKHEADERVALUE\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Mark: " + b"MARKBIGHEADER" * 700 + b"\r\n\r\n",
    ]
    for data in raw:
        assert send_raw(port, data).startswith(b"HTTP/1.1 4"), data
    time.sleep(0.5)
    log = read_log()
    assert "Invalid request from a client: Invalid HTTP Version" in log
    assert "400 Bad Request: /people/" in log
    assert "mark" not in log.lower(), [line for line in log.splitlines() if "mark" in line.lower()]


@pytest.mark.postgresql
def test_make_serve_answers_without_a_server_error_after_postgresql_ends_its_connections(served):
    """As after a database restart or failover: every worker's kept connection is gone."""
    import psycopg

    port, _ = served
    parts = urlsplit(os.environ["DATABASE_URL"])
    database = f"{parts.path.lstrip('/')}_serve"
    pages = ["/", "/cases/", "/people/", "/data/", "/robots.txt", "/cases/a8023r/"]
    for _ in range(3):  # every worker has answered, so holds a connection
        for page in pages:
            assert request(port, "GET", page)[0] == 200
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
        ended = connection.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s", [database]
        ).fetchone()[0]
    assert ended >= 1
    statuses = [request(port, "GET", page)[0] for _ in range(4) for page in pages]
    assert statuses == [200] * len(statuses)


def test_make_serve_does_not_name_its_server(served):
    port, _ = served
    for target in ("/", "/static/css/archive.css", "/no/such/page/"):
        _, headers, _ = request(port, "GET", target)
        assert "Server" not in headers, target
    assert b"\r\nserver:" not in send_raw(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n\r\n").lower()


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"GET /?q=MARKED x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
    ],
)
def test_gunicorns_own_refusals_carry_the_protective_headers_and_echo_nothing(served, data, status):
    port, _ = served
    head, _, body = send_raw(port, data).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith(f"HTTP/1.1 {status} ")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "Server" not in headers
    assert b"MARKED" not in body and b"aaaa" not in body


def test_make_serve_answers_one_address_the_same_from_every_worker(served):
    """Dot segments and doubled slashes redirect to the clean path, whatever each worker has cached."""
    port, _ = served
    assert request(port, "GET", "/cases/a8023r/")[0] == 200
    for _ in range(3):  # more requests than workers
        for target, clean in [
            ("/x/../cases/a8023r/", "/cases/a8023r/"),
            ("/cases/./a8023r/", "/cases/a8023r/"),
            ("//127.0.0.1/cases/a8023r/", "/127.0.0.1/cases/a8023r/"),
            ("/cases/a8023r/?cb=1", "/cases/a8023r/"),
        ]:
            status, headers, _ = request(port, "GET", target)
            assert (status, headers["Location"]) == (301, clean), target
