"""One load, read whole: the transaction each request, and each release, reads the archive in.

A load replaces the archive's records in one transaction (cases/loader.py),
but a request reads in several queries, and a streamed export keeps reading
chunk after chunk after its view has returned. Read in autocommit, a request
that spans a load's commit mixes the two loads: rows whose people are gone,
a count that is not the number of rows, a record whose place no longer
exists. So everything a request reads, up to the last byte of a streamed
answer, is read in one transaction that sees the archive as of one moment:

- on PostgreSQL, REPEATABLE READ and READ ONLY: the transaction's first query
  fixes what it sees, and a load committed after it is not seen at all;
- on SQLite, a deferred ``BEGIN``: in write-ahead-log mode (archive/settings.py)
  the transaction's first read fixes what it sees, until it ends.

Management commands do not pass through here: ``loadarchive`` writes with the
database's default isolation (READ COMMITTED on PostgreSQL).
"""

from contextlib import ExitStack, contextmanager

from django.db import connection, transaction

# A PostgreSQL transaction's first statement: it reads as of one moment, and writes nothing.
SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"


@contextmanager
def snapshot():
    """Everything read inside is read as of one moment.

    Inside a transaction already (a request's, or a test's), it adds nothing:
    that transaction is the one read in. Opening the transaction runs the
    connection's health check (CONN_HEALTH_CHECKS) first, so a connection the
    server has ended is replaced before anything is read.
    """
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(SNAPSHOT)
        yield


class SnapshotMiddleware:
    """Reads each request in one snapshot(), held until its answer is closed.

    The WSGI server closes the answer once it has sent the last byte, or once
    the client has gone (gunicorn and Django's own server call ``close()`` in
    both cases); only then does the transaction end. A streamed export is
    therefore read in the same transaction as the view that started it, and a
    reader who leaves mid-download frees the connection at once. The
    transaction ends before Django's ``request_finished`` handler decides
    whether to keep the connection, so a kept connection is always back in
    autocommit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with ExitStack() as reading:
            reading.enter_context(snapshot())
            response = self.get_response(request)
            # Moved out of the with block: the snapshot ends when the answer is closed, not here.
            response._resource_closers.append(reading.pop_all().close)
        return response
