"""On paper: a case with its facts, its quotes and its permalink written out, without the site's navigation."""

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
    expect(authority.locator("blockquote").first).to_be_visible()
    expect(authority.locator("blockquote").first).to_contain_text("Kazakh police intervened and arrested him")
    permalink = site.url("/cases/ha3c3r/")
    expect(page.get_by_text(permalink, exact=True).first).to_be_visible()
    # The copy buttons (JavaScript is on here) and every other control stay off the paper.
    buttons = page.locator("button")
    assert buttons.count() > 0
    for button in buttons.all():
        expect(button).to_be_hidden()
