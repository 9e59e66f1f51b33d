"""The researcher's journeys of the case list: the overview table, the phone layout that puts results
first, a person chosen by name, a printed list; each with and without JavaScript, on a phone and on paper."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.test_accessibility import axe_violations
from tests.page_types import PAGE_TYPES

OVERFLOW = "document.documentElement.scrollWidth"


def query(page):
    return {name: values[-1] for name, values in parse_qs(urlsplit(page.url).query).items()}


def table_refs(page):
    return page.locator("table.overview tbody th .ref").all_inner_texts()


def heading(page, name):
    return page.locator("table.overview thead th").filter(has_text=name)


def test_compare_cases_in_the_table_sorted_by_a_column_and_keep_it_through_a_facet(reader, site):
    reader.goto(site.url("/cases/"))
    reader.get_by_role("link", name="table", exact=True).click()
    reader.wait_for_url("**/cases/?view=table")
    table = reader.get_by_role("table", name="Cases 1 to 6, newest first")
    expect(table).to_be_visible()
    expect(heading(reader, "Date")).to_have_attribute("aria-sort", "descending")
    row = table.get_by_role("row").filter(has_text="2n2181")
    expect(row).to_contain_text("10 years in prison")
    expect(row).to_contain_text("sentenced")

    heading(reader, "Place").get_by_role("link").click()
    reader.wait_for_url("**/cases/?*sort=place*")
    assert query(reader) == {"view": "table", "sort": "place"}
    expect(heading(reader, "Place")).to_have_attribute("aria-sort", "ascending")
    expect(heading(reader, "Date")).not_to_have_attribute("aria-sort", re.compile(".*"))
    assert table_refs(reader)[-1] == "2n2181"  # Ili Kazakh Autonomous Prefecture…, after the Chinese Consulate

    reader.get_by_role("complementary", name="Narrow down").get_by_role("link", name="Protest").click()
    reader.wait_for_url("**/cases/?*kind=protest*")
    assert query(reader) == {"view": "table", "sort": "place", "kind": "protest"}
    assert len(table_refs(reader)) == 3
    reader.get_by_role("link", name="remove this filter (kind)").click()
    reader.wait_for_url(lambda url: "kind=" not in url)
    assert query(reader) == {"view": "table", "sort": "place"}

    # A basis mark leads to the fact on the case page, where the basis is spelled out.
    row = reader.get_by_role("row").filter(has_text="2n2181")
    row.get_by_role("link", name=re.compile("stated by the source")).last.click()
    reader.wait_for_url("**/cases/2n2181/#fact-*")
    expect(reader.locator(":target")).to_contain_text("Stated")


def test_the_table_on_a_phone_scrolls_in_its_own_region_not_the_page(open_page, site, javascript):
    page = open_page("phone" if javascript else "no-javascript")
    page.set_viewport_size(PHONE)
    page.goto(site.url("/cases/?view=table"))
    assert page.evaluate(OVERFLOW) <= PHONE["width"]
    region = page.get_by_role("region", name="Cases 1 to 6, newest first")
    assert region.evaluate("(e) => e.scrollWidth > e.clientWidth"), "the table fits: nothing to check"
    region.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    for _ in range(50):  # a scroll may be smooth: it ends some frames later
        if region.evaluate("(e) => e.scrollLeft") > 0:
            break
        page.wait_for_timeout(100)
    assert region.evaluate("(e) => e.scrollLeft") > 0
    assert page.evaluate("scrollX") == 0
    if javascript:  # axe-core runs as a script
        count, report = axe_violations(page)
        assert count == 0, report


def test_on_a_phone_the_first_result_comes_before_the_folded_filters_which_open_without_script(
    open_page, site, javascript
):
    page = open_page("phone" if javascript else "no-javascript")
    page.set_viewport_size(PHONE)
    page.goto(site.url("/cases/?kind=protest"))
    form = page.get_by_role("form", name="Search and filter the cases")
    first = page.locator("main .case-row").first
    expect(form).to_be_hidden()
    expect(page.locator(".facets")).to_be_hidden()
    # The filter applied shows, though the form is folded; the first case is on the first screen.
    expect(page.locator(".active-filters")).to_contain_text("Kind: protest")
    assert first.bounding_box()["y"] + 40 < PHONE["height"]
    assert page.evaluate(OVERFLOW) <= PHONE["width"]

    page.locator(".filters-disclosure > summary").click()
    expect(form).to_be_visible()
    form.get_by_label("From").fill("2021")
    form.get_by_role("button", name="Show cases").click()
    page.wait_for_url("**/cases/?*date_from=2021*")
    assert sorted(page.locator("main .case-row .ref").all_inner_texts()) == ["a8023r"]
    page.locator(".facets-disclosure > summary").click()
    expect(page.get_by_role("complementary", name="Narrow down")).to_be_visible()
    if javascript:  # axe-core runs as a script
        count, report = axe_violations(page)
        assert count == 0, report


def test_on_a_desktop_the_filters_and_facets_are_open(open_page, site, javascript):
    page = open_page("javascript" if javascript else "no-javascript")
    page.goto(site.url("/cases/"))
    expect(page.get_by_role("form", name="Search and filter the cases")).to_be_visible()
    expect(page.get_by_role("complementary", name="Narrow down")).to_be_visible()
    expect(page.locator(".disclosure > summary").first).to_be_hidden()


def test_a_filter_that_needs_correcting_opens_the_filters_on_a_phone(open_page, site):
    page = open_page("phone")
    page.goto(site.url("/cases/?date_from=2021-13-40"))
    expect(page.get_by_label("From")).to_be_visible()
    page.locator(".error-summary a").first.click()
    expect(page.get_by_label("From")).to_be_focused()


def test_a_case_page_on_a_phone_links_from_its_top_to_its_citation(open_page, site, javascript):
    page = open_page("phone" if javascript else "no-javascript")
    page.set_viewport_size(PHONE)
    page.goto(site.url("/cases/2n2181/"))
    link = page.get_by_role("link", name="Cite this case")
    assert link.bounding_box()["y"] < PHONE["height"]
    link.click()
    page.wait_for_url("**/cases/2n2181/#cite")
    box = page.locator("#cite").bounding_box()
    assert -1 <= box["y"] < PHONE["height"]


# Every link, button and field at least 24 by 24 px (WCAG 2.2, 2.5.8), disclosures open. The marks of a
# chart are the exception the criterion makes for a target whose link is also given by one that meets
# it: each is a link of the chart's table too (checked below).
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, summary, input:not([type=hidden]), select, textarea')]
  .filter((e) => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .filter((e) => !e.closest('.chart-drawing'))
  .map((e) => [e.outerHTML.slice(0, 100), e.getBoundingClientRect()])
  .filter(([html, box]) => box.width < 24 || box.height < 24)
  .map(([html, box]) => `${html} (${Math.round(box.width)} x ${Math.round(box.height)})`)"""


@pytest.mark.parametrize("context", ["javascript", "phone"])
@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=str)
def test_every_target_is_at_least_24_px_square(open_page, site, page_type, context):
    page = open_page(context)
    page.goto(site.url(page_type.path))
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert page.evaluate(SMALL_TARGETS) == []
    marks = set(page.locator(".chart-drawing a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"))
    listed = set(page.locator(".chart table a").evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"))
    assert marks <= listed, "a chart's mark links where no link of its table does"


def test_the_target_check_notices_a_small_target(open_page, site):
    page = open_page()
    page.goto(site.url("/"))
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        '\'<a href="/" style="display:inline-block;width:10px;height:10px;padding:0">x</a>\')'
    )
    assert len(page.evaluate(SMALL_TARGETS)) == 1


def test_choose_a_person_by_name(reader, site):
    reader.goto(site.url("/cases/"))
    filters = reader.get_by_role("form", name="Search and filter the cases")
    filters.get_by_label("Person").fill("serikzhan bilash")
    filters.get_by_role("button", name="Show cases").click()
    reader.wait_for_url("**/cases/?*person=serikzhan-bilash*")
    expect(reader.locator(".active-filters")).to_contain_text("Person: Serikzhan Bilash")
    expect(filters.get_by_label("Person")).to_have_value("Serikzhan Bilash")
    assert sorted(reader.locator("main .case-row .ref").all_inner_texts()) == ["2n2181", "a8023r"]

    filters.get_by_label("Person").fill("Nobody Known")
    filters.get_by_role("button", name="Show cases").click()
    reader.wait_for_url("**/cases/?*person=Nobody*")
    summary = reader.get_by_role("alert")
    expect(summary).to_contain_text("No person in the archive is named “Nobody Known”")
    summary.get_by_role("link").first.click()
    expect(filters.get_by_label("Person")).to_be_focused()


@pytest.mark.parametrize("view", ["", "&view=table"], ids=["list", "table"])
def test_a_printed_list_begins_with_what_it_lists_on_its_first_page(open_page, site, view):
    page = open_page("no-javascript")
    page.goto(site.url(f"/cases/?kind=protest{view}"))
    page.emulate_media(media="print")
    title = page.get_by_role("heading", level=1)
    assert title.inner_text().strip() == "Cases (Kind: protest): 3 cases, newest first"  # as rendered on paper
    assert title.bounding_box()["y"] < 150, "the heading is not at the top of the first page"
    expect(page.get_by_role("form", name="Search and filter the cases")).to_be_hidden()
    expect(page.locator(".facets")).to_be_hidden()
    rows = page.locator("table.overview tbody tr" if view else "main .case-row")
    assert rows.count() == 3
    expect(rows.first).to_be_visible()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "a short list prints on one page, not after a blank one"
