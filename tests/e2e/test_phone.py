"""On a phone 375 px wide nothing scrolls sideways, and the controls fit the screen."""

import pytest

from tests.e2e.conftest import PHONE
from tests.pages import PAGE_TYPES

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
