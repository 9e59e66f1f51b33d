"""What the logs may say: what was served and what failed, never what a reader sent.

A search, a page number, a Host header or any other value a reader sends can
name someone, so no log line holds one. Django puts a client error's own
message in its log line ("page='…' is not a page number", "Invalid HTTP_HOST
header: '…'"), so ``ClientErrorsInBrief`` rewrites every client error to its
status, reason and path, and drops its traceback: hostile traffic is
expected, and only 5xx are ours to debug. gunicorn's own messages are
filtered in archive/gunicorn.conf.py to the same rule.
"""

import logging
from http import HTTPStatus
from urllib.parse import quote

# Characters a path keeps as they are in a log line; anything else is
# percent-encoded, so a crafted address cannot write control characters.
PATH_SAFE = "/-._~!$&'()*+,;=:@"


def logged_path(path):
    """``path`` (text, or bytes as sent) as a log line shows it: percent-encoded, never with a query."""
    if isinstance(path, str):
        path = path.encode("utf-8", "surrogateescape")
    return quote(path, safe=PATH_SAFE)


class ClientErrorsInBrief(logging.Filter):
    """A 4xx (and any ``django.security`` refusal) is logged as "400 Bad Request: /path", nothing more."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status is None and not record.name.startswith("django.security"):
            return True
        if status is None or status < 500:
            status = status or HTTPStatus.BAD_REQUEST
            request = getattr(record, "request", None)
            path = logged_path(request.path) if request is not None else "-"
            record.msg = "%s %s: %s"
            record.args = (status, HTTPStatus(status).phrase, path)
            record.exc_info = None
            record.exc_text = None
        return True
