"""Screenshots of the main pages for docs/screenshots/, taken from the live test server.

Not part of the test suite (the file name keeps pytest from collecting it);
`make screenshots` runs it. Each shot is the page as a reader first sees it,
on a desktop and on a phone, and one page also in the dark colour scheme.
"""

from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.conftest import DESKTOP, PHONE_CONTEXT, new_context

OUT = Path(settings.BASE_DIR) / "docs" / "screenshots"

# name, path, and the ways of reading to show it in.
SHOTS = [
    ("home", "/", ("desktop", "phone")),
    ("list", "/cases/?place=almaty", ("desktop", "phone")),
    ("case", "/cases/ha3c3r/", ("desktop", "phone", "desktop-dark", "phone-dark")),
    ("source", "/sources/kazakh-anti-communist-heats-up-again/#q-4", ("desktop",)),
    ("person", "/people/baibolat-kunbolat/", ("desktop",)),
    ("data", "/data/", ("desktop",)),
    ("place", "/places/almaty/", ("desktop",)),
    ("not-found", "/no/such/page/", ("desktop",)),
]
CONTEXTS = {"desktop": "javascript", "phone": "phone", "desktop-dark": "dark", "phone-dark": "phone-dark"}


@pytest.fixture(scope="module")
def phone_dark(browser, contexts):
    context = new_context(browser, **PHONE_CONTEXT, color_scheme="dark")
    contexts["phone-dark"] = context
    yield
    del contexts["phone-dark"]
    context.close()


@pytest.mark.parametrize(("name", "path", "views"), SHOTS, ids=[shot[0] for shot in SHOTS])
def test_screenshot(open_page, site, phone_dark, name, path, views):
    OUT.mkdir(parents=True, exist_ok=True)
    for view in views:
        page = open_page(CONTEXTS[view])
        page.goto(site.url(path))
        # The first screenful and a little more: enough to judge the page, small enough to keep in git.
        height = min(page.evaluate("document.documentElement.scrollHeight"), 2 * DESKTOP["height"])
        width = page.viewport_size["width"]
        page.screenshot(
            path=OUT / f"{name}-{view}.png", full_page=True, clip={"x": 0, "y": 0, "width": width, "height": height}
        )
