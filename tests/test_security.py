"""Every answer protects its reader: privacy and security headers, no writes, nothing from other hosts.

The pages come from the URL resolver (tests/pages.py), so a page added later is
covered by every test here without being listed.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from cases.middleware import url_problem

from .pages import every_page, pages_for, url_names

WRITE_METHODS = ["post", "put", "patch", "delete", "options", "trace"]
# Beside the named routes: a static file, an address that names nothing, a bad request.
OTHER_URLS = ["/static/css/archive.css", "/no/such/page/", "/cases/?q=%00"]


def assert_protective_headers(response):
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().partition(" ")[::2] for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "http" not in csp, "the policy allows another host"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    for feature in ("camera", "microphone", "geolocation", "interest-cohort"):
        assert f"{feature}=()" in response["Permissions-Policy"]
    assert not response.cookies, "the site sets no cookie"


@pytest.mark.parametrize("name", url_names())
def test_every_page_answers_as_expected_with_protective_headers(client, article, name):
    for page in pages_for(name):
        response = client.get(page.url)
        assert response.status_code == page.expected_status, page
        assert_protective_headers(response)


@pytest.mark.parametrize("url", OTHER_URLS)
def test_static_files_and_error_answers_carry_the_same_headers(client, db, url):
    response = client.get(url)
    assert response.status_code in (200, 400, 404)
    assert_protective_headers(response)


def test_the_url_list_covers_every_contract_page():
    names = set(url_names())
    for name in ("home", "case-list", "case-detail", "case-cite", "cases-csv", "cases-json", "case-json"):
        assert name in names
    for name in ("feed", "person-detail", "place-detail", "source-list", "source-detail", "sitemap", "robots"):
        assert name in names


# Cookies a browser, a scanner or another site on the same domain might send.
HOSTILE_COOKIES = [
    "csrftoken=y",
    "csrftoken=" + "a" * 32,
    "csrftoken=" + "A1" * 32,
    "sessionid=x; csrftoken=",
    "django_language=kk",
    "=; ;;; csrftoken",
    "csrftoken=%00\u00e9",
]


@pytest.mark.parametrize("cookie", HOSTILE_COOKIES)
def test_no_answer_sets_a_cookie_whatever_cookies_the_request_carries(client, article, cookie):
    for url in [page.url for page in every_page()] + OTHER_URLS:
        for method in ("get", "head", "post"):
            response = getattr(client, method)(url, headers={"cookie": cookie})
            assert not response.cookies, (method, url, cookie)
            assert "Set-Cookie" not in response.headers, (method, url, cookie)


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_writes_are_refused_on_every_page_with_405(client, article, method):
    urls = [page.url for page in every_page()] + OTHER_URLS
    for url in urls:
        response = client.generic(method.upper(), url)
        assert response.status_code == 405, url
        assert response["Allow"] == "GET, HEAD"
        assert "read-only" in response.content.decode()
        assert_protective_headers(response)


def test_a_write_with_a_body_and_a_bad_host_is_still_refused_as_a_write(client, db):
    response = client.post("/cases/", {"title": "x"}, headers={"host": "evil.example"})
    assert response.status_code == 405


def test_head_answers_with_the_headers_of_get_and_no_body(client, article):
    get = client.get("/")
    head = client.head("/")
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == get["Content-Length"] == str(len(get.content))
    assert head["Content-Security-Policy"] == get["Content-Security-Policy"]


class _Resources(HTMLParser):
    """Collects, from one HTML page, every address the browser would load and every link out."""

    LOADING_ATTRIBUTES = {"src", "srcset", "poster", "data", "action", "formaction", "background", "ping"}
    # A <link> the browser fetches by itself; others (canonical, license, schema.DC...) only name an address.
    LOADING_RELS = {
        "stylesheet", "icon", "apple-touch-icon", "mask-icon", "manifest", "preload", "prefetch",
        "modulepreload", "preconnect", "dns-prefetch", "prerender",
    }  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loads = []  # (tag, attribute, address) a browser fetches without a click
        self.links = []  # (address, rel) of <a> and <area>
        self.inline_styles = []
        self.inline_scripts = []
        self.embeds = []

    @staticmethod
    def _runs(script_type):
        """Whether a <script> of this type is executed; a data block (application/ld+json) is not."""
        script_type = (script_type or "").strip().lower()
        return script_type in ("", "module", "text/javascript", "application/javascript", "application/ecmascript")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline_styles.append(tag)
        if tag == "style":
            self.inline_styles.append("<style>")
        if tag == "script" and "src" not in attrs and "nonce" not in attrs and self._runs(attrs.get("type")):
            self.inline_scripts.append(attrs)
        if tag in ("iframe", "embed", "object", "frame", "portal"):
            self.embeds.append(tag)
        if any(name.startswith("on") for name in attrs):
            self.inline_scripts.append(attrs)
        if tag in ("a", "area"):
            if attrs.get("href"):
                self.links.append((attrs["href"], attrs.get("rel") or ""))
        elif tag == "link" and set((attrs.get("rel") or "").lower().split()) & self.LOADING_RELS:
            self.loads.append((tag, "href", attrs.get("href") or ""))
        for name in self.LOADING_ATTRIBUTES & attrs.keys():
            for address in (attrs[name] or "").split(","):
                self.loads.append((tag, name, address.strip().split(" ")[0]))


def _is_other_host(address):
    parts = urlsplit(address)
    if parts.scheme in ("javascript", "vbscript"):
        return True
    return bool(parts.netloc) and parts.netloc != "testserver"


def _html_pages(client):
    for page in every_page():
        response = client.get(page.url, follow=True)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            yield page, response.content.decode()


def test_pages_load_nothing_from_other_hosts_and_link_out_without_referrer(client, article):
    checked = 0
    for page, html in _html_pages(client):
        resources = _Resources()
        resources.feed(html)
        assert not [load for load in resources.loads if _is_other_host(load[2])], page
        assert not resources.embeds, page
        assert not resources.inline_styles, f"{page}: inline styles are blocked by the policy"
        assert not resources.inline_scripts, f"{page}: inline scripts are blocked by the policy"
        for address, rel in resources.links:
            if _is_other_host(address):
                assert {"noopener", "noreferrer"} <= set(rel.split()), (page, address)
        checked += 1
    assert checked >= 1


def test_the_link_checker_sees_a_link_out_without_noreferrer():
    resources = _Resources()
    resources.feed(
        '<a href="https://example.org/a" rel="noopener">x</a><img src="//cdn.example/i.png">'
        '<link rel="schema.DC" href="http://purl.org/dc/terms/"><link rel="Stylesheet" href="https://cdn.example/a.css">'
        '<p style="color:red"></p><script>alert(1)</script><script type="application/ld+json">{}</script>'
    )
    assert resources.links == [("https://example.org/a", "noopener")]
    assert [load[2] for load in resources.loads] == ["//cdn.example/i.png", "https://cdn.example/a.css"]
    assert _is_other_host(resources.links[0][0]) and _is_other_host(resources.loads[0][2])
    assert resources.inline_styles == ["p"] and len(resources.inline_scripts) == 1


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "",
        "a b",
        "localhost:port",
        "[::1",
        "127.0.0.1@evil.example",
        "localhost/evil",
        "localhost:80:80",
        "localhost\x00",
        "l" * 300,
    ],
)
@pytest.mark.parametrize("url", ["/", "/cases/", "/static/css/archive.css", "/no/such/page/"])
def test_a_malformed_or_foreign_host_header_answers_400(client, db, host, url):
    response = client.get(url, headers={"host": host})
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()
    assert_protective_headers(response)


@pytest.mark.parametrize(
    "url",
    [
        "/" + "a" * 5000,
        "/cases/" + "x" * 4100 + "/",
        "/cases/?q=" + "%C3%A9" * 700,
        "/cases/?" + "&".join(["p"] * 1001),
        "/static/css/archive.css?" + "v" * 5000,
    ],
    ids=["long-path", "long-ref", "long-query", "too-many-parameters", "long-static"],
)
def test_an_overlong_address_answers_400(client, db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/cases.csv?q=%00",
        "/cases.csv?q=Baibolat%00",
        "/cases.csv?q%00=1",
        "/cases.csv?kind=detention&place=%1B%5B31m",
        "/cases.csv?q=%7F",
        "/cases.csv?q=%C2%85",
        "/cases.csv?q=a%0Ab",
        "/cases.csv?q=%FF%FE",
        "/cases.csv?q=%C3%28",
        "/%00/",
        "/cases/abc%00de/",
        "/sources/%0A/",
        "/static/css/archive.css%00",
        "/people/a%C2%9Bb/",
    ],
)
def test_control_characters_and_broken_utf8_answer_400_before_any_query(client, db, django_assert_num_queries, url):
    with django_assert_num_queries(0):
        response = client.get(url)
    assert response.status_code == 400
    assert "could not be understood" in response.content.decode()


@pytest.mark.parametrize("query", ["q=%00", "q=Baibolat%00", "place=%1B%5B31m", "q=%7F", "q=a%0Ab"])
def test_the_case_list_refuses_control_characters_beside_the_field(client, db, query):
    # The list's own form refuses them, so the reader sees which field was wrong.
    response = client.get(f"/cases/?{query}")
    assert response.status_code == 400
    assert 'class="field-error"' in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/cases/?q=%E5%93%88%E8%90%A8%E5%85%8B",
        "/cases/?q=%D0%91%D0%B0%D0%B9%D0%B1%D0%BE%D0%BB%D0%B0%D1%82",
        "/cases/?q=a+b&q=c",
        "/cases/?q=100%25",
        "/cases/?q=%zz",
        "/cases/?q=",
        "/cases/?&&=&",
        "/cases/?q=" + "%E5%93%88" * 200,
        "/people/%D0%91/",
    ],
)
def test_printable_text_in_any_script_passes_the_sanity_check(rf, url):
    assert url_problem(rf.get(url)) is None
