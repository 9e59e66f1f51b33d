"""On paper: a case with its facts, its quotes and its permalink written out, without the site's navigation."""

import re

from playwright.sync_api import expect


def test_a_printed_page_has_no_navigation(open_page, site):
    page = open_page()
    page.goto(site.url("/"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()
    page.emulate_media(media="print")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("link", name="Skip to content")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_a_printed_case_shows_its_facts_quotes_and_written_out_permalink(open_page, site):
    page = open_page()
    page.goto(site.url("/cases/ha3c3r/"))
    page.emulate_media(media="print")

    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Baibolat Kunbolat arrested at his picket in Almaty")
    authority = page.locator("#fact-authority")
    expect(authority).to_be_visible()
    expect(authority).to_contain_text("Kazakh police")
    expect(authority).to_contain_text("Stated by the source")
    number = authority.locator("sup.marker a").first.inner_text()
    passage = page.locator(f"#passage-{number} blockquote")
    expect(passage).to_be_visible()
    expect(passage).to_contain_text("Kazakh police intervened and arrested him")
    permalink = site.url("/cases/ha3c3r/")
    expect(page.get_by_text(permalink, exact=True).first).to_be_visible()
    # The copy buttons (JavaScript is on here) and every other control stay off the paper.
    buttons = page.locator("button")
    assert buttons.count() > 0
    for button in buttons.all():
        expect(button).to_be_hidden()


def test_a_case_page_is_compact_on_a_desktop_and_prints_on_two_pages(open_page, site):
    """The case the archive's readers cite most, with every fact, basis, passage and citation."""
    page = open_page("no-javascript")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site.url("/cases/2n2181/"))
    expect(page.locator("#fact-sentence")).to_contain_text("10 years in prison")
    expect(page.locator("#passage-1")).to_be_visible()
    expect(page.locator("#cite-apa")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollHeight") < 2500
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 2
