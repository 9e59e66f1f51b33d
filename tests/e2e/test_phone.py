"""On a phone 375 px wide nothing scrolls sideways, and the controls fit the screen."""

import pytest

from tests.e2e.conftest import PHONE
from tests.page_types import PAGE_TYPES

OVERFLOW = "document.documentElement.scrollWidth"


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=str)
def test_nothing_scrolls_sideways_on_a_phone(open_page, site, page_type):
    page = open_page("phone")
    page.goto(site.url(page_type.path))
    assert page.evaluate("innerWidth") == PHONE["width"]
    assert page.evaluate(OVERFLOW) <= PHONE["width"]


def test_the_sideways_check_notices_a_page_too_wide(open_page, site):
    page = open_page("phone")
    page.goto(site.url("/"))
    page.evaluate(
        "document.querySelector('main').append(Object.assign(document.createElement('div'), {textContent: 'x'}))"
    )
    page.evaluate("document.querySelector('main').lastElementChild.style.width = '600px'")
    assert page.evaluate(OVERFLOW) > PHONE["width"]


def test_the_search_box_fits_a_phone_and_can_be_used(open_page, site):
    page = open_page("phone")
    page.goto(site.url("/"))
    for control in (page.get_by_label("Search cases, people and quotes"), page.get_by_role("button", name="Search")):
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 24, "too small to tap"


def test_the_case_list_filters_fit_a_phone_and_work(open_page, site):
    page = open_page("phone")
    page.goto(site.url("/cases/"))
    # Folded above the results on a phone: its summary opens it.
    summary = page.locator(".filters-disclosure > summary")
    assert summary.bounding_box()["height"] >= 24, "too small to tap"
    summary.tap()
    filters = page.get_by_role("form", name="Search and filter the cases")
    controls = [
        filters.get_by_label("Search", exact=True),
        filters.get_by_label("Kind"),
        filters.get_by_label("Place"),
        filters.get_by_label("From"),
        filters.get_by_label("To"),
        filters.get_by_role("button", name="Show cases"),
    ]
    for control in controls:
        control.scroll_into_view_if_needed()
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], control
        assert box["height"] >= 24, "too small to tap"
    filters.get_by_label("Place").select_option("almaty")
    filters.get_by_label("From").fill("2021")
    filters.get_by_role("button", name="Show cases").tap()
    page.wait_for_url("**/cases/?*place=almaty*")
    assert sorted(page.locator("main .case-row .ref").all_inner_texts()) == ["a8023r", "ha3c3r"]
    assert page.evaluate(OVERFLOW) <= PHONE["width"]
