"""One address, one answer: dot segments, doubled slashes and unknown parameters redirect to the clean address.

Whatever a worker holds in its page cache, an address not written the site's
one way is answered with the same redirect, so no worker answers 200 where
another answers 404, and no made-up parameter skips or splits the cache.
"""

import pytest
from django.core.cache import cache

from .pages import every_page, pages_for


def case_url():
    return pages_for("case-detail")[0].url


def get_raw_path(client, path, **headers):
    """GET with PATH_INFO as sent: the test client would read "//host/..." as a host."""
    return client.get("/", PATH_INFO=path, headers=headers)


def unclean(url):
    """Ways to write ``url`` (/cases/<ref>/) that resolve to it."""
    head, tail = url.rstrip("/").rsplit("/", 1)
    return [
        f"/{url}",
        f"/x/..{url}",
        f"{head}/./{tail}/",
        f"{head}//{tail}/",
        f"{url}.",
        f"{url}x/..",
    ]


@pytest.mark.parametrize("warm", [False, True], ids=["cold cache", "page cached"])
def test_an_address_with_dot_segments_or_doubled_slashes_redirects_to_the_clean_one(client, article, warm):
    url = case_url()
    cache.clear()
    if warm:
        assert client.get(url).status_code == 200
    for path in unclean(url):
        response = get_raw_path(client, path)
        assert response.status_code == 301, path
        assert response["Location"] == url, path
    # A host where the path begins is a path segment like any other, not the site's own host.
    response = get_raw_path(client, f"//testserver{url}")
    assert response.status_code == 301
    assert response["Location"] == f"/testserver{url}"


def test_a_host_in_the_path_is_never_where_the_redirect_goes(client, article):
    response = get_raw_path(client, "//evil.example/cases/")
    assert response.status_code == 301
    assert response["Location"] == "/evil.example/cases/"
    assert client.get(response["Location"]).status_code == 404


def test_the_query_is_kept_when_only_the_path_is_cleaned(client, article):
    response = client.get("/./cases/", {"q": "Kumbolat", "kind": "detention"})
    assert response["Location"] == "/cases/?q=Kumbolat&kind=detention"


def test_an_unknown_parameter_on_any_page_redirects_to_the_address_without_it(client, article):
    for page in every_page():
        cache.clear()
        response = client.get(page.url, {"cb": "1"})
        assert response.status_code == 301, page
        assert response["Location"] == page.url, page
        # Warm or cold, the same answer.
        client.get(page.url)
        assert client.get(page.url, {"cb": "2"})["Location"] == page.url, page


@pytest.mark.parametrize(
    ("query", "clean"),
    [
        ("q=Kumbolat&cb=1", "/cases/?q=Kumbolat"),
        ("cb=1&kind=protest&utm_source=x", "/cases/?kind=protest"),
        ("kind=protest&kind=detention", "/cases/?kind=detention"),
        ("page=2&page=1&q=a", "/cases/?page=1&q=a"),
        ("q=%C3%A9%20x&x=1", "/cases/?q=%C3%A9+x"),
    ],
)
def test_the_case_list_keeps_its_own_parameters_once_and_drops_the_rest(client, article, query, clean):
    response = client.get(f"/cases/?{query}")
    assert response.status_code == 301
    assert response["Location"] == clean


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("/cases.csv?q=a&page=2", "/cases.csv?q=a"),
        ("/feed/?kind=protest&format=rss", "/feed/?kind=protest"),
        ("/people/?page=1&sort=name", "/people/?page=1"),
        ("/robots.txt?x", "/robots.txt"),
    ],
)
def test_every_page_keeps_only_the_parameters_it_reads(client, article, url, clean):
    response = client.get(url)
    assert response.status_code == 301
    assert response["Location"] == clean


def test_a_clean_address_is_answered_as_before(client, article):
    assert client.get("/cases/", {"q": "Kumbolat", "kind": "detention", "page": "1"}).status_code == 200
    assert client.get("/people/", {"page": "1"}).status_code == 200
