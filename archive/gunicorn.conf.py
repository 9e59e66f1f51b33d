"""How gunicorn serves the archive in production: ``gunicorn -c archive/gunicorn.conf.py``.

``make serve`` runs it; docs/operations.md explains the choices. Every value
can be overridden on the command line or through the variables read below.
"""

import logging
import multiprocessing
import os
import re
from urllib.parse import urlsplit

from gunicorn import util
from gunicorn.glogging import Logger
from gunicorn.http import wsgi

from archive.logs import logged_path

wsgi_app = "archive.wsgi:application"

# Only the loopback address: a TLS-terminating reverse proxy on the same host
# is what the public reaches. It also buffers slow clients, which sync workers
# must not be left to wait on.
bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"

# Sync workers, one per core: every page is a few short queries and some
# template rendering, so a worker is busy with the CPU, not waiting.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count())
# A worker that says nothing for this long is killed, mid-answer if it is
# sending one. Sized to the largest export: every case, filtered (the
# unfiltered one is a prepared file, cases/downloads.py), which at 100,000
# cases takes tens of seconds to stream. A page takes milliseconds; this only
# bounds a stuck worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
graceful_timeout = 10
# Recycle workers now and then so that no slow leak can grow without bound.
max_requests = 5000
max_requests_jitter = 500

# Load Django once, before forking: a settings error (no SECRET_KEY, DEBUG on)
# stops the server at start-up with its message instead of failing per worker.
preload_app = True


def when_ready(server):
    """Before the workers are forked: close any database connection loading opened, so none is shared."""
    from django.db import connections

    connections.close_all()


# Requests larger than any page of the archive needs are refused before Django.
# The request line may be up to 8190 bytes, above Django's own limit on the
# address (4096 characters, cases/middleware.py), so an overlong address gets
# the archive's 400 page; only one past gunicorn's limit gets its bare 414.
limit_request_line = 8190
limit_request_fields = 50
limit_request_field_size = 8190

# Trust X-Forwarded-Proto only from the proxy on this host.
forwarded_allow_ips = "127.0.0.1,::1"

# No control socket: nothing uses it, and it would be one more way in.
control_socket_disable = True


# gunicorn names itself in a Server header on every answer and has no setting
# to stop it; the name and version help nobody but a scanner.
_default_headers = wsgi.Response.default_headers


def _without_server_header(response):
    return [line for line in _default_headers(response) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _without_server_header

# The headers every answer of the site carries (archive/settings.py), on the
# answers gunicorn writes itself before Django sees the request: 400 for a
# malformed request, 414 for an overlong request line, 431 for overlong
# headers. Their body says what was wrong in general terms and never echoes
# the request back.
ERROR_HEADERS = (
    "Content-Type: text/plain; charset=utf-8",
    "Cache-Control: no-store",
    "Content-Security-Policy: default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options: nosniff",
    "X-Frame-Options: DENY",
    "Referrer-Policy: no-referrer",
    "Cross-Origin-Opener-Policy: same-origin",
    "Cross-Origin-Resource-Policy: same-origin",
)


def _write_error(sock, status_int, reason, mesg):
    body = f"{status_int} {reason}: the server could not read this request.\n".encode()
    head = [f"HTTP/1.1 {status_int} {reason}", "Connection: close", *ERROR_HEADERS, f"Content-Length: {len(body)}"]
    util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


util.write_error = _write_error


class PrivateAccessLog(Logger):
    """An access log that records what was served, never who asked.

    Readers may be at risk: no address, user agent, referrer or query string
    (a search may be a name) is logged. The path is logged percent-encoded, so
    a crafted address cannot write control characters into the log. A
    method HTTP does not define is logged as OTHER: the client chose it.
    """

    METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            "m": atoms["m"] if atoms["m"] in self.METHODS else "OTHER",
            "U": logged_path(environ.get("PATH_INFO", "").encode("latin-1", "replace")),
            "s": atoms["s"],
            "b": atoms["b"],
            "M": atoms["M"],
        }


class PrivateErrorLog(logging.Filter):
    """gunicorn's own messages without what the client sent.

    "Invalid request from ip=…: Invalid HTTP request line: 'GET /?q=… x'"
    becomes "Invalid request from a client: Invalid HTTP request line": the
    kind of error, never the address, the request line or a header's value.
    "Error handling request /cases.csv?q=…" (a worker timed out or the
    application failed) keeps the path and drops the query. Control
    characters left in any message are escaped.
    """

    INVALID = re.compile(r"^Invalid request from ip=\S*?: ([^:(]*)(.*)$", re.DOTALL)
    CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

    def filter(self, record):
        if isinstance(record.msg, str) and record.msg.startswith("Error handling request") and record.args:
            record.args = tuple(
                logged_path(urlsplit(arg).path) if isinstance(arg, str) and arg.startswith("/") else arg
                for arg in record.args
            )
        message = record.getMessage()
        invalid = self.INVALID.match(message)
        if invalid:
            kind, rest = invalid.groups()
            # The kind, and the limits of a "too large" error (numbers only).
            limits = rest.strip() if re.fullmatch(r" ?\(\d+ > \d+\)", rest) else ""
            message = " ".join(filter(None, ["Invalid request from a client:", kind.strip(), limits]))
        record.msg = self.CONTROL.sub(lambda match: repr(match.group())[1:-1], message)
        record.args = ()
        return True


logger_class = PrivateAccessLog
accesslog = "-"
access_log_format = '"%(m)s %(U)s" %(s)s %(b)s %(M)sms'
# Errors go to standard output too, beside the access log and Django's log.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False, "qualname": "gunicorn.error"},
        "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False, "qualname": "gunicorn.access"},
    },
    "filters": {"private": {"()": PrivateErrorLog}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stdout",
            "filters": ["private"],
        },
    },
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        }
    },
}
