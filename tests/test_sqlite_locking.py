"""On SQLite, a load and the requests reading the archive do not wait for each other or fail."""

import os
import subprocess
import sys
import threading

from django.conf import settings
from django.db.utils import ConnectionHandler

WAIT = 60  # seconds: only reached when something is stuck


def sqlite_database(path):
    """Connections to an SQLite file with the archive's options, one for each thread that asks."""
    return ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path), "OPTIONS": settings.SQLITE_OPTIONS}}
    )


def test_a_load_commits_while_a_request_reads_and_the_request_sees_one_archive(tmp_path, django_db_blocker):
    database = sqlite_database(tmp_path / "archive.sqlite3")
    written, reading, committed = threading.Event(), threading.Event(), threading.Event()
    seen, failures = [], []

    def load():
        connection = database["default"]
        try:
            cursor = connection.cursor()
            cursor.execute("BEGIN")
            cursor.execute("INSERT INTO record VALUES (2)")
            written.set()
            reading.wait(WAIT)
            cursor.execute("COMMIT")  # while the request still reads
        except Exception as error:
            failures.append(error)
        finally:
            committed.set()
            connection.close()

    def request():
        connection = database["default"]
        try:
            written.wait(WAIT)
            cursor = connection.cursor()
            cursor.execute("BEGIN")
            seen.append(cursor.execute("SELECT n FROM record ORDER BY n").fetchall())
            reading.set()
            committed.wait(WAIT)
            seen.append(cursor.execute("SELECT n FROM record ORDER BY n").fetchall())
            cursor.execute("COMMIT")
            seen.append(cursor.execute("SELECT n FROM record ORDER BY n").fetchall())
        except Exception as error:
            failures.append(error)
        finally:
            reading.set()
            connection.close()

    with django_db_blocker.unblock():
        setup = database["default"]
        setup.cursor().execute("CREATE TABLE record (n integer)")
        setup.cursor().execute("INSERT INTO record VALUES (1)")
        assert setup.cursor().execute("PRAGMA journal_mode").fetchone() == ("wal",)
        setup.close()
        threads = [threading.Thread(target=load), threading.Thread(target=request)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT * 2)
    assert failures == []
    # Before the commit, and during the request's reads after it: the old archive, whole. After: the new one.
    assert seen == [[(1,)], [(1,)], [(1,), (2,)]]


def test_the_site_s_sqlite_database_keeps_a_write_ahead_log_and_waits_for_locks(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment["SQLITE_PATH"] = str(tmp_path / "archive.sqlite3")
    script = (
        "from django.db import connection; cursor = connection.cursor(); "
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0], cursor.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        capture_output=True,
        text=True,
        env=environment,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", str(settings.SQLITE_OPTIONS["timeout"] * 1000)]
