"""The request log that every browser test checks: it must catch a request to another host."""

from tests.e2e.conftest import RequestLog


def test_the_request_log_catches_a_request_to_another_host(contexts, site):
    log = RequestLog()
    page = log.watch(contexts["javascript"].new_page())
    try:
        # Refuse anything that is not the live server, so the test never waits on the network.
        page.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith(site.origin) else route.abort()
        )
        page.goto(site.url("/"))
        with page.expect_request("http://192.0.2.1/pixel.png"):
            page.evaluate("document.body.append(Object.assign(new Image(), {src: 'http://192.0.2.1/pixel.png'}))")
    finally:
        page.close()
    assert site.url("/") in log.urls
    assert log.foreign(site.origin) == ["http://192.0.2.1/pixel.png"]


def test_the_request_log_allows_data_urls_and_the_site_itself(site):
    log = RequestLog(urls=[site.url("/"), site.url("/static/css/archive.css"), "data:image/png;base64,AAAA"])
    assert log.foreign(site.origin) == []
