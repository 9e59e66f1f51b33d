"""The case list page, /cases/: rows, filters, facets, pagination, bad input and the cost of a page."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Involvement
from cases.views.lists import CaseListView

from .factories import make_case, make_person, make_place, make_quote


def text(response):
    return response.content.decode()


def refs_on(response):
    return re.findall(r'<span class="ref" title="Permanent reference">([0-9a-z]{6})</span>', text(response))


class Page(HTMLParser):
    """What accessibility checks need from a page: the form controls, labels, ids and links."""

    def __init__(self, html):
        super().__init__()
        self.controls, self.labels, self.ids, self.links, self.tags = [], set(), set(), [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs)
        if tag == "label" and "for" in attrs:
            self.labels.add(attrs["for"])
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])


# The rows ----------------------------------------------------------------------------


def test_the_list_shows_every_case_newest_first_with_what_a_row_needs(client, article):
    response = client.get("/cases/")
    assert response.status_code == 200
    assert refs_on(response) == ["a8023r", "ha3c3r", "74t3yk", "gvce2m", "84a8j6", "2n2181"]
    page = text(response)
    assert '<h2 id="results-title">6 cases</h2>' in page
    assert "Baimurat Nauryzbek reported detained in Ili and sentenced to ten years" in page
    assert '<span class="kind kind-detention">detention</span>' in page
    assert '<span class="date">1 or 2 February 2021</span>' in page  # the date as written
    assert '<span class="date">2018</span>' in page
    assert "Ili Kazakh Autonomous Prefecture, Xinjiang Uyghur Autonomous Region, China" in page
    assert '<a href="/people/baibolat-kunbolat/" dir="auto">Baibolat Kunbolat</a> (protester)' in page
    assert "Showing all, newest first." in page


def test_the_home_page_search_lands_on_the_list(client, article):
    home = text(client.get("/"))
    assert 'action="/cases/"' in home and 'name="q"' in home
    response = client.get("/cases/", {"q": "Selkirk"})
    assert refs_on(response) == ["a8023r", "2n2181"]
    assert "best match first" in text(response)


def test_filters_through_the_page(client, article):
    assert refs_on(client.get("/cases/?place=xinjiang")) == ["2n2181"]
    assert refs_on(client.get("/cases/?kind=protest&sort=oldest")) == ["84a8j6", "gvce2m", "a8023r"]
    assert refs_on(client.get("/cases/?person=serik-azhibay&date_from=2020-08&date_to=2020-08")) == [
        "74t3yk",
        "gvce2m",
    ]
    assert refs_on(client.get("/cases/?date_from=2018-06&date_to=2018-12&date_match=within")) == []


def test_the_form_shows_the_filters_in_use(client, article):
    page = text(
        client.get("/cases/?q=Kumbolat&kind=protest&place=almaty&date_from=2021&date_to=2021&date_match=within")
    )
    assert 'name="q" value="Kumbolat"' in page
    assert '<option value="protest" selected>' in page
    assert '<option value="almaty" selected>' in page
    assert 'name="date_from" value="2021"' in page
    assert 'value="within" checked' in page


def test_a_person_filter_names_the_person(client, article):
    page = text(client.get("/cases/?person=baibolat-kunbolat"))
    assert "Cases involving Baibolat Kunbolat, in any role." in page
    assert "Person: <strong>Baibolat Kunbolat</strong>" in page


# Active filters and empty results ------------------------------------------------------


def test_each_active_filter_is_listed_with_a_link_that_removes_it(client, article):
    page = text(
        client.get(
            "/cases/?q=Kumbolat&kind=protest&place=almaty&date_from=2021-02&date_to=present&junk=1&page=", follow=True
        )
    )
    assert "Search: <strong>“Kumbolat”</strong>" in page
    assert "Kind: <strong>protest</strong>" in page
    assert "Place: <strong>Almaty, Kazakhstan</strong>" in page
    assert "From: <strong>February 2021</strong>" in page
    links = Page(page).links
    assert "/cases/?kind=protest&place=almaty&date_from=2021-02&date_to=present" in links  # the search removed
    assert "/cases/?q=Kumbolat&place=almaty&date_from=2021-02&date_to=present" in links  # the kind removed
    assert "/cases/?q=Kumbolat&kind=protest&date_from=2021-02&date_to=present" in links  # the place removed
    assert "/cases/?q=Kumbolat&kind=protest&place=almaty" in links  # the date removed


def test_an_empty_result_says_so_and_offers_to_widen_the_search(client, article):
    response = client.get("/cases/?q=Kumbolat&place=china&kind=protest")
    assert response.status_code == 200
    page = text(response)
    assert "No cases found" in page
    assert "No case in the archive matches all of these filters." in page
    assert "Check the spelling" in page
    links = Page(page).links
    assert "/cases/?kind=protest&place=china" in links
    assert "/cases/?q=Kumbolat&place=china" in links
    assert "/cases/?q=Kumbolat&kind=protest" in links
    assert refs_on(client.get("/cases/?q=Kumbolat&kind=protest")) == ["a8023r"]


def test_an_empty_archive_says_nothing_is_loaded(client, db):
    response = client.get("/cases/")
    assert response.status_code == 200
    assert "No cases have been loaded yet." in text(response)


# Facets --------------------------------------------------------------------------------


def facet(page, name):
    """{label: (count, href or None when selected)} of one facet."""
    section = re.search(rf'<section class="facet" aria-labelledby="facet-{name}">(.*?)</section>', page, re.S)
    values = {}
    for item in re.findall(r"<li>(.*?)</li>", section.group(1), re.S):
        link = re.search(r'<a href="([^"]*)">([^<]*)</a>', item)
        selected = re.search(r'<strong aria-current="true">([^<]*)</strong>', item)
        count = int(re.search(r'<span class="count">(\d+)', item).group(1))
        label, href = (link.group(2), link.group(1).replace("&amp;", "&")) if link else (selected.group(1), None)
        values[label] = (count, href)
    return values


def test_facets_count_kinds_countries_and_years(client, article):
    page = text(client.get("/cases/"))
    assert facet(page, "kind") == {"Detention": (3, "/cases/?kind=detention"), "Protest": (3, "/cases/?kind=protest")}
    assert facet(page, "place") == {"Kazakhstan": (5, "/cases/?place=kazakhstan"), "China": (1, "/cases/?place=china")}
    assert facet(page, "year") == {
        "2021": (2, "/cases/?date_from=2021&date_to=2021"),
        "2020": (2, "/cases/?date_from=2020&date_to=2020"),
        "2019": (1, "/cases/?date_from=2019&date_to=2019"),
        "2018": (1, "/cases/?date_from=2018&date_to=2018"),
    }


def test_a_facet_link_adds_its_filter_to_the_others_and_starts_again_at_page_one(client, article):
    page = text(client.get("/cases/?q=Almaty&sort=ref&page=1"))
    assert facet(page, "kind")["Protest"] == (3, "/cases/?q=Almaty&sort=ref&kind=protest")


def test_the_kind_facet_counts_both_kinds_while_one_is_chosen(client, article):
    page = text(client.get("/cases/?kind=protest&place=almaty"))
    assert facet(page, "kind") == {
        "Detention": (2, "/cases/?kind=detention&place=almaty"),
        "Protest": (3, None),
    }


def test_the_place_facet_shows_the_places_inside_the_chosen_one(client, article):
    page = text(client.get("/cases/?place=kazakhstan"))
    assert facet(page, "place") == {"Almaty": (5, "/cases/?place=almaty")}
    page = text(client.get("/cases/?place=almaty"))
    assert facet(page, "place") == {
        "Chinese Consulate General in Almaty": (4, "/cases/?place=chinese-consulate-general-almaty")
    }
    trail = re.search(r'<p class="place-trail">(.*?)</p>', page).group(1)
    assert '<a href="/cases/?">All places</a>' in trail
    assert '<a href="/cases/?place=kazakhstan">Kazakhstan</a>' in trail
    assert '<strong aria-current="true">Almaty</strong>' in trail


def test_the_place_facet_counts_with_the_other_filters(client, article):
    page = text(client.get("/cases/?kind=detention&place=china"))
    assert facet(page, "place") == {"Xinjiang Uyghur Autonomous Region": (1, "/cases/?kind=detention&place=xinjiang")}


def test_the_year_facet_counts_a_case_in_every_year_it_may_fall_in(client, db):
    make_case(date="2018~")  # 2017 to 2019
    make_case(date="2018-05")
    make_case(date="2016-12/2017-01")
    overlapping = facet(text(client.get("/cases/")), "year")
    assert {year: count for year, (count, _) in overlapping.items()} == {
        "2019": 1,
        "2018": 2,
        "2017": 2,
        "2016": 1,
    }
    within = facet(text(client.get("/cases/?date_match=within")), "year")
    assert within == {"2018": (1, "/cases/?date_match=within&date_from=2018&date_to=2018")}


def test_the_year_facet_lists_only_the_years_the_date_filter_reaches(client, article):
    years = facet(text(client.get("/cases/?date_from=2020-08&date_to=2020-08")), "year")
    assert years == {"2020": (2, "/cases/?date_from=2020&date_to=2020")}
    years = facet(text(client.get("/cases/?date_from=2019&date_to=2020")), "year")
    assert list(years) == ["2020", "2019"]
    assert facet(text(client.get("/cases/?date_from=2020&date_to=2020")), "year") == {"2020": (2, None)}
    assert "2018" in facet(text(client.get("/cases/?date_to=2020")), "year")


def test_one_period_is_one_chip(client, article):
    page = text(client.get("/cases/?date_from=2018&date_to=2018"))
    assert "Date: <strong>2018</strong>" in page
    assert "From:" not in page and "To: <strong>" not in page
    assert "/cases/" in Page(page).links  # the chip removes both ends
    page = text(client.get("/cases/?date_from=2018&date_to=2020"))
    assert "From: <strong>2018</strong>" in page and "To: <strong>2020</strong>" in page


# Pagination ----------------------------------------------------------------------------


@pytest.fixture
def sixty_protests(db):
    place, quote = make_place("Paginationville", kind="country"), make_quote()
    return [make_case(kind="protest", place=place, quote=quote, date=f"{1960 + n}") for n in range(60)]


def test_pages_hold_25_cases_and_keep_every_filter(client, sixty_protests):
    first = client.get("/cases/?kind=protest&sort=oldest")
    assert len(refs_on(first)) == 25
    assert "Showing 1 to 25 of 60, oldest first." in text(first)
    links = Page(text(first)).links
    assert "/cases/?kind=protest&sort=oldest&page=2" in links
    assert "/cases/?kind=protest&sort=oldest&page=3" in links
    third = client.get("/cases/?kind=protest&sort=oldest&page=3")
    assert refs_on(third) == [case.ref for case in sixty_protests[50:]]
    third_links = Page(text(third)).links
    assert "/cases/?kind=protest&sort=oldest" in third_links  # page 1 has one address, without page=1
    assert '<a rel="prev" href="/cases/?kind=protest&amp;sort=oldest&amp;page=2">' in text(third)
    assert 'aria-current="page"><span class="visually-hidden">Page </span>3</a>' in text(third)
    assert 'rel="next"' not in text(third)


def test_a_page_past_the_end_is_not_found(client, sixty_protests):
    assert client.get("/cases/?page=3").status_code == 200
    assert client.get("/cases/?page=4").status_code == 404
    assert client.get("/cases/?page=99999999999999999999999999").status_code == 404
    assert client.get("/cases/?kind=detention&page=2").status_code == 404


def test_an_empty_result_is_page_one_only(client, article):
    assert client.get("/cases/?q=nothing-like-this").status_code == 200
    assert client.get("/cases/?q=nothing-like-this&page=2").status_code == 404


def test_deep_pages_skip_rows_by_ref_alone(client, sixty_protests):
    """The query that skips rows (OFFSET) selects refs only, which the order's index holds; the rows
    shown are fetched by ref."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cases/?page=3")
    assert response.status_code == 200
    skipping = [q["sql"] for q in queries.captured_queries if "OFFSET" in q["sql"].upper()]
    assert len(skipping) == 1
    assert re.match(r'SELECT "cases_case"\."ref"( AS "ref")? FROM "cases_case" (WHERE|ORDER BY)', skipping[0])
    assert "JOIN" not in skipping[0]


# The cost of a page ----------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


@pytest.mark.parametrize(
    "params",
    [
        "",
        "q=Protest&kind=detention&place=testland&person=aidos-sadykov&date_from=2000&date_to=present&date_match=within&sort=ref",
    ],
)
def test_the_query_count_grows_with_neither_rows_nor_page_number(client, db, params):
    country = make_place("Testland", kind="country", slug="testland")
    city = make_place("Testville", parent=country)
    person = make_person("Aidos Sadykov", slug="aidos-sadykov")
    witness = make_person()
    quote = make_quote()

    def add(n):
        for i in range(n):
            make_case(
                title=f"Protest case {i}",
                date=f"{2001 + i % 20}",
                place=city,
                quote=quote,
                people=[(person, Involvement.Role.DETAINED), (witness, Involvement.Role.WITNESS)],
            )

    add(3)
    few = count_queries(client, f"/cases/?{params}")
    add(57)
    many = count_queries(client, f"/cases/?{params}")
    deep = count_queries(client, f"/cases/?{params}&page=3")
    assert few == many == deep
    assert deep <= 12


# Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2021-13-40", "date_from"),
        ("date_to=2021-02-30", "date_to"),
        ("date_from=21", "date_from"),
        ("date_from=2020&date_to=2019", "date_to"),
        ("place=atlantis", "place"),
        ("place=ili%00", "place"),
        ("person=nobody", "person"),
        ("person=%E2%80%AE", "person"),
        ("q=" + "x" * 201, "q"),
        ("q=Kumbolat%00", "q"),
        ("q=Kumbolat%1B%5B31m", "q"),
        ("kind=arrest", "kind"),
        ("date_match=around", "date_match"),
        ("sort=random", "sort"),
    ],
)
def test_an_invalid_value_answers_400_with_the_error_beside_its_field(client, article, query, field):
    response = client.get(f"/cases/?{query}&kind=protest" if "kind=" not in query else f"/cases/?{query}")
    assert response.status_code == 400
    page = text(response)
    assert "This search cannot be run as it is" in page
    assert f'<a href="#f-{field}">' in page  # the summary leads to the field
    error = re.search(rf'<p class="field-error" id="f-{field}-error">([^<]+)</p>', page)
    assert error, "the error is shown beside its field"
    control = next(tag for tag in Page(page).tags if tag[1].get("id") == f"f-{field}")[1]
    if field != "date_match":  # a radio group: its fieldset names the error
        assert f"f-{field}-error" in control["aria-describedby"].split()
        assert control["aria-invalid"] == "true"
    assert refs_on(response) == []
    assert "\x00" not in page and "\x1b" not in page


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "²", " "])
def test_a_page_that_is_not_a_number_answers_400(client, article, page):
    response = client.get("/cases/", {"page": page})
    if page.strip():
        assert response.status_code == 400
        assert '<p class="field-error" id="page-error">Page: Pages are numbered 1, 2, 3' in text(response)
    else:
        assert response.status_code == 200


def test_a_search_of_exactly_200_characters_is_fine(client, article):
    assert client.get("/cases/", {"q": "k" * 200}).status_code == 200


def test_unknown_parameters_are_dropped_by_a_redirect(client, article):
    response = client.get("/cases/?utm_source=newsletter&fbclid=x&place=almaty")
    assert response.status_code == 301
    assert response["Location"] == "/cases/?place=almaty"
    assert len(refs_on(client.get(response["Location"]))) == 5


def test_head_answers_like_get(client, article):
    assert client.head("/cases/?place=almaty").status_code == 200
    assert client.head("/cases/?place=atlantis").status_code == 400


def test_the_invalid_value_is_shown_again_to_be_corrected(client, article):
    page = text(client.get("/cases/?date_from=2021-13-40&q=Kumbolat"))
    assert 'name="date_from" value="2021-13-40"' in page
    assert 'name="q" value="Kumbolat"' in page


# Accessibility and the content security policy ---------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/cases/", "/cases/?q=Kumbolat&place=almaty&person=baibolat-kunbolat", "/cases/?date_from=2021-13-40&person=x"],
)
def test_every_field_has_a_label_and_every_description_exists(client, article, url):
    page = Page(text(client.get(url)))
    assert len(page.controls) >= 7
    for control in page.controls:
        assert control["id"] in page.labels, control
        for described_by in control.get("aria-describedby", "").split():
            assert described_by in page.ids, control


def test_the_page_has_no_inline_style_or_script(client, article):
    page = text(client.get("/cases/?q=Kumbolat"))
    assert "style=" not in page
    assert "<style" not in page
    assert "<script" not in page


def test_page_size_is_the_views_own(client, sixty_protests, monkeypatch):
    monkeypatch.setattr(CaseListView, "paginate_by", 50)
    assert len(refs_on(client.get("/cases/?page=2"))) == 10


# The tab title and the downloads line --------------------------------------------------


@pytest.mark.parametrize(
    ("address", "title"),
    [
        ("/cases/", "All cases – "),
        ("/cases/?kind=protest&place=almaty", "Cases (Kind: protest; Place: Almaty, Kazakhstan) – "),
        ("/cases/?date_from=2020-08&date_to=2020-08", "Cases (Date: August 2020) – "),
        ("/cases/?q=Kumbolat", "Cases (Search: “Kumbolat”) – "),
        ("/cases/?date_from=2021-13-40", "Error: Cases – "),
    ],
)
def test_the_tab_title_says_what_is_listed(client, article, address, title):
    page = text(client.get(address))
    assert re.search(r"<title>(.*?)</title>", page).group(1).startswith(title)


def test_the_downloads_line_counts_one_case_in_the_singular(client, article):
    assert "This case as data:" in text(client.get("/cases/?date_from=2018&date_to=2018"))
    assert "These 2 cases as data:" in text(client.get("/cases/?date_from=2020&date_to=2020"))
