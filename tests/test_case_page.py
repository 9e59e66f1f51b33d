"""The case page: every fact with its precision, its basis and its passages, caveats, links, citations and metadata."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html

from cases.models import Case, Citation, Detention, Involvement, Quote

from .factories import make_case, make_person, make_place, make_quote, make_source

BASE = "https://archive.example.org"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, html.fromstring(response.content)


def text_of(element):
    """An element's text as a reader sees it, without the small passage numbers added after quotes."""
    for ref in element.xpath(".//a[contains(@class, 'quote-ref')]"):
        ref.drop_tree()
    return element.text_content()


def squash(text):
    return " ".join(text.split())


def fact(doc, key):
    """The row of the facts table for ``key``."""
    found = doc.xpath(f"//tr[@id='fact-{key}']")
    assert len(found) == 1, key
    return found[0]


def value(row):
    return squash(row.xpath("string(td[1]//span[@class='fact-value'])"))


def basis(row):
    return squash(row.xpath("string(td[@class='basis'])"))


def passages(doc, element):
    """The passages (their blockquotes) that the footnote markers inside ``element`` lead to."""
    found = []
    for href in element.xpath(".//sup[@class='marker']/a/@href"):
        found.append(doc.xpath(f"//li[@id='{href[1:]}']")[0])
    return found


def quotes_of(doc, element):
    return [p.xpath("string(.//blockquote)") for p in passages(doc, element)]


def test_every_citation_link_lands_on_a_mark_whose_text_is_the_quote(client, article):
    sources = {}
    checked = 0
    for case in Case.objects.all():
        _, doc = page(client, case.get_absolute_url())
        for link in doc.xpath("//a[contains(@class, 'passage-link')]"):
            path, anchor = link.get("href").split("#")
            if path not in sources:
                sources[path] = html.fromstring(client.get(path).content)
            marks = sources[path].xpath(f"//mark[@id='{anchor}']")
            assert len(marks) == 1, link.get("href")
            quote = Quote.objects.get(source__slug=path.strip("/").split("/")[-1], number=int(anchor[2:]))
            assert text_of(marks[0]) == quote.exact
            # The words shown in the list of passages are the same words.
            shown = link.xpath("ancestor::li[contains(@class, 'passage')]//blockquote")[0]
            assert shown.text_content() == quote.exact
            checked += 1
    # Each passage is printed once on a case's page, however many of its facts cite it.
    assert checked >= len(set(Citation.objects.values_list("case", "quote")))


def test_every_cited_fact_leads_to_the_quotes_that_support_it(client, article):
    for citation in Citation.objects.select_related("case", "quote"):
        _, doc = page(client, citation.case.get_absolute_url())
        if citation.field == Citation.Field.CASE:
            where = doc.xpath("//p[@id='summary']")[0]
        else:
            where = fact(doc, citation.field)
        assert citation.quote.exact in quotes_of(doc, where), (citation.case.ref, citation.field)


def test_each_passage_is_printed_once_and_links_back_to_the_facts_citing_it(client, article):
    _, doc = page(client, "/cases/2n2181/")
    shown = [squash(b.text_content()) for b in doc.xpath("//ol[@class='passages']//blockquote")]
    assert len(shown) == len(set(shown)) == 2
    back = doc.xpath("//li[@id='passage-1']//span[@class='cited-by']/a/@href")
    assert {"#summary", "#fact-date", "#fact-place", "#fact-sentence"} <= set(back)
    for anchor in back:
        assert doc.xpath(f"//*[@id='{anchor[1:]}']"), anchor


def test_each_person_is_shown_with_their_role_and_the_quotes_for_it(client, article):
    for involvement in Involvement.objects.select_related("case", "person").prefetch_related("quotes"):
        _, doc = page(client, involvement.case.get_absolute_url())
        row = fact(doc, f"person-{involvement.person.slug}-{involvement.role}")
        assert row.xpath("string(th)") == involvement.get_role_display().capitalize()
        assert row.xpath(f"td//a[@href='{involvement.person.get_absolute_url()}']")
        assert sorted(quotes_of(doc, row)) == sorted(q.exact for q in involvement.quotes.all())


def test_dates_read_as_the_source_gives_them(client, article):
    _, doc = page(client, "/cases/a8023r/")
    assert value(fact(doc, "date")) == "1 or 2 February 2021"
    _, doc = page(client, "/cases/2n2181/")
    assert value(fact(doc, "date")) == "2018"
    assert basis(fact(doc, "date")) == "Stated, according to Serikzhan Bilash, by phone to CNA"
    assert "January 2018" not in squash(doc.text_content())
    assert "as the source gives it" not in squash(doc.text_content())


@pytest.mark.parametrize(
    ("ref", "words", "shown"),
    [("a8023r", "today", "1 or 2 February 2021"), ("ha3c3r", "today", "1 or 2 February 2021"),
     ("gvce2m", "last August", "August 2020"), ("74t3yk", "last August", "August 2020")],
)  # fmt: skip
def test_dates_worked_out_from_the_report_s_date_are_shown_as_derived_with_their_inputs(
    client, article, ref, words, shown
):
    _, doc = page(client, f"/cases/{ref}/")
    row = fact(doc, "date")
    assert value(row) == shown
    said = basis(row)
    assert said.startswith("Derived:")
    assert f"From: “{words}”" in said
    assert "the publication date of the source (1 or 2 February 2021)" in said
    # The passage behind the marker holds the words the rule used.
    (passage,) = quotes_of(doc, row.xpath("td[@class='basis']")[0])
    assert words in passage
    assert "as the source gives it" not in squash(doc.text_content())


def test_the_place_is_given_with_the_places_above_it(client, article):
    _, doc = page(client, "/cases/2n2181/")
    links = fact(doc, "place").xpath("td[1]//span[@class='fact-value']/a")
    assert [(a.text, a.get("href")) for a in links] == [
        ("Ili Kazakh Autonomous Prefecture", "/places/ili/"),
        ("Xinjiang Uyghur Autonomous Region", "/places/xinjiang/"),
        ("China", "/places/china/"),
    ]


def test_detention_facts_with_a_blank_one_reading_not_stated(client, article):
    _, doc = page(client, "/cases/2n2181/")
    assert value(fact(doc, "reason")) == "having studied in Kazakhstan"
    assert value(fact(doc, "sentence")) == "10 years in prison"
    assert fact(doc, "authority").xpath("string(.//span[@class='not-stated'])") == "not stated"
    assert not passages(doc, fact(doc, "authority"))
    assert fact(doc, "release").xpath("string(.//span[@class='not-stated'])") == "not stated"


def test_status_is_dated_by_its_source(client, article):
    _, doc = page(client, "/cases/2n2181/")
    status = squash(fact(doc, "status").text_content())
    assert "sentenced" in status
    assert "as of 1 or 2 February 2021, the date of the source" in status


def test_protest_facts_are_all_shown(client, article):
    _, doc = page(client, "/cases/gvce2m/")
    values = {key: value(fact(doc, key)) for key in ("form", "size", "target", "demands", "slogans", "outcome")}
    assert values == {
        "form": "one-person picket",
        "size": "one person",
        "target": "China’s aggressive policies, and Chinese Ambassador Zhang Xiao",
        "demands": "the expulsion of Chinese Ambassador Zhang Xiao",
        "slogans": "a picture of Chinese Ambassador Zhang Xiao with “persona non grata” written on it",
        "outcome": "arrests",
    }


def test_a_protest_without_a_stated_outcome_says_so(client, article):
    _, doc = page(client, "/cases/84a8j6/")
    for key in ("size", "demands", "slogans", "outcome"):
        assert fact(doc, key).xpath("string(.//span[@class='not-stated'])") == "not stated", key


def test_a_detention_and_the_protest_it_arose_from_link_to_each_other(client, article):
    _, doc = page(client, "/cases/ha3c3r/")
    assert fact(doc, "arose_from").xpath(".//a[@href='/cases/a8023r/']")
    assert doc.xpath("//section[@aria-labelledby='linked-heading']//a[@href='/cases/a8023r/']")
    _, doc = page(client, "/cases/a8023r/")
    assert doc.xpath("//section[@aria-labelledby='linked-heading']//a[@href='/cases/ha3c3r/']")


def test_other_cases_of_the_same_people_are_listed(client, article):
    _, doc = page(client, "/cases/gvce2m/")
    related = {a.get("href") for a in doc.xpath("//section[@aria-labelledby='related-heading']//h3/a")}
    assert related == {"/cases/74t3yk/"}
    _, doc = page(client, "/cases/84a8j6/")
    assert "No other case in the archive involves the people named here." in doc.text_content()


def test_quotes_carry_their_attribution(client, article):
    _, doc = page(client, "/cases/2n2181/")
    sources = [squash(p.xpath("string(.//p[@class='quote-source'])")) for p in passages(doc, fact(doc, "sentence"))]
    assert sources[0].startswith("— Serikzhan Bilash, by phone to CNA machine translation.")
    assert basis(fact(doc, "sentence")) == "Stated, according to Serikzhan Bilash, by phone to CNA"
    # A fact with its own speaker names them, not the passage's reporter.
    assert basis(fact(doc, "duration")) == (
        "Stated, according to Baibolat Kunbolat, in a video posted on Facebook, as CNA describes it"
    )


def test_caveats_name_the_machine_translation_and_the_one_person_behind_claims(client, article):
    _, doc = page(client, "/cases/2n2181/")
    caveats = squash(doc.xpath("string(//section[@class='caveats'])"))
    assert "Machine translation." in caveats
    # The translation's own note (which names it garbles) is on the source's page, a link away.
    link = doc.xpath("//section[@class='caveats']//a[text()='What the translation garbles']/@href")
    assert link == ["/sources/kazakh-anti-communist-heats-up-again/#translation-heading"]
    assert (
        "One person's word. The date, place, stated reason, sentence and status rest only on what "
        "Serikzhan Bilash said, as the source reports it."
    ) in caveats


def test_a_claim_reported_by_the_publisher_carries_no_single_person_caveat(client, article):
    _, doc = page(client, "/cases/gvce2m/")
    caveats = squash(doc.xpath("string(//section[@class='caveats'])"))
    assert "One person's word" not in caveats
    assert basis(fact(doc, "outcome")) == "Stated by the source"


def test_quotes_link_to_the_publisher_with_a_text_fragment(client, article):
    _, doc = page(client, "/cases/a8023r/")
    links = doc.xpath("//a[contains(@class, 'external')]")
    assert links
    for link in links:
        assert link.get("href").startswith("https://todaychina.cc/15302.html#:~:text=")
        assert link.get("rel") == "noopener noreferrer"
        # The copy is a republication, and the link says so: the publisher's own address is not known.
        assert link.text_content() == "in the republished copy"
    assert (
        "https://todaychina.cc/15302.html#:~:text=Kazakh%20social%20activist%20Baibolat,Consulate%20General%20in%20Almaty."
        in {link.get("href") for link in links}
    )


def test_an_archived_copy_gets_its_own_fragment_link(client, db):
    source = make_source(text="Intro. Police detained him at dawn. End.", archived_url="https://archive.example.net/x")
    quote = make_quote(source, "Police detained him at dawn.")
    case = make_case(quote=quote)
    _, doc = page(client, case.get_absolute_url())
    hrefs = {a.get("href") for a in doc.xpath("//a[contains(@class, 'external')]")}
    assert "https://archive.example.net/x#:~:text=Police%20detained%20him%20at%20dawn." in hrefs


def test_cite_this_case_gives_the_permalink_and_ready_citations(client, article, settings):
    settings.ARCHIVE_BASE_URL = BASE
    _, doc = page(client, "/cases/a8023r/")
    cite = doc.xpath("//section[@id='cite']")[0]
    assert cite.xpath("string(.//code[@id='cite-permalink'])") == f"{BASE}/cases/a8023r/"
    apa = squash(cite.xpath("string(.//p[@id='cite-apa'])"))
    assert apa == (
        "Archive of Detentions and Protests. (2026, November 27). Baibolat Kunbolat's one-person picket at the "
        f"Chinese Consulate General in Almaty. {BASE}/cases/a8023r/"
    )
    assert cite.xpath(".//p[@id='cite-apa']/i")
    note = squash(cite.xpath("string(.//p[@id='cite-chicago-note'])"))
    assert note == (
        "“Baibolat Kunbolat's One-Person Picket at the Chinese Consulate General in Almaty,” Archive of Detentions "
        f"and Protests, last modified November 27, 2026, {BASE}/cases/a8023r/."
    )
    bibliography = squash(cite.xpath("string(.//p[@id='cite-chicago-bibliography'])"))
    assert bibliography.startswith("Archive of Detentions and Protests. “Baibolat Kunbolat's One-Person Picket")
    downloads = [a.get("href") for a in cite.xpath(".//ul[@class='cite-files']//a")]
    assert downloads == ["/cases/a8023r/cite.bib", "/cases/a8023r/cite.ris", "/cases/a8023r/cite.csl.json"]


def test_the_copy_button_comes_from_a_same_origin_script_and_nothing_inline(client, article):
    response, doc = page(client, "/cases/a8023r/")
    scripts = doc.xpath("//script")
    executable = [s for s in scripts if s.get("type") != "application/ld+json"]
    assert [s.get("src") for s in executable] == ["/static/js/copy.js"]
    assert all(not (s.text or "").strip() for s in executable)
    assert not doc.xpath("//*[@style]") and not doc.xpath("//style")
    assert not doc.xpath("//button"), "the copy buttons are added by the script, never there without it"
    assert doc.xpath("//*[@data-copy]/@data-copy") == [
        "Copy the permanent address",
        "Copy the APA citation",
        "Copy the Chicago note",
        "Copy the Chicago bibliography entry",
    ]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_copy_script_is_served(client, db):
    response = client.get("/static/js/copy.js")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "data-copy" in body and "clipboard" in body


def test_reference_managers_find_their_metadata(client, article, settings):
    settings.ARCHIVE_BASE_URL = BASE
    _, doc = page(client, "/cases/a8023r/")

    def meta(attribute, name):
        values = doc.xpath(f"//head/meta[@{attribute}='{name}']/@content")
        assert len(values) == 1, name
        return values[0]

    title = "Baibolat Kunbolat's one-person picket at the Chinese Consulate General in Almaty"
    assert doc.xpath("//head/link[@rel='canonical']/@href") == [f"{BASE}/cases/a8023r/"]
    assert meta("name", "citation_title") == title
    assert meta("name", "citation_publication_date") == "2026/11/27"
    assert meta("name", "citation_public_url") == f"{BASE}/cases/a8023r/"
    assert meta("name", "citation_publisher") == "Archive of Detentions and Protests"
    assert doc.xpath("//head/link[@rel='schema.DC']/@href") == ["http://purl.org/dc/elements/1.1/"]
    assert meta("name", "DC.title") == title
    assert meta("name", "DC.date") == "2026-11-27"
    assert meta("name", "DC.identifier") == f"{BASE}/cases/a8023r/"
    assert meta("property", "og:type") == "website"
    assert meta("property", "og:url") == f"{BASE}/cases/a8023r/"
    assert not doc.xpath("//meta[@name='citation_journal_title']"), "a journal title would make Zotero save an article"


def test_json_ld_describes_the_page_its_event_and_the_dataset(client, article, settings):
    settings.ARCHIVE_BASE_URL = BASE
    _, doc = page(client, "/cases/2n2181/")
    blocks = doc.xpath("//script[@type='application/ld+json']")
    assert len(blocks) == 1
    data = json.loads(blocks[0].text)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "WebPage"
    assert data["url"] == f"{BASE}/cases/2n2181/"
    assert data["dateModified"] == "2026-11-27"
    assert data["mainEntity"]["@type"] == "Event"
    assert data["mainEntity"]["startDate"] == "2018"
    assert data["mainEntity"]["location"]["name"] == "Ili Kazakh Autonomous Prefecture"
    assert data["isPartOf"]["@type"] == "Dataset"
    assert data["isPartOf"]["name"] == "Archive of Detentions and Protests"
    assert {m["name"] for m in data["mentions"]} == {"Baimurat Nauryzbek", "Serikzhan Bilash"}
    _, doc = page(client, "/cases/a8023r/")
    event = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)["mainEntity"]
    # "1 or 2 February 2021": the month is certain, and the picket lasted no two days.
    assert event["startDate"] == "2021-02"
    assert "endDate" not in event


def test_json_ld_cannot_end_its_script_element(client, db):
    case = make_case(title="</script><script>alert(1)</script> & co")
    response = client.get(case.get_absolute_url())
    body = response.content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.DOTALL).group(1)
    assert "<" not in block
    assert json.loads(block)["name"] == "</script><script>alert(1)</script> & co"


def test_the_page_prints_with_its_permalink_written_out(client, article, settings):
    settings.ARCHIVE_BASE_URL = BASE
    _, doc = page(client, "/cases/a8023r/")
    assert doc.xpath("string(//p[@class='permalink-line']/a)") == f"{BASE}/cases/a8023r/"
    assert doc.xpath("//link[@rel='stylesheet'][@media='print']/@href") == ["/static/css/print.css"]
    css = b"".join(client.get("/static/css/print.css").streaming_content).decode()
    assert ".site-header nav" in css and ".copy-button" in css


def test_the_page_has_one_h1_landmarks_and_labelled_sections(client, article):
    _, doc = page(client, "/cases/a8023r/")
    assert len(doc.xpath("//h1")) == 1
    assert doc.xpath("//main") and doc.xpath("//nav") and doc.xpath("//header") and doc.xpath("//footer")
    for section in doc.xpath("//section[@aria-labelledby]"):
        assert doc.xpath(f"//*[@id='{section.get('aria-labelledby')}']"), section.get("aria-labelledby")
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids)), "ids are unique"


def build_case(n):
    """A detention with ``n`` quotes behind each fact, ``n`` people and ``n`` related cases."""
    text = " ".join(f"Sentence number {i} says what happened." for i in range(3 * n))
    source = make_source(text=text, is_machine_translation=True)
    quotes = [make_quote(source, f"Sentence number {i} says what happened.") for i in range(3 * n)]
    people = [make_person(f"Person {i}") for i in range(n)]
    protest = make_case(kind=Case.Kind.PROTEST, quote=quotes[0])
    place = make_place(parent=make_place(parent=make_place()))
    case = make_case(
        place=place,
        quote=quotes[0],
        people=[(p, Involvement.Role.DETAINED) for p in people],
        details={"authority": "Police", "sentence": "Ten years", "status": Detention.Status.SENTENCED},
    )
    Detention.objects.filter(case=case).update(arose_from=protest.protest)
    for name in ("authority", "sentence", "status", "date"):
        Citation.objects.bulk_create(Citation(case=case, field=name, quote=q) for q in quotes[1:n])
    for involvement in case.involvements.all():
        involvement.quotes.add(*quotes[:n])
    for person in people:
        make_case(people=[(person, Involvement.Role.PROTESTER)], quote=quotes[-1])
    return case


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["", "cite.bib"])
def test_query_count_does_not_grow_with_facts_quotes_people_or_related_cases(client, db, url):
    small = build_case(2)
    large = build_case(8)
    assert count_queries(client, small.get_absolute_url() + url) == count_queries(
        client, large.get_absolute_url() + url
    )
    assert count_queries(client, large.get_absolute_url() + url) <= 14  # with no load: the version is looked for twice


def test_a_case_shows_the_ten_newest_related_cases_and_links_to_the_rest(client, db):
    person, other = make_person("Popular Person"), make_person("Second Person")
    case = make_case(date="2015", people=[(person, Involvement.Role.DETAINED), (other, Involvement.Role.WITNESS)])
    years = range(2001, 2015)  # 14 more cases of the person, one a year
    for year in years:
        make_case(date=str(year), people=[(person, Involvement.Role.PROTESTER)])
    make_case(date="2000", people=[(other, Involvement.Role.PROTESTER)])
    _, doc = page(client, case.get_absolute_url())
    rows = doc.xpath("//section[@aria-labelledby='related-heading']//h3/a/@href")
    newest = Case.objects.exclude(pk=case.pk).order_by("-date_latest").values_list("ref", flat=True)[:10]
    assert rows == [f"/cases/{ref}/" for ref in newest]
    links = {a.text_content(): a.get("href") for a in doc.xpath("//ul[@class='related-more']//a")}
    assert links == {
        "All 15 cases involving Popular Person": f"/cases/?person={person.slug}",
        "All 2 cases involving Second Person": f"/cases/?person={other.slug}",
    }
    listed = client.get(links["All 15 cases involving Popular Person"])
    assert listed.context["total"] == 15


def test_query_count_is_the_same_for_eleven_or_a_hundred_related_cases(client, db):
    def build(n):
        person = make_person()
        case = make_case(people=[(person, Involvement.Role.DETAINED)])
        for _ in range(n):
            make_case(people=[(person, Involvement.Role.PROTESTER)])
        return case

    assert count_queries(client, build(11).get_absolute_url()) == count_queries(client, build(100).get_absolute_url())


def test_the_translation_caveat_names_the_original_language(client, article):
    _, doc = page(client, "/cases/2n2181/")
    caveat = squash(doc.xpath("string(//li[contains(@class, 'caveat-translation')])"))
    assert "of a text in Chinese (Traditional)" in caveat
