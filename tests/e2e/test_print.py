"""On paper: the record, without the site's navigation."""


def test_a_printed_page_has_no_navigation(open_page, site):
    page = open_page()
    page.goto(site.url("/"))
    nav = page.get_by_role("navigation", name="Main")
    assert nav.is_visible()
    page.emulate_media(media="print")
    assert nav.is_hidden()
    assert page.get_by_role("link", name="Skip to content").is_hidden()
    assert page.get_by_role("heading", level=1).is_visible()
