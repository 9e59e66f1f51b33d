"""People, places and sources: names in every spelling, the place tree, and source texts with their quotes."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import html

from cases.models import Case, Involvement, PersonName, PersonRelation, Quote
from cases.names import search_key
from cases.pages import html_lang

from .factories import make_case, make_person, make_place, make_quote, make_source

SOURCE = "/sources/kazakh-anti-communist-heats-up-again/"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.fromstring(response.content)


def text_of(element):
    """The text of an element without the passage numbers that follow quotes inside it."""
    element = copy.deepcopy(element)
    for ref in element.xpath(".//a[@class='quote-ref']"):
        ref.drop_tree()
    return element.text_content()


def squash(text):
    return " ".join(text.split())


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


# --- People ------------------------------------------------------------------


def test_people_are_listed_with_their_number_of_cases(client, article):
    doc = page(client, "/people/")
    rows = {
        squash(li.xpath("string(a)")): squash(li.text_content()) for li in doc.xpath("//ul[@class='record-list']/li")
    }
    assert len(rows) == 6
    assert "2 cases" in rows["Baibolat Kunbolat"]
    assert "organisation" in rows["Atajurt Kazakh Human Rights"]
    assert "1 case" in rows["Zhang Xiao"]


def test_a_person_page_groups_every_spelling_of_the_name(client, article):
    doc = page(client, "/people/baibolat-kunbolat/")
    assert doc.xpath("string(//h1)") == "Baibolat Kunbolat"
    source_names = doc.xpath("//ul[@aria-labelledby='names-source']/li")
    spelled = {li.xpath("string(span[@class='name'])"): li for li in source_names}
    assert set(spelled) == {"Baibolat Kunbolat", "Kunbolat", "Kumbolat"}
    # One spelling, three passages, each linking to its mark in the source.
    assert [a.get("href") for a in spelled["Kumbolat"].xpath(".//a")] == [
        f"{SOURCE}#q-4",
        f"{SOURCE}#q-5",
        f"{SOURCE}#q-6",
    ]
    assert "machine translation's rendering" in spelled["Kumbolat"].text_content()


def test_native_scripts_carry_their_language_and_are_marked_editorial(client, article):
    doc = page(client, "/people/baibolat-kunbolat/")
    native = doc.xpath("//ul[@aria-labelledby='names-native']/li")
    langs = {li.xpath("string(span[@class='name'])"): li.xpath("string(span[@class='name']/@lang)") for li in native}
    # Kazakh is written in Cyrillic by default: its lang attribute names no script (RFC 5646).
    assert langs == {"Байболат Күнболатұлы": "kk", "Байболат Кунболатулы": "ru"}
    assert "Kazakh (Cyrillic)" in native[1].text_content() or "Kazakh (Cyrillic)" in native[0].text_content()
    for li in native:
        assert "editorial addition" in li.text_content()
        assert not li.xpath(".//a"), "an editorial addition claims no passage"
    doc = page(client, "/people/zhang-xiao/")
    assert doc.xpath("//span[@class='name'][@lang='zh-Hans']/text()") == ["张霄"]
    assert doc.xpath("//span[@class='name'][@lang='zh-Hant']/text()") == ["張霄"]


def test_relationships_read_both_ways(client, article):
    doc = page(client, "/people/baimurat-nauryzbek/")
    relation = squash(doc.xpath("string(//ul[@class='relations']/li)"))
    assert relation.startswith("Brother of Baibolat Kunbolat")
    assert doc.xpath("//ul[@class='relations']//a[@href='/people/baibolat-kunbolat/']")
    doc = page(client, "/people/baibolat-kunbolat/")
    relation = squash(doc.xpath("string(//ul[@class='relations']/li)"))
    assert relation.startswith("Baimurat Nauryzbek is the brother of Baibolat Kunbolat")
    assert doc.xpath(f"//ul[@class='relations']//a[@href='{SOURCE}#q-5']")


def test_a_person_page_lists_their_cases_with_roles_and_their_statements(client, article):
    doc = page(client, "/people/serikzhan-bilash/")
    cases = {
        li.xpath("string(a/@href)"): squash(li.text_content())
        for li in doc.xpath("//section[@aria-labelledby='cases-heading']//li")
    }
    assert set(cases) == {"/cases/a8023r/", "/cases/2n2181/"}
    assert "Role: source of statement" in cases["/cases/2n2181/"]
    statements = doc.xpath("//section[@aria-labelledby='statements-heading']//blockquote")
    assert {s.text_content() for s in statements} == set(
        Quote.objects.filter(speaker__slug="serikzhan-bilash").values_list("exact", flat=True)
    )


def test_an_unknown_person_is_not_found(client, db):
    assert client.get("/people/nobody/").status_code == 404


def test_person_page_queries_do_not_grow_with_names_relations_or_cases(client, db):
    def build(n):
        source = make_source(text=" ".join(f"Name{i} was seen." for i in range(n)))
        person = make_person(spellings=[f"Alias {i}" for i in range(n)])
        for i in range(n):
            quote = make_quote(source, f"Name{i} was seen.")
            PersonName.objects.create(person=person, name=f"Name{i}", kind="source", quote=quote, search_key=f"name{i}")
            other = make_person()
            PersonRelation.objects.create(person=person, relation="brother", relative=other, quote=quote)
            make_case(people=[(person, Involvement.Role.DETAINED)], quote=quote)
            Quote.objects.filter(pk=quote.pk).update(speaker=person)
        return person

    small, large = build(2), build(7)
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())


def test_people_list_pages_and_refuses_a_bad_page(client, db):
    for i in range(55):
        make_person(f"Person {i:02}")
    assert "Person 50" not in client.get("/people/").content.decode()
    assert "Person 54" in client.get("/people/?page=2").content.decode()
    assert client.get("/people/?page=abc").status_code == 400
    assert client.get("/people/?page=9").status_code == 404


# --- Places ------------------------------------------------------------------


def test_the_place_index_nests_the_tree_and_counts_cases_inside(client, article):
    doc = page(client, "/places/")
    kazakhstan = doc.xpath("//ul[@class='place-tree']/li[a='Kazakhstan']")[0]
    assert "5 cases" in kazakhstan.xpath("string(span)")
    assert kazakhstan.xpath(".//li/a[.='Almaty']")
    assert kazakhstan.xpath(".//li//li/a[.='Chinese Consulate General in Almaty']")
    china = doc.xpath("//ul[@class='place-tree']/li[a='China']")[0]
    assert "1 case" in china.xpath("string(span)")


def test_a_place_shows_the_places_above_and_inside_and_every_case_within(client, article):
    doc = page(client, "/places/almaty/")
    assert doc.xpath("//nav[@class='place-above']//a/@href") == ["/places/kazakhstan/"]
    assert doc.xpath("//section[@aria-labelledby='inside-heading']//a/@href") == [
        "/places/chinese-consulate-general-almaty/"
    ]
    refs = {a.get("href") for a in doc.xpath("//section[@aria-labelledby='cases-heading']//h3/a")}
    assert refs == {f"/cases/{ref}/" for ref in ("a8023r", "ha3c3r", "84a8j6", "gvce2m", "74t3yk")}
    doc = page(client, "/places/ili/")
    assert doc.xpath("//nav[@class='place-above']//a/text()") == ["Xinjiang Uyghur Autonomous Region", "China"]
    assert {a.get("href") for a in doc.xpath("//section[@aria-labelledby='cases-heading']//h3/a")} == {"/cases/2n2181/"}


def test_place_page_queries_do_not_grow_with_cases_or_places_inside(client, db):
    def build(n):
        top = make_place(kind="country")
        for _ in range(n):
            inner = make_place(parent=make_place(parent=top))
            make_case(place=inner, people=[(make_person(), Involvement.Role.DETAINED)])
        return top

    small, large = build(2), build(9)
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())
    assert count_queries(client, "/places/") == count_queries(client, "/places/")


def test_a_place_pages_its_cases(client, db):
    place = make_place()
    inside = make_place(parent=place)
    for year in range(1960, 2000):  # 40 cases, 25 a page, newest first, one of them inside a place within
        make_case(place=inside if year == 1999 else place, date=str(year))
    newest = list(Case.objects.order_by("-date_latest").values_list("ref", flat=True))
    first = page(client, place.get_absolute_url())
    assert first.xpath("//div[@class='case-rows']//h3/a/@href") == [f"/cases/{ref}/" for ref in newest[:25]]
    assert "40 cases here or in a place inside it." in first.text_content()
    assert "Page 1 of 2" in first.text_content()
    second = page(client, place.get_absolute_url() + "?page=2")
    assert second.xpath("//div[@class='case-rows']//h3/a/@href") == [f"/cases/{ref}/" for ref in newest[25:]]
    assert client.get(place.get_absolute_url() + "?page=x").status_code == 400
    assert client.get(place.get_absolute_url() + "?page=3").status_code == 404


# --- Sources -----------------------------------------------------------------


def test_sources_are_listed(client, article):
    doc = page(client, "/sources/")
    row = squash(doc.xpath("string(//ul[@class='record-list']/li)"))
    assert "Kazakh anti-Communist heats up again" in row
    assert "machine translation" in row
    assert "17 quotes" in row and "cited by 6 cases" in row


def test_a_source_page_gives_what_a_reader_needs_to_judge_it(client, article):
    doc = page(client, SOURCE)
    facts = {
        squash(div.xpath("string(dt)")): squash(div.xpath("string(dd)"))
        for div in doc.xpath("//dl[@class='source-facts']/div")
    }
    assert facts["Publisher"] == "Central News Agency (CNA), Taiwan"
    assert facts["Published"].startswith("1 or 2 February 2021")
    assert facts["Language of this text"] == "English; original in Chinese (Traditional)"
    assert facts["SHA-256 of the text"] == "2e781c10d528fad3c4bdbd472ac911babc8129b65a11a93c6cdcb2b86da2a412"
    # The publisher's own address is not known; the text was archived from a republication, and says so.
    assert facts["At the publisher"] == "address not known"
    assert facts["Copy archived from"].startswith("https://todaychina.cc/15302.html (a republication")
    link = doc.xpath("//dl[@class='source-facts']//a[@href='https://todaychina.cc/15302.html']")[0]
    assert link.get("rel") == "noopener noreferrer"
    text = squash(doc.text_content())
    assert "Source texts remain their publishers' copyright" in text
    assert "This text is a machine translation" in text
    assert "Names are garbled in places" in text


def test_the_full_text_keeps_its_paragraphs_and_marks_every_quote(client, article):
    doc = page(client, SOURCE)
    paragraphs = doc.xpath("//div[@class='source-text']/p")
    assert len(paragraphs) == 12
    assert (
        paragraphs[0].text_content() == "Kazakh anti-Communist heats up again, human rights leader: fear of mass unrest"
    )
    for quote in Quote.objects.all():
        mark = doc.xpath(f"//mark[@id='q-{quote.number}']")
        assert len(mark) == 1
        assert mark[0].text_content() == quote.exact


def test_each_quote_lists_the_cases_that_cite_it(client, article):
    doc = page(client, SOURCE)
    entry = doc.xpath("//div[@id='cited-q-5']")[0]
    cases = {a.get("href").split("#")[0] for a in entry.xpath(".//a[starts-with(@href, '/cases/')]")}
    assert cases == {"/cases/2n2181/"}
    # Each use lands on the fact that cites the passage, and that fact's row exists on the case page.
    anchors = entry.xpath(".//a[starts-with(@href, '/cases/2n2181/#')]/@href")
    assert {"/cases/2n2181/#fact-sentence", "/cases/2n2181/#fact-reason", "/cases/2n2181/#summary"} <= set(anchors)
    case_page = html.fromstring(client.get("/cases/2n2181/").content)
    for anchor in anchors:
        assert case_page.xpath(f"//*[@id='{anchor.split('#')[1]}']"), anchor
    text = squash(entry.text_content())
    assert "sentence" in text and "stated reason" in text
    assert "Baimurat Nauryzbek is the brother of Baibolat Kunbolat" in text
    assert doc.xpath("//mark[@id='q-5']/following-sibling::a[1]/@href") == ["#cited-q-5"]


def test_a_source_text_that_looks_like_html_is_shown_as_text(client, db):
    text = "He wrote <script>alert('x')</script> & <b>bold</b> on it.\n\nSecond <i>para</i>."
    source = make_source(text=text, slug="html-like")
    make_quote(source, "<script>alert('x')</script>")
    body = client.get("/sources/html-like/").content.decode()
    assert "<script>alert" not in body and "<b>bold" not in body and "<i>para" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "&amp; &lt;b&gt;bold&lt;/b&gt; on it." in body
    doc = html.fromstring(body)
    assert [text_of(p) for p in doc.xpath("//div[@class='source-text']/p")] == text.split("\n\n")
    assert doc.xpath("//mark[@id='q-1']")[0].text_content() == "<script>alert('x')</script>"


def test_overlapping_and_nested_quotes_are_all_marked(client, db):
    text = "Alpha beta gamma delta epsilon zeta eta theta.\n\nIota kappa lambda."
    source = make_source(text=text, slug="overlaps")
    outer = make_quote(source, "Alpha beta gamma delta epsilon")  # 1
    inner = make_quote(source, "beta gamma")  # 2: inside 1
    crossing = make_quote(source, "delta epsilon zeta eta")  # 3: crosses the end of 1
    across = make_quote(source, "theta.\n\nIota kappa")  # 4: over a paragraph break
    same = make_quote(source, "Alpha beta gamma delta epsilon", number=5)  # 5: the same words as 1
    doc = page(client, "/sources/overlaps/")
    for quote in (outer, inner, crossing, across, same):
        pieces = doc.xpath(f"//mark[@data-quote='{quote.number}']")
        assert pieces[0].get("id") == f"q-{quote.number}"
        assert all(p.get("id") is None for p in pieces[1:])
        # Pieces nest inside each other: count each piece's own words only once.
        joined = "".join(text_of(p) for p in pieces if not p.xpath(f"ancestor::mark[@data-quote='{quote.number}']"))
        assert joined == quote.exact.replace("\n\n", ""), quote.number
    # A quote that encloses another keeps all its words in the element its link lands on.
    assert text_of(doc.xpath("//mark[@id='q-1']")[0]) == outer.exact
    assert text_of(doc.xpath("//mark[@id='q-2']")[0]) == inner.exact
    assert text_of(doc.xpath("//mark[@id='q-5']")[0]) == same.exact
    # Every word of the text is shown once, in order, and the paragraphs stay two.
    paragraphs = doc.xpath("//div[@class='source-text']/p")
    assert [text_of(p) for p in paragraphs] == text.split("\n\n")
    # Each passage number follows the end of its quote.
    assert [a.text for a in doc.xpath("//a[@class='quote-ref']")] == ["2", "1", "5", "3", "4"]


def test_source_page_queries_do_not_grow_with_quotes_or_citations(client, db):
    def build(n):
        source = make_source(text=" ".join(f"Fact {i} is stated here." for i in range(n)))
        for i in range(n):
            quote = make_quote(source, f"Fact {i} is stated here.")
            person = make_person()
            make_case(quote=quote, people=[(person, Involvement.Role.DETAINED)])
            PersonName.objects.create(
                person=person, name=f"Fact {i}", kind="source", quote=quote, search_key=search_key(f"Fact {i}")
            )
        return source

    small, large = build(2), build(9)
    assert count_queries(client, small.get_absolute_url()) == count_queries(client, large.get_absolute_url())
    assert Case.objects.count() == 11


@pytest.mark.parametrize(
    "url", ["/people/", "/people/baibolat-kunbolat/", "/places/", "/places/almaty/", "/sources/", SOURCE]
)
def test_record_pages_have_one_h1_and_no_inline_style_or_script(client, article, url):
    doc = page(client, url)
    assert len(doc.xpath("//h1")) == 1
    assert not doc.xpath("//*[@style]") and not doc.xpath("//style")
    assert not [s for s in doc.xpath("//script") if (s.text or "").strip() and s.get("type") != "application/ld+json"]
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    "tag, attribute",
    [
        ("kk-Cyrl", "kk"),
        ("ru-Cyrl", "ru"),
        ("kk-Latn", "kk-Latn"),
        ("zh-Hant", "zh-Hant"),
        ("sr-Cyrl", "sr-Cyrl"),
        ("ru", "ru"),
    ],
)
def test_a_lang_attribute_drops_only_a_default_script(tag, attribute):
    assert html_lang(tag) == attribute


def test_a_person_page_pages_their_cases_newest_first(client, db):
    person = make_person("Many Cases")
    for year in range(1950, 2010):  # 60 cases, one a year; one case with two roles
        make_case(date=str(year), people=[(person, Involvement.Role.PROTESTER)])
    Involvement.objects.create(case=Case.objects.get(date_edtf="2009"), person=person, role=Involvement.Role.ORGANISER)
    first = page(client, person.get_absolute_url())
    titles = first.xpath("//section[@aria-labelledby='cases-heading']//li/a/@href")
    newest = list(Case.objects.order_by("-date_latest").values_list("ref", flat=True))
    assert titles == [f"/cases/{ref}/" for ref in newest[:50]]
    assert "Role: protester, organiser" in first.xpath("string(//section[@aria-labelledby='cases-heading']//li[1])")
    assert "60 cases, newest first, 50 a page." in first.text_content()
    assert first.xpath("//a[text()='Filter, search or download them in the case list']/@href") == [
        f"/cases/?person={person.slug}"
    ]
    second = page(client, person.get_absolute_url() + "?page=2")
    assert second.xpath("//section[@aria-labelledby='cases-heading']//li/a/@href") == [
        f"/cases/{ref}/" for ref in newest[50:]
    ]
    assert client.get(person.get_absolute_url() + "?page=3").status_code == 404
    assert client.get(person.get_absolute_url() + "?page=x").status_code == 400
