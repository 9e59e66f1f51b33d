"""The case list's page: the filters and facets in disclosures, and the heading a printed list begins with."""

import re


def text(response):
    return response.content.decode()


def print_heading(page):
    return re.search(r'<h1><span class="screen-only">Cases</span><span class="print-only">(.*?)</span></h1>', page)[1]


def test_a_printed_list_begins_with_what_it_lists_and_how_many(article, client):
    assert print_heading(text(client.get("/cases/?kind=protest"))) == "Cases (Kind: protest): 3 cases, newest first"
    assert print_heading(text(client.get("/cases/?view=table&sort=place"))) == "All cases: 6 cases, by place"
    page = text(client.get("/cases/?person=baibolat-kunbolat&date_from=2021", follow=True))
    assert print_heading(page) == "Cases (Person: Baibolat Kunbolat; Date: 2021): 2 cases, newest first"
    assert print_heading(text(client.get("/cases/?kind=protest&date_from=1990", follow=True))) == (
        "Cases (Kind: protest; Date: 1990): none found"
    )


def test_a_printed_page_of_a_long_list_says_which_cases_it_holds(db, client):
    from .factories import make_case, make_place

    place = make_place("Almaty")
    for _ in range(30):
        make_case(place=place)
    assert print_heading(text(client.get("/cases/?page=2"))) == (
        "All cases: 30 cases, page 2 (cases 26 to 30), newest first"
    )


def test_the_filters_and_facets_are_disclosures_the_filters_open_when_they_need_correcting(article, client):
    page = text(client.get("/cases/?kind=protest"))
    assert '<details class="disclosure filters-disclosure">' in page
    assert '<summary>Search and filter <span class="applied">(1 applied)</span></summary>' in page
    assert '<details class="disclosure facets-disclosure no-print">' in page
    # Folded, the filters applied still show, as chips above the results.
    assert "Kind: <strong>protest</strong>" in page
    assert page.index("facets-disclosure") < page.index('id="results-title"')
    error = text(client.get("/cases/?date_from=2021-13-40"))
    assert '<details class="disclosure filters-disclosure" open>' in error
