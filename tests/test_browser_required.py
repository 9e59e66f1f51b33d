"""Without Chromium the browser tests fail, loudly and with the fix: they never skip."""

import os
import re
import subprocess
import sys

from django.conf import settings


def test_browser_tests_fail_and_say_how_to_install_chromium_when_it_is_missing(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["CHROMIUM"] = str(tmp_path / "no-chromium-here")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/e2e/test_print.py", "-p", "no:cacheprovider", "-q", "-rfEs"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout
    assert "skipped" not in result.stdout and "passed" not in result.stdout
    assert re.search(r"\b\d+ errors? in ", result.stdout)
    assert f"need Chromium at {tmp_path / 'no-chromium-here'}, which is missing" in result.stdout
    assert "apt-get install chromium" in result.stdout
