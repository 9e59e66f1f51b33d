"""Settings come from the environment and fail loudly on bad values."""

import os
import subprocess
import sys

import pytest


def django_check(**env):
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "ARCHIVE_BASE_URL"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], capture_output=True, text=True, env=environment, timeout=120
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ARCHIVE_ENV": "production", "ALLOWED_HOSTS": "example.org"}, "SECRET_KEY must be set"),
        ({"ARCHIVE_ENV": "production", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS must be set"),
        (
            {"ARCHIVE_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a", "DEBUG": "1"},
            "DEBUG must be off",
        ),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        (
            {"ARCHIVE_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a"},
            "ARCHIVE_BASE_URL must be set when ARCHIVE_ENV=production",
        ),
        ({"ARCHIVE_BASE_URL": "https://a.example/x/"}, "must be a scheme and a host"),
        ({"ARCHIVE_CONTACT": "the editors"}, "ARCHIVE_CONTACT='the editors' must be an e-mail address"),
        ({"ARCHIVE_CONTACT": "http://example.org/contact"}, "must be an e-mail address or an https:// address"),
        ({"ARCHIVE_ENV": "staging"}, "ARCHIVE_ENV='staging' must be one of"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must name a PostgreSQL"),
        ({"CONN_MAX_AGE": "soon", "DATABASE_URL": "postgres://u@127.0.0.1/x"}, "CONN_MAX_AGE='soon'"),
    ],
)
def test_bad_settings_stop_start_up_with_a_message(env, message):
    result = django_check(**env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_what_it_needs():
    result = django_check(
        ARCHIVE_ENV="production",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="archive.example.org",
        ARCHIVE_BASE_URL="https://archive.example.org",
    )
    assert result.returncode == 0, result.stderr


def test_debug_is_off_unless_asked_for(settings):
    assert "DEBUG" not in os.environ or os.environ["DEBUG"].lower() in {"0", "false", "no", "off", ""}
    assert settings.DEBUG is False
