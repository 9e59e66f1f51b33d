"""The site runs under a PostgreSQL role that may only SELECT, so not even a bug can write.

The test switches its connection to such a role (SET LOCAL ROLE, undone with
the test's transaction) after loading the data as the owner, then asks for
every page: each answers as it does for the owner. Writes, the loader and
DDL fail with "permission denied". PostgreSQL only: see tests/conftest.py.
"""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from cases.loader import load_fixture
from cases.models import Case, DataLoad

from .pages import every_page

pytestmark = pytest.mark.postgresql

READER = "archive_test_reader"


@pytest.fixture
def as_reader(article):
    """The connection, inside the test's transaction, as a role with USAGE and SELECT only."""
    with connection.cursor() as cursor:
        # CREATE ROLE is transactional: the role, its grants and the SET LOCAL
        # all vanish with the test's rollback. Concurrent runs wait, then succeed.
        cursor.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER}') "
            f"THEN CREATE ROLE {READER} NOLOGIN; END IF; END $$"
        )
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {READER}")
        cursor.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER}")
        cursor.execute(f"SET LOCAL ROLE {READER}")
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == READER
    return article


def assert_permission_denied(write):
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        write()


def test_every_page_answers_under_a_select_only_role(client, as_reader):
    pages = every_page()
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == page.expected_status, page
    assert len(pages) > 20, "every route is requested"


def test_writes_fail_under_the_select_only_role(as_reader):
    assert_permission_denied(lambda: Case.objects.update(title="changed"))
    assert_permission_denied(lambda: DataLoad.objects.all().delete())
    assert_permission_denied(lambda: DataLoad.objects.create(loaded_at="2026-01-01T00:00Z", fixture_sha256="0" * 64))


def test_the_loader_and_schema_changes_fail_under_the_select_only_role(as_reader, settings):
    assert_permission_denied(lambda: load_fixture(settings.ARCHIVE_FIXTURE, force=True))

    def create_table():
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE written_by_the_site (id int)")

    assert_permission_denied(create_table)
    assert Case.objects.count() == 6


def test_serve_start_up_steps_only_read_when_the_data_is_current(as_reader, capsys):
    """`make serve` runs migrate and loadarchive first: with nothing new, a reader can run both."""
    with transaction.atomic():
        call_command("migrate", "--no-input", verbosity=1)
        call_command("loadarchive")
    output = capsys.readouterr().out
    assert "No migrations to apply." in output
    assert "is already loaded" in output
