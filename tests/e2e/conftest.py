"""Browser tests: Debian's Chromium, driven by Playwright, against the live test server.

One browser for all the browser tests and one context per way of reading (with and
without JavaScript, on a phone, in the dark); each test opens its own page in
one of them and closes it. Every request a page makes is recorded, and a test
fails if any of them went to a host other than the live server: readers may be
at risk, and the archive must load nothing from elsewhere.

The browser is never downloaded: when /usr/bin/chromium is missing, every test
here fails (never skips) with a message saying how to install it.
"""

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import sync_playwright

from cases.loader import load_fixture

# Debian's Chromium; CHROMIUM names another build of it (the tests rely on Chromium's behaviour).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home to hosts it cannot reach.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 740}
PHONE_CONTEXT = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"width": 1280, "height": 900}


def pytest_configure(config):
    # pytest-playwright's base_url fixture trips a deprecation in pytest 9; it is not ours to fix.
    config.addinivalue_line(
        "filterwarnings", "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
    )


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}, which is missing. "
            "Install it with `apt-get install chromium fonts-noto-cjk` (.ci/run does this); "
            "never `playwright install`, which downloads a browser.",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="package", autouse=True)
def _database_beside_playwright():
    """Playwright's sync API keeps an event loop in this thread, which Django's
    async-safety check takes for async code. The tests touch the database only
    between browser calls, so allow it while the browser tests run, and only
    then: left set, the variable would leak into the subprocesses that other
    tests start (and ``check --deploy`` rightly refuses it)."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def archive(transactional_db):
    """The archive's real data, committed, so the live server's thread sees it."""
    return load_fixture(settings.ARCHIVE_FIXTURE)


@dataclass
class Site:
    """The live server with the article's data loaded."""

    origin: str

    def url(self, path):
        return self.origin + path


@pytest.fixture
def site(live_server, archive):
    return Site(live_server.url)


@dataclass
class RequestLog:
    """Every URL the pages of one test asked for."""

    urls: list = field(default_factory=list)

    def watch(self, page):
        page.on("request", lambda request: self.urls.append(request.url))
        return page

    def foreign(self, origin):
        """The requests that went anywhere but ``origin`` (``data:`` URLs load nothing from anywhere)."""
        allowed = urlsplit(origin)[:2]
        return [url for url in self.urls if urlsplit(url).scheme != "data" and urlsplit(url)[:2] != allowed]


@pytest.fixture(scope="package")
def playwright():
    """Playwright for the browser tests only, stopped when they end.

    pytest-playwright keeps it for the whole session, but its event loop in
    this thread makes every later database call look async to Django.
    """
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="package")
def browser(playwright, browser_type_launch_args):
    launched = playwright.chromium.launch(**browser_type_launch_args)
    yield launched
    launched.close()


def new_context(browser, **kwargs):
    return browser.new_context(**{"locale": "en-GB", "viewport": DESKTOP, **kwargs})


@pytest.fixture(scope="package")
def contexts(django_db_setup, live_server, browser):
    """One browser context per way of reading, shared by all the browser tests (the site keeps no state).

    Asks for the test database before the browser, so that it is created
    before Playwright starts and dropped after it stops (outside the reach of
    its event loop). Asks for the live server first so that it stops after the browser has
    closed its connections: a request thread still open when the server stops
    would touch a database connection it no longer shares. The server's
    threads close their database connection after each request (persistent
    connections would outlive the test database, which then cannot be dropped).
    """
    max_ages = {alias: options.get("CONN_MAX_AGE") for alias, options in connections.settings.items()}
    for options in connections.settings.values():
        options["CONN_MAX_AGE"] = 0
    made = {
        "javascript": new_context(browser),
        "no-javascript": new_context(browser, java_script_enabled=False),
        "dark": new_context(browser, color_scheme="dark"),
        "phone": new_context(browser, **PHONE_CONTEXT),
    }
    yield made
    for context in made.values():
        context.close()
    for alias, max_age in max_ages.items():
        connections.settings[alias]["CONN_MAX_AGE"] = max_age


@pytest.fixture
def open_page(contexts, site):
    """Opens a page in one of the shared contexts.

    Afterwards the test fails if any of its pages asked another host for
    anything, or if the site set a cookie.
    """
    log = RequestLog()
    pages = []

    def _open(kind="javascript"):
        page = log.watch(contexts[kind].new_page())
        pages.append(page)
        return page

    yield _open
    for page in pages:
        page.close()
    assert log.urls, "no request was recorded: the pages were never loaded"
    assert log.foreign(site.origin) == [], "pages asked other hosts for something"
    assert all(context.cookies() == [] for context in contexts.values()), "the site set a cookie"


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def javascript(request):
    return request.param


@pytest.fixture
def reader(javascript, open_page):
    """A reader's page, with JavaScript on and again with it off: every journey must work both ways."""
    return open_page("javascript" if javascript else "no-javascript")
