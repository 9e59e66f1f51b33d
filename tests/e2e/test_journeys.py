"""The reader's journeys through the archive, each walked with JavaScript on and again with it off.

Every page these journeys open is checked, when the test ends, for requests to
other hosts and for cookies (see ``open_page`` in conftest.py).
"""

import csv
import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

CASE = "/cases/ha3c3r/"
CASE_TITLE = "Baibolat Kunbolat arrested at his picket in Almaty"
SOURCE = "/sources/kazakh-anti-communist-heats-up-again/"


def listed_refs(page):
    return page.locator("main .case-row .ref").all_inner_texts()


def query(page):
    return {name: values[-1] for name, values in parse_qs(urlsplit(page.url).query).items()}


def test_narrow_the_list_by_place_through_a_facet_then_by_a_date_range(reader, site):
    reader.goto(site.url("/"))
    reader.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    reader.wait_for_url(site.url("/cases/"))
    expect(reader.get_by_role("heading", level=1)).to_have_text("Cases", use_inner_text=True)
    assert len(listed_refs(reader)) == 6

    facets = reader.get_by_role("complementary", name="Narrow down")
    facets.get_by_role("link", name="Kazakhstan", exact=True).click()
    reader.wait_for_url("**/cases/?place=kazakhstan")
    assert query(reader) == {"place": "kazakhstan"}
    assert "2n2181" not in listed_refs(reader)  # the detention in Ili, China
    facets.get_by_role("link", name="Almaty", exact=True).click()
    reader.wait_for_url("**/cases/?place=almaty")
    assert query(reader) == {"place": "almaty"}
    assert len(listed_refs(reader)) == 5

    reader.get_by_label("From").fill("2020")
    reader.get_by_label("To").fill("2020-12")
    reader.get_by_role("button", name="Show cases").click()
    reader.wait_for_url("**/cases/?*date_to=2020-12*")
    assert {"place": "almaty", "date_from": "2020", "date_to": "2020-12"}.items() <= query(reader).items()
    assert sorted(listed_refs(reader)) == ["74t3yk", "gvce2m"]
    expect(reader.get_by_label("From")).to_have_value("2020")


def test_follow_a_facts_quote_to_the_highlighted_passage_in_the_source_and_come_back(reader, site):
    reader.goto(site.url("/cases/"))
    reader.get_by_role("link", name=CASE_TITLE).click()
    reader.wait_for_url(site.url(CASE))

    fact = reader.locator("#fact-authority")
    expect(fact.locator("th")).to_have_text("Detaining authority")
    # The fact's number leads to its passage, printed once below the facts, which leads back to the fact.
    fact.locator("sup.marker a").first.click()
    footnote = reader.locator("li.passage:target")
    expect(footnote).to_have_count(1)
    expect(footnote).to_be_in_viewport()
    expect(footnote.locator(".cited-by a[href='#fact-authority']")).to_have_count(1)
    quote = footnote.locator("blockquote").inner_text().strip()
    footnote.locator("a.passage-link").click()

    reader.wait_for_url(re.compile(re.escape(site.url(SOURCE)) + r"#q-\d+$"))
    passage = reader.locator("mark:target")
    expect(passage).to_have_count(1)
    expect(passage).to_have_text(quote)
    expect(passage).to_be_in_viewport()
    other = reader.locator(".source-text mark:not(:target)").first
    assert passage.evaluate("(mark) => getComputedStyle(mark).outlineStyle") != "none"
    assert other.evaluate("(mark) => getComputedStyle(mark).outlineStyle") == "none"

    reader.go_back()
    reader.wait_for_url(re.compile(re.escape(site.url(CASE)) + r"#passage-\d+$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text(CASE_TITLE)


def search_from_home(page, site, words):
    page.goto(site.url("/"))
    page.get_by_label("Search cases, people and quotes").fill(words)
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/cases/?q=*")


def test_find_a_person_by_a_garbled_spelling(reader, site):
    for garbled, person, slug in [
        ("Kumbolat", "Baibolat Kunbolat", "baibolat-kunbolat"),
        ("Selkirk", "Serikzhan Bilash", "serikzhan-bilash"),
    ]:
        search_from_home(reader, site, garbled)
        assert query(reader) == {"q": garbled}
        assert listed_refs(reader), f"nothing found for {garbled}"
        results = reader.locator("main .case-rows")
        results.get_by_role("link", name=person, exact=True).first.click()
        reader.wait_for_url(site.url(f"/people/{slug}/"))
        expect(reader.get_by_role("heading", level=1)).to_have_text(person)
        expect(reader.locator(".names").get_by_text(garbled, exact=True).first).to_be_visible()


def test_copy_a_citation_with_the_copy_button(reader, javascript, site):
    reader.goto(site.url(CASE))
    citation = reader.locator(".citation").first
    expect(citation).to_be_visible()
    copy_buttons = reader.get_by_role("button", name=re.compile(r"^Copy"))
    if not javascript:
        # Without script there is nothing to press: the citation is there to select by hand.
        expect(copy_buttons).to_have_count(0)
        return
    reader.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.origin)
    button = reader.get_by_role("button", name="Copy the APA citation")
    button.click()
    expect(button).to_have_text("Copied")
    copied = reader.evaluate("navigator.clipboard.readText()")
    assert " ".join(copied.split()) == " ".join(citation.inner_text().split())
    assert site.url(CASE) in copied


def test_download_the_filtered_list_as_csv(reader, site):
    reader.goto(site.url("/cases/"))
    facets = reader.get_by_role("complementary", name="Narrow down")
    facets.get_by_role("link", name="Kazakhstan", exact=True).click()
    reader.wait_for_url("**/cases/?place=kazakhstan")
    reader.get_by_label("From").fill("February 2021")
    reader.get_by_role("button", name="Show cases").click()
    reader.wait_for_url("**/cases/?*date_from=2021*")
    shown = sorted(listed_refs(reader))
    assert shown == ["a8023r", "ha3c3r"]

    with reader.expect_download() as download_info:
        reader.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert urlsplit(download.url).path == "/cases.csv"
    sent = parse_qs(urlsplit(download.url).query)
    assert sent["place"] == ["kazakhstan"] and sent["date_from"] == ["2021-02"]
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert sorted(row["ref"] for row in rows) == shown
    assert all(row["place"] for row in rows)
