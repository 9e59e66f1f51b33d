"""Two journeys of a researcher: a month typed as people write it, and the page that says who runs the archive.

Each walked with JavaScript on and off, on a phone 375 px wide, and on paper.
"""

import re

import pytest
from playwright.sync_api import expect

AUGUST_2020 = ["74t3yk", "gvce2m"]


def _filter_by(page, text):
    """Type ``text`` as the date and show the cases, opening the folded filters first where a phone folds them."""
    date = page.get_by_label("From")
    if not date.is_visible():
        page.locator("summary", has_text="Search and filter").click()
    date.fill(text)
    page.get_by_role("button", name="Show cases").click()


@pytest.mark.parametrize("context", ["javascript", "no-javascript", "phone"])
def test_a_month_typed_in_words_lists_that_month_with_one_chip_and_says_so_on_paper(open_page, site, context):
    page = open_page(context)
    page.goto(site.url("/cases/"))
    _filter_by(page, "August 2020")
    page.wait_for_url(re.compile(r"/cases/\?(.*&)?date_from=2020-08&date_to=2020-08"))
    assert sorted(page.locator("main .case-row .ref").all_inner_texts()) == AUGUST_2020
    chips = page.locator(".active-filters li")
    expect(chips).to_have_count(1)
    expect(chips.first).to_contain_text("Date: August 2020")
    expect(page).to_have_title(re.compile(r"^Cases \(Date: August 2020\)"))
    page.emulate_media(media="print")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "August 2020" in heading and "2 cases" in heading


@pytest.mark.parametrize("context", ["javascript", "no-javascript", "phone"])
def test_an_ambiguous_date_is_answered_with_how_to_write_it(open_page, site, context):
    page = open_page(context)
    page.goto(site.url("/cases/"))
    _filter_by(page, "08/07/2020")
    expect(page.locator("#f-date_from-error")).to_contain_text("2020")
    expect(page.get_by_label("From")).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("context", ["javascript", "no-javascript", "phone"])
def test_the_about_page_is_reached_from_a_case_and_says_who_to_ask_for_a_removal(open_page, site, context):
    page = open_page(context)
    page.goto(site.url("/cases/ha3c3r/"))
    page.get_by_role("contentinfo").get_by_role("link", name="About the archive").click()
    page.wait_for_url("**/about/")
    expect(page.get_by_role("heading", level=1)).to_have_text("About the archive")
    for section in ("Who publishes it", "How facts are checked", "Corrections and removals"):
        expect(page.get_by_role("heading", level=2, name=section)).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=2, name="Corrections and removals")).to_be_visible()
