import shutil

import pytest
from django.conf import settings

from bench.synthetic import write_fixture
from cases.loader import load_fixture


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite, the test database is a file, as the site's is, not one in memory.

    Django hands an in-memory database's one connection to every thread of the
    live server, so concurrent requests would share one transaction; with a
    file each thread has its own connection, and reads a snapshot of its own.
    """
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "test.sqlite3")


@pytest.fixture(autouse=True)
def release_dir(settings, tmp_path_factory):
    """Full releases written during a test go to a directory of the test's own, never to var/."""
    settings.ARCHIVE_RELEASE_DIR = tmp_path_factory.mktemp("releases")
    return settings.ARCHIVE_RELEASE_DIR


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    """Each test keeps the export files it prepares (cases/downloads.py) to itself.

    The test client closes a streamed answer (freeing its export slot) only
    once its body is read, and many tests never read it, so tests have slots
    to spare; tests/test_downloads.py checks the bound itself.
    """
    settings.EXPORT_ROOT = tmp_path / "exports"
    settings.EXPORT_CONCURRENCY = 100
    return settings.EXPORT_ROOT


@pytest.fixture
def fixture_dir(tmp_path):
    """A copy of the real fixture folder that a test may break."""
    shutil.copytree(settings.ARCHIVE_FIXTURE.parent, tmp_path / "fixtures")
    return tmp_path / "fixtures"


@pytest.fixture
def article(db):
    """The archive's real data: the CNA article's fixture, loaded as `make run` loads it."""
    return load_fixture(settings.ARCHIVE_FIXTURE)


@pytest.fixture(scope="session")
def synthetic_fixture(tmp_path_factory):
    """Write a synthetic fixture folder (bench/synthetic.py), once per size and seed in a run; return its archive.json."""
    written = {}

    def write(cases, seed):
        if (cases, seed) not in written:
            folder = tmp_path_factory.mktemp(f"synthetic-{cases}-{seed}")
            written[cases, seed] = write_fixture(folder, cases=cases, seed=seed)
        return written[cases, seed]

    return write


@pytest.fixture
def load_synthetic(synthetic_fixture):
    """Load a synthetic archive of ``cases`` cases with the loader curators use (the test asks for the database)."""

    def load(cases, seed):
        return load_fixture(synthetic_fixture(cases, seed))

    return load


# Tests marked `postgresql` need PostgreSQL itself (roles, privileges). On SQLite
# they are skipped, and say so. On PostgreSQL a full run (`make test` with a
# postgres:// DATABASE_URL, as CI runs it) fails unless at least one of them ran
# and passed, so a skip, a lost marker or a deselection cannot pass for coverage.
POSTGRESQL_ONLY = "postgresql"
_postgresql_passed = []


def _on_postgresql():
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_configure(config):
    config.addinivalue_line("markers", f"{POSTGRESQL_ONLY}: runs on PostgreSQL only; a full PostgreSQL run requires it")


def pytest_collection_modifyitems(config, items):
    if _on_postgresql():
        return
    skip = pytest.mark.skip(reason="PostgreSQL only: run with DATABASE_URL=postgres://...")
    for item in items:
        if item.get_closest_marker(POSTGRESQL_ONLY):
            item.add_marker(skip)


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed and POSTGRESQL_ONLY in report.keywords:
        _postgresql_passed.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    full_run = (
        config.args_source == pytest.Config.ArgsSource.TESTPATHS
        and not config.option.keyword
        and not config.option.markexpr
    )
    if _on_postgresql() and full_run and exitstatus == pytest.ExitCode.OK and not _postgresql_passed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        config._postgresql_missing = True


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if getattr(config, "_postgresql_missing", False):
        terminalreporter.write_sep("=", "PostgreSQL-only tests did not run", red=True)
        terminalreporter.write_line(
            f"This full run is on PostgreSQL, but no test marked `{POSTGRESQL_ONLY}` passed: "
            "the read-only role was not checked. The run fails."
        )
