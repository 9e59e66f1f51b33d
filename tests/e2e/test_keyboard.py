"""Every page works with the keyboard alone, and the reader always sees where the focus is."""

import pytest

from tests.page_types import NAVIGATION, PAGE_TYPES

# What has the focus, whether it matches each selector, and whether its focus ring shows.
FOCUSED = """(selectors) => {
    const element = document.activeElement;
    if (!element || element === document.body) return null;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2
        && style.outlineColor !== "rgba(0, 0, 0, 0)" && style.outlineColor !== "transparent";
    return {
        html: element.outerHTML.slice(0, 120),
        matches: selectors.filter((selector) => element.matches(selector)),
        ring: ring,
        shown: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0 && box.left < innerWidth,
    };
}"""
MAX_TABS = 120


def tab_through(page, selectors):
    """Presses Tab until the focus leaves the page or comes round again; returns what was focused, in order."""
    stops = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED, list(selectors))
        if focused is None or (stops and focused["html"] == stops[0]["html"]):
            break
        stops.append(focused)
    return stops


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=str)
def test_tab_reaches_every_main_control_with_a_visible_focus_ring(open_page, site, page_type):
    page = open_page()
    page.goto(site.url(page_type.path))
    selectors = (*NAVIGATION, *page_type.controls)
    stops = tab_through(page, selectors)

    assert stops, "Tab focused nothing"
    assert "skip-link" in stops[0]["html"], "the first Tab should reach the skip link"
    reached = {selector for stop in stops for selector in stop["matches"]}
    assert reached == set(selectors), f"never reached by Tab: {set(selectors) - reached}"
    hidden = [stop["html"] for stop in stops if not (stop["ring"] and stop["shown"])]
    assert hidden == [], "focus not visible on these elements"


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=str)
def test_the_skip_link_shows_on_focus_and_jumps_to_the_content(open_page, site, page_type):
    page = open_page()
    page.goto(site.url(page_type.path))
    skip = page.get_by_role("link", name="Skip to content")
    page.keyboard.press("Tab")
    assert skip.evaluate("(element) => element === document.activeElement")
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["x"] >= 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), "Tab after skipping left the content"


def test_the_focus_check_notices_an_invisible_focus(open_page, site):
    page = open_page()
    page.goto(site.url("/"))
    page.evaluate("document.querySelector('#home-q').style.outline = 'none'")
    page.focus("#home-q")
    assert page.evaluate(FOCUSED, [])["ring"] is False


def test_search_and_open_a_case_with_the_keyboard_alone(open_page, site):
    page = open_page()
    page.goto(site.url("/"))
    stops = 0
    while page.evaluate("document.activeElement.id") != "home-q":
        page.keyboard.press("Tab")
        stops += 1
        assert stops < 30, "Tab never reached the search box"
    page.keyboard.type("Selkirk")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/?q=Selkirk")
    first_case = page.locator("main .case-title a").first
    title = first_case.inner_text()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if first_case.evaluate("(link) => link === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the first case")
    page.keyboard.press("Enter")
    page.wait_for_url("**/cases/*/")
    assert page.get_by_role("heading", level=1).inner_text() == title
