"""The timeline and the map on the home page: drawn, followed without script, on a phone and on paper.

axe-core and the Nu validator check them with every page type they appear on
(test_accessibility.py, tests/test_html_valid.py: the home, person and place pages).
"""

from playwright.sync_api import expect


def listed_refs(page):
    return sorted(page.locator("main .case-row .ref").all_inner_texts())


def test_the_timeline_and_the_map_are_drawn_and_their_marks_lead_to_the_cases(reader, site):
    reader.goto(site.url("/"))
    timeline = reader.locator("svg.timeline")
    case_map = reader.locator("svg.case-map")
    expect(timeline).to_be_visible()
    expect(case_map).to_be_visible()
    assert timeline.bounding_box()["height"] > 100
    assert case_map.locator(".map-countries path").count() >= 5  # Kazakhstan and its neighbours

    # August 2020, the two protests dated wholly within it.
    timeline.get_by_role("link", name="August 2020: 2 cases dated wholly within it").click()
    reader.wait_for_url("**/cases/?date_from=2020-08&date_to=2020-08&date_match=within")
    assert listed_refs(reader) == ["74t3yk", "gvce2m"]

    reader.go_back()
    # 2018: the sentence known only to the year spans every month of it.
    for month in ("January", "June", "December"):
        expect(timeline.get_by_role("link", name=f"{month} 2018: 1 case whose date may fall in it")).to_be_visible()
    timeline.get_by_role("link", name="June 2018: 1 case whose date may fall in it").click()
    reader.wait_for_url("**/cases/?date_from=2018-06&date_to=2018-06")
    assert listed_refs(reader) == ["2n2181"]

    reader.go_back()
    reader.locator("svg.case-map").get_by_role("link", name="Almaty, Kazakhstan: 5 cases").click()
    reader.wait_for_url("**/cases/?place=almaty")
    assert len(listed_refs(reader)) == 5


def test_the_figures_are_a_table_beside_each_drawing(reader, site):
    reader.goto(site.url("/"))
    table = reader.get_by_role("table", name="Cases by month")
    expect(table).to_be_hidden()
    reader.get_by_text("The figures as a table").click()
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="August 2020")).to_contain_text("2")
    reader.get_by_text("The places as a list").click()
    expect(
        reader.get_by_role("table", name="Places not on the map, having no coordinates in the archive")
    ).to_contain_text("Ili Kazakh Autonomous Prefecture")


def test_on_a_phone_the_drawings_scroll_inside_their_box(open_page, site):
    page = open_page("phone")
    page.goto(site.url("/"))
    expect(page.locator("svg.timeline")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_printed_the_timeline_and_the_map_fit_the_page_with_their_figures(open_page, site):
    page = open_page("no-javascript")
    page.goto(site.url("/"))
    page.emulate_media(media="print")
    timeline, case_map = page.locator("svg.timeline"), page.locator("svg.case-map")
    expect(timeline).to_be_visible()
    expect(case_map).to_be_visible()
    width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    for drawing in (timeline, case_map):
        assert drawing.bounding_box()["width"] <= width + 1
    # Black on white, whatever the screen's colours.
    fill = page.evaluate("getComputedStyle(document.querySelector('.bar-within rect')).fill")
    assert fill == "rgb(0, 0, 0)"
    # The tables, folded away on screen, are on paper.
    expect(page.get_by_role("table", name="Cases by month")).to_be_visible()
    expect(page.get_by_role("table", name="Places on the map")).to_be_visible()
    assert b"/Type" in page.pdf(format="A4")
