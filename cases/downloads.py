"""How the exports are served, so that no number of downloads can starve the pages.

- The export of every case (``/cases.csv``, ``/cases.json`` with no
  parameter) is kept as a file per load under ``EXPORT_ROOT``: the first
  download streams from the database as any export does and writes what it
  sends beside it; once complete, the file is what every later download gets,
  sent by the server (sendfile) with its ``Content-Length``, cacheable, and
  resumable with ``Range``. A new load, a new base address or new code names a
  new file; the old one is removed.
- Any other export streams from the database, at most ``EXPORT_CONCURRENCY``
  at a time on a host (one lock file per slot under ``EXPORT_ROOT``, held
  until the download ends); past that, a 503 with ``Retry-After``.
- Every export says in ``X-Case-Count`` how many cases it holds, so a client
  can tell a CSV that was cut off (the data dictionary on /data/ says so); a
  JSON export cut off is not valid JSON.
"""

import fcntl
import hashlib
import os
import re
import secrets
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date

from .caching import code_version, data_version, validators

COUNT_HEADER = "X-Case-Count"
# Seconds a client is asked to wait when every export slot is taken: about
# what a filtered export of a large archive takes.
RETRY_AFTER = 30
RANGE = re.compile(r"bytes=(\d*)-(\d*)")
BLOCK = 64 * 1024


def export_response(request, filename, content_type, disposition, count, chunks, base_url):
    """The download of an export: ``chunks()`` makes its text; ``count`` is how many cases it holds."""
    prepared = _prepared_path(request, filename, base_url) if not request.GET else None
    if prepared is not None and prepared.exists():
        response = _file_response(request, prepared, content_type)
    elif request.method == "HEAD":
        # The headers only: nothing is read from the database.
        response = StreamingHttpResponse(iter(()), content_type=content_type)
    else:
        slot = _take_slot()
        if slot is None:
            return _busy()
        body = chunks()
        if prepared is not None:
            body = _written_to(body, prepared)
        response = StreamingHttpResponse(body, content_type=content_type)
        response._resource_closers.append(slot.close)  # the slot is free once the download ends
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response[COUNT_HEADER] = str(count)
    return response


def _prepared_path(request, filename, base_url):
    """Where the export of every case of the current load, as ``filename``, is kept."""
    version = data_version(request)
    if version is None:
        return None
    pk, sha, loaded_at = version
    key = hashlib.sha256(f"{code_version()[0]}|{pk}|{sha}|{loaded_at.isoformat()}|{base_url}".encode()).hexdigest()
    return Path(settings.EXPORT_ROOT) / f"{key[:32]}-{filename}"


def _written_to(chunks, path):
    """``chunks`` as bytes, written to ``path`` as they pass; the file appears only when all of them have."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    complete = False
    try:
        with partial.open("wb") as out:
            for chunk in chunks:
                data = chunk.encode()
                out.write(data)
                yield data
        os.replace(partial, path)
        complete = True
        for older in path.parent.glob(f"*-{path.name.split('-', 1)[1]}"):
            if older != path:
                older.unlink(missing_ok=True)
    finally:
        if not complete:  # the client left, or the export failed: keep nothing half written
            partial.unlink(missing_ok=True)


def _file_response(request, path, content_type):
    """The whole file (200), the one byte range asked for (206), or 416 for a range past its end."""
    size = path.stat().st_size
    wanted = _wanted_range(request, size)
    if wanted is None:
        response = FileResponse(path.open("rb"), content_type=content_type)
    elif wanted == ():
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        start, end = wanted
        response = StreamingHttpResponse(_read(path, start, end), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
        _, etag, last_modified = validators(request, data_version(request))
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
    response["Accept-Ranges"] = "bytes"
    return response


def _wanted_range(request, size):
    """(start, end) of a single byte range asked for, () when it lies past the end, None for the whole file.

    A range is honoured only if ``If-Range``, when sent, names the current
    file; several ranges at once are answered with the whole file, as HTTP allows.
    """
    found = RANGE.fullmatch(request.headers.get("Range", "").replace(" ", ""))
    if found is None or found.groups() == ("", ""):
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None:
        _, etag, last_modified = validators(request, data_version(request))
        if if_range not in (etag, http_date(last_modified)):
            return None
    first, last = found.groups()
    if first == "":
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return ()
    return start, end


def _read(path, start, end):
    with path.open("rb") as source:
        source.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            data = source.read(min(BLOCK, remaining))
            if not data:
                return
            remaining -= len(data)
            yield data


def _take_slot():
    """An open, locked slot file (close it to free the slot), or None when all are taken."""
    folder = Path(settings.EXPORT_ROOT) / "slots"
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(settings.EXPORT_CONCURRENCY):
        handle = (folder / f"{number}.lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        return handle
    return None


def _busy():
    response = HttpResponse(
        "Every export slot is taken: other downloads are being prepared. Try again in a little while; "
        "the export of every case (/cases.csv or /cases.json with no filter) is always available.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
