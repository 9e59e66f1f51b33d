import pytest

from .factories import make_case


def test_home_says_what_the_archive_is_and_counts_it(client, article):
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "exact words of the source" in text
    assert "<dt>Cases</dt><dd>6</dd>" in text
    assert "<dt>Sources</dt><dd>1</dd>" in text
    assert "<dt>People and organisations</dt><dd>6</dd>" in text
    assert "Baibolat Kunbolat arrested at his picket in Almaty" in text


def test_home_on_an_empty_archive(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "No cases have been loaded yet." in response.content.decode()


def test_home_query_count_does_not_grow_with_cases(client, db, django_assert_max_num_queries):
    for _ in range(12):
        make_case()
    with django_assert_max_num_queries(13):  # ten, and three for the timeline and the map
        client.get("/")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize("url", ["/", "/cases/", "/no/such/page/"])
def test_writes_are_refused_everywhere(client, db, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "read-only" in response.content.decode()


def test_unknown_page_answers_404_with_the_archive_page(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_pages_load_nothing_from_other_hosts(client, db):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
