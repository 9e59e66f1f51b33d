"""Arbitrary input never breaks the site: every answer is 2xx, 3xx, 400, 404, 405 or 410, never 5xx.

Hypothesis throws unicode, control characters, NUL bytes, very long values,
repeated and unknown parameters and odd percent-encoding at every query
parameter and every path segment of every route (found from the resolver,
tests/pages.py), and arbitrary conditional, range and forwarding headers at
every page, on whichever database the suite runs on. Runs are
derandomized so that CI sees the same examples every time, and bounded so the
suite stays fast; the test client re-raises any exception a view lets escape,
so a failure shows its traceback.
"""

import string
from urllib.parse import quote, quote_plus

import pytest
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cases import search

from .pages import pages_for, parameters, url_names

# 412: a conditional request whose If-Match or If-Unmodified-Since fails, as HTTP says.
ALLOWED = {400, 404, 405, 410, 412}
LIST_PARAMETERS = ["q", "kind", "place", "person", "date_from", "date_to", "date_match", "sort", "page"]

fuzz = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_answered(response, url):
    status = response.status_code
    assert 200 <= status < 400 or status in ALLOWED, f"{status} for {url!r}"


# Values a reader, a crawler or an attacker might send.
_WORDS = """
    0 -1 1 2 999999999999999999999999 1e9 1.5 NaN -0 0x10
    2021 2021-02 2021-02-01 2021-13-40 2021-02-30 0000 0001-01-01 9999-12-31 10000 2021/2022 2018~ 2018? -2021
    2021-02-01T00:00 .. overlaps within OVERLAPS detention protest Detention newest oldest -date date title
    relevance ref almaty xinjiang china baibolat-kunbolat no-such-slug ../../etc/passwd % %% {{7*7}} {%debug%}
    Баймурат Бәйболат 哈萨克 ǅ ﬁ ß İ
"""
SPECIAL_VALUES = [
    *_WORDS.split(),
    *["", " ", "' OR 1=1 --", '"; DROP TABLE cases_case; --', "<script>alert(1)</script>"],
    *["\x00", "a\x00b", "\x1b[31m", "\u202e", "\ufeff", "\u200b", "\U0001f600", "Qazaq\u0307"],
    *["a" * 200, "a" * 201, "й" * 201, "a" * 5000],
]
# Percent-encoding a browser would never send.
ODD_ENCODINGS = ["%", "%G", "%zz", "%C3%28", "%FF", "%ED%A0%80", "%F4%90%80%80", "%C0%AF", "%E2%82", "%25", "+", "%2B"]


CONTROL_CHARACTERS = st.characters(max_codepoint=0x9F).filter(lambda char: not char.isprintable() or char == "\x7f")


def values():
    return st.one_of(
        st.sampled_from(SPECIAL_VALUES),
        st.text(max_size=40),
        # Printable text with a control character (NUL among them) somewhere inside.
        st.tuples(st.text(max_size=8), CONTROL_CHARACTERS, st.text(max_size=8)).map("".join),
        st.text(alphabet=string.digits + "-~?/.", max_size=12),
        st.text(min_size=150, max_size=400),
        st.builds(lambda c, n: c * n, st.characters(), st.integers(200, 3000)),
    )


def encoded(value):
    return quote_plus(value, safe="")


def raw_fragments():
    """Query-string text as sent on the wire: odd escapes, arbitrary bytes, stray separators."""
    return st.one_of(
        st.sampled_from(ODD_ENCODINGS),
        st.binary(max_size=8).map(lambda data: "".join(f"%{byte:02X}" for byte in data)),
        st.sampled_from(["&", "&&", "=", "==", ";", "&=&"]),
    )


def query_pairs(names):
    name = st.one_of(st.sampled_from(names), st.text(max_size=12))
    pair = st.one_of(
        st.tuples(name, values()).map(lambda pair: f"{encoded(pair[0])}={encoded(pair[1])}"),
        st.tuples(name, raw_fragments()).map(lambda pair: f"{encoded(pair[0])}={pair[1]}"),
        raw_fragments(),
        name.map(encoded),  # a name with no "="
    )
    return st.lists(pair, max_size=6)


def query_strings(names=LIST_PARAMETERS):
    # A repeated parameter (kind=a&kind=b) is drawn often: names come from a short list.
    return query_pairs(names).map("&".join)


def path_segments():
    return st.one_of(
        values().map(lambda value: quote(value, safe="")),
        raw_fragments().filter(lambda fragment: fragment not in ("&", "&&", "&=&")),
        st.lists(values().map(lambda value: quote(value, safe="")), min_size=2, max_size=4).map("/".join),
    )


# Parameters restricted to a fixed set keep a real value; every other one is fuzzed.
FIXED_PARAMETERS = {"format": "bib", "version": "0123456789ab", "suffix": "csv"}


def route_with_holes(name):
    """The route's path with a placeholder ("hole") for each parameter that can be replaced freely."""
    for fixed in ({}, FIXED_PARAMETERS):
        kwargs = {
            parameter: fixed.get(parameter, f"zzhole{index}zz") for index, parameter in enumerate(parameters(name))
        }
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
        return url, [value for parameter, value in kwargs.items() if parameter not in fixed]
    raise LookupError(f"tests/test_fuzz.py cannot build {name!r}: add its restricted parameters to FIXED_PARAMETERS")


ROUTES = {name: route_with_holes(name) for name in url_names()}


def list_query(value, target, rest):
    """``value`` in one list parameter (``target``), or in all of them when target is None, then ``rest``."""
    names = LIST_PARAMETERS if target is None else [target]
    return "&".join([*(f"{name}={encoded(value)}" for name in names), rest])


# Inputs known to break naive code, tried on every run besides the generated ones.
NUL_EVERYWHERE = {"value": "a\x00b", "target": None, "rest": ""}
LONG_EVERYWHERE = {"value": "ж" * 3000, "target": None, "rest": ""}
BROKEN_UTF8 = {"value": "", "target": "q", "rest": "q=%C3%28&q=%ED%A0%80"}
REPEATED = {"value": "detention", "target": "kind", "rest": "kind=protest&kind=&page=2&page=x"}


@fuzz
@given(value=values(), target=st.sampled_from([None, *LIST_PARAMETERS]), rest=query_strings())
@example(**NUL_EVERYWHERE)
@example(**LONG_EVERYWHERE)
@example(**BROKEN_UTF8)
@example(**REPEATED)
def test_any_case_list_query_is_answered_without_a_server_error(client, article, value, target, rest):
    url = f"{reverse('case-list')}?{list_query(value, target, rest)}"
    assert_answered(client.get(url), url)


@pytest.mark.parametrize("name", url_names())
@settings(fuzz, max_examples=40)
@given(
    value=values(),
    target=st.sampled_from([None, *LIST_PARAMETERS]),
    rest=query_strings([*LIST_PARAMETERS, "format", "cursor", "id"]),
)
@example(**NUL_EVERYWHERE)
@example(**LONG_EVERYWHERE)
@example(**BROKEN_UTF8)
@example(**REPEATED)
def test_any_query_on_any_page_is_answered_without_a_server_error(client, article, name, value, target, rest):
    for page in pages_for(name):
        url = f"{page.url}?{list_query(value, target, rest)}"
        assert_answered(client.get(url), url)


@pytest.mark.parametrize("name", url_names())
@settings(fuzz, max_examples=40)
@given(segments=st.lists(path_segments(), min_size=3, max_size=3))
@example(segments=["%00", "a%00b", "%00"])
@example(segments=["%C3%28", "%FF", "%"])
@example(segments=["x" * 3000, "y" * 3000, "z"])
@example(segments=["..", "%2e%2e", "%2F"])
def test_any_path_segment_of_any_route_is_answered_without_a_server_error(client, article, name, segments):
    url, holes = ROUTES[name]
    for hole, segment in zip(holes, segments, strict=False):
        url = url.replace(hole, segment)
    assert_answered(client.get(url), url)


@fuzz
@given(segments=st.lists(path_segments(), min_size=1, max_size=5), query=query_strings())
def test_any_path_at_all_is_answered_without_a_server_error(client, article, segments, query):
    url = "/" + "/".join(segments) + (f"?{query}" if query else "")
    assert_answered(client.get(url), url)


@fuzz
@given(host=st.one_of(st.text(max_size=30), st.sampled_from(["testserver:0", "[::1]", "TESTSERVER", "testserver."])))
def test_any_host_header_is_answered_without_a_server_error(client, db, host):
    response = client.get("/", headers={"host": host})
    assert_answered(response, host)


REQUEST_HEADERS = [
    "If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range", "Accept",
    "Accept-Encoding", "Accept-Language", "Cookie", "Referer", "User-Agent", "X-Forwarded-Proto",
    "X-Forwarded-Host", "X-Forwarded-For", "Forwarded", "Cache-Control", "Content-Type", "Content-Length",
]  # fmt: skip
HEADER_VALUES = st.one_of(
    st.sampled_from(['"x"', "*", 'W/"1", "2"', "Thu, 01 Jan 1970 00:00:00 GMT", "Mon, 32 Foo 99999 99:99:99 GMT"]),
    st.sampled_from(["bytes=0-1", "bytes=-5", "bytes=5-1", "gzip;q=2", "*/*;q=x", "evil.example", "-1", "1e99"]),
    st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=60),
)


@pytest.mark.parametrize("name", url_names())
@settings(fuzz, max_examples=25)
@given(headers=st.dictionaries(st.sampled_from(REQUEST_HEADERS), HEADER_VALUES, max_size=4))
def test_any_request_headers_on_any_page_are_answered_without_a_server_error(client, article, name, headers):
    for page in pages_for(name):
        response = client.get(page.url, headers=headers)
        assert_answered(response, (page.url, headers))
        if response.status_code == 304:
            assert not response.content


# Many words: up to the length limit, distinct or repeated, quoted or not, in any script.
WORD = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=6)
MANY_TERMS = st.lists(
    st.one_of(WORD, WORD.map(lambda word: f'"{word} {word[::-1]}"'), st.sampled_from(["a", "-", "!!", "“", '"'])),
    min_size=10,
    max_size=100,
).map(lambda words: " ".join(words)[:200])
SEARCHING = ["case-list", "feed", "cases-csv", "cases-json"]


@pytest.mark.parametrize("name", SEARCHING)
@settings(fuzz, max_examples=30)
@given(q=MANY_TERMS, rest=query_strings())
@example(q=" ".join(f"w{i}" for i in range(66)), rest="")
@example(q=" ".join(["ab"] * 66), rest="sort=relevance")
@example(q=" ".join(f"w{i}" for i in range(20)), rest="")
def test_a_search_of_many_terms_answers_200_or_a_400_that_says_why(client, article, name, q, rest):
    url = f"{reverse(name)}?q={encoded(q)}&{rest}"
    response = client.get(url)
    assert_answered(response, url)
    if not rest:  # the search alone: 200, or a 400 that names the bound it passed
        content = b"".join(response.streaming_content) if response.streaming else response.content
        if len(search.terms(q)) > search.MAX_TERMS:
            assert response.status_code == 400 and "at most" in content.decode(), url
        else:
            assert response.status_code == 200, url


COOKIES = st.one_of(
    st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=80),
    st.lists(st.tuples(st.sampled_from(["csrftoken", "sessionid", "django_language", "x"]), st.text(max_size=40))).map(
        lambda pairs: "; ".join(f"{name}={value}" for name, value in pairs)
    ),
)


@pytest.mark.parametrize("name", url_names())
@settings(fuzz, max_examples=15)
@given(cookie=COOKIES, headers=st.dictionaries(st.sampled_from(REQUEST_HEADERS), HEADER_VALUES, max_size=3))
def test_any_cookie_and_headers_on_any_page_are_answered_without_a_server_error_or_a_cookie(
    client, article, name, cookie, headers
):
    for page in pages_for(name):
        response = client.get(page.url, headers={**headers, "Cookie": cookie})
        assert_answered(response, (page.url, cookie, headers))
        assert not response.cookies and "Set-Cookie" not in response


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_route_can_be_fuzzed(name):
    """A route whose every parameter is fixed would be tested with its real values only."""
    url, holes = ROUTES[name]
    assert len(holes) == len(set(parameters(name)) - set(FIXED_PARAMETERS))
    assert url.startswith("/")
