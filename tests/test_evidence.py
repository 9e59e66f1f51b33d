"""Evidence a reader can defend: every fact's basis, claims attributed in every output, every sentence accounted for."""

import csv
import io
import json
import re

import pytest
from django.core.management import call_command
from lxml import etree, html

from cases.loader import FixtureError, load_fixture
from cases.models import Basis, Case, Fact, Person, Place, Source, Statement

from .test_loader import SOURCE, case, original, snapshot, write

QUOTE = f"{SOURCE}#"


def person(data, slug):
    return next(p for p in data["people"] if p["slug"] == slug)


def place(data, slug):
    return next(p for p in data["places"] if p["slug"] == slug)


def statement_of(data, number):
    return next(s for s in data["statements"] if s["quote"] == f"{QUOTE}{number}")


def _derived_without_rule(data):
    del case(data, "a8023r")["bases"]["date"]["rule"]


def _derived_without_inputs(data):
    case(data, "a8023r")["bases"]["date"]["inputs"] = []


def _derived_words_not_in_the_quote(data):
    case(data, "a8023r")["bases"]["date"]["inputs"][0]["words"] = "yesterday"


def _derived_more_precise_than_its_inputs(data):
    case(data, "a8023r")["date"] = "2021-02-01"


def _derived_and_cited_as_stated(data):
    case(data, "a8023r")["citations"]["date"] = [f"{QUOTE}2"]


def _derived_with_a_speaker(data):
    case(data, "a8023r")["bases"]["date"]["according_to"] = "serikzhan-bilash"


def _editorial_without_reference(data):
    record = case(data, "84a8j6")
    del record["citations"]["target"]
    record["bases"] = {"target": {"basis": "editorial"}}


def _editorial_with_a_script_address(data):
    record = case(data, "84a8j6")
    del record["citations"]["target"]
    record["bases"] = {"target": {"basis": "editorial", "reference": {"title": "x", "url": "javascript:alert(1)"}}}


def _editorial_merged_with_a_quote(data):
    case(data, "84a8j6")["bases"] = {"target": {"basis": "editorial", "unsourced": True}}


def _stated_without_a_quote(data):
    del case(data, "2n2181")["citations"]["sentence"]


def _unknown_speaker(data):
    case(data, "2n2181")["bases"]["duration"]["according_to"] = "nobody"


def _a_sentence_nothing_uses(data):
    data["statements"].remove(statement_of(data, 13))


def _an_unused_sentence_that_is_used(data):
    data["sources"][0]["unused"].append({"sentence": data["sources"][0]["quotes"][1]["exact"], "reason": "Not needed."})


def _an_unused_sentence_without_a_reason(data):
    data["statements"].remove(statement_of(data, 13))
    data["sources"][0]["unused"].append({"sentence": data["sources"][0]["quotes"][12]["exact"]})


def _a_quote_cut_inside_a_sentence(data):
    quote = data["sources"][0]["quotes"][9]  # n 10
    quote["exact"] = quote["exact"][: quote["exact"].index(", which has cooled")]
    quote["end"] = quote["start"] + len(quote["exact"])


def _an_unattributed_title(data):
    case(data, "2n2181")["title"] = "Baimurat Nauryzbek detained in Ili and sentenced to ten years"


def _a_summary_that_does_not_name_its_speaker(data):
    case(data, "2n2181")["summary"] = "Baimurat Nauryzbek was arrested in 2018 and sentenced to 10 years in prison."


def _a_description_without_its_quotes(data):
    del person(data, "zhang-xiao")["description_quotes"]


def _an_editorial_note_without_reference(data):
    del person(data, "zhang-xiao")["editorial"][0]["unsourced"]


def _coordinates_without_a_basis(data):
    del place(data, "almaty")["coordinates_basis"]


@pytest.mark.parametrize(
    ("break_it", "where", "message"),
    [
        (_derived_without_rule, "cases[a8023r].bases.date.rule", "is required"),
        (_derived_without_inputs, "cases[a8023r].bases.date.inputs", "lists the inputs"),
        (_derived_words_not_in_the_quote, "cases[a8023r].bases.date.inputs[0].words", "does not appear in quote"),
        (_derived_more_precise_than_its_inputs, "cases[a8023r].bases.date.inputs[1].published", "more precise"),
        (_derived_and_cited_as_stated, "cases[a8023r].citations.date", "takes no citations"),
        (_derived_with_a_speaker, "cases[a8023r].bases.date.according_to", "not someone's word"),
        (_editorial_without_reference, "cases[84a8j6].bases.target", "needs its reference"),
        (_editorial_with_a_script_address, "cases[84a8j6].bases.target.reference.url", "not an http(s) address"),
        (_editorial_merged_with_a_quote, "cases[84a8j6].citations.target", "takes no citations"),
        (_stated_without_a_quote, "cases[2n2181].citations.sentence", "cites no quote"),
        (_unknown_speaker, "cases[2n2181].bases.duration.according_to", "does not exist"),
        (_a_sentence_nothing_uses, f"sources[{SOURCE}] sentence at 1747..1862", "is used by no record"),
        (_an_unused_sentence_that_is_used, f"sources[{SOURCE}].unused", "is used by quote"),
        (_an_unused_sentence_without_a_reason, f"sources[{SOURCE}].unused[1].reason", "is required"),
        (_a_quote_cut_inside_a_sentence, f"quote {SOURCE}#10.end", "is inside a sentence"),
        (_an_unattributed_title, "cases[2n2181].title", "rests on Serikzhan Bilash's word alone"),
        (_a_summary_that_does_not_name_its_speaker, "cases[2n2181].summary", "does not name them"),
        (_a_description_without_its_quotes, "people[zhang-xiao].description_quotes", "needs the quotes"),
        (_an_editorial_note_without_reference, "people[zhang-xiao].editorial[0]", "needs its reference"),
        (_coordinates_without_a_basis, "places[almaty].coordinates_basis", "come from outside the sources"),
    ],
)
def test_the_loader_refuses_a_fact_without_an_honest_basis_and_changes_nothing(
    article, fixture_dir, break_it, where, message
):
    data = original()
    break_it(data)
    before = snapshot()
    with pytest.raises(FixtureError) as error:
        load_fixture(write(fixture_dir, data))
    assert any(line.startswith(f"{where}:") and message in line for line in error.value.errors), error.value.errors
    assert snapshot() == before


@pytest.mark.parametrize(("ref", "words"), [("a8023r", "today"), ("ha3c3r", "today"), ("gvce2m", "last August")])
def test_dates_worked_out_from_the_report_are_derived_with_their_cited_inputs(client, article, ref, words):
    fact = Fact.objects.get(case__ref=ref, field="date")
    assert fact.basis == Basis.DERIVED
    record = client.get(f"/cases/{ref}.json").json()
    (date,) = [f for f in record["facts"] if f["field"] == "date"]
    assert date["basis"] == "derived"
    assert date["basis_text"].startswith("derived by the archive: ")
    quoted = [item for item in date["inputs"] if "quote" in item]
    assert [item["words"] for item in quoted] == [words]
    assert quoted[0]["quote"] in date["quotes"]
    assert {"published": SOURCE} in date["inputs"]


def test_a_date_the_source_states_is_stated_on_the_word_of_its_speaker(article):
    fact = Fact.objects.get(case__ref="2n2181", field="date")
    assert (fact.basis, fact.according_to.slug) == (Basis.STATED, "serikzhan-bilash")
    assert fact.description == "stated, according to Serikzhan Bilash, by phone to CNA"


def test_every_sentence_of_the_article_is_used_or_listed_with_its_reason(article, capsys):
    call_command("loadarchive", "--check")
    out = capsys.readouterr().out
    assert "Sentences no record uses: 1" in out
    (line,) = [line for line in out.splitlines() if line.startswith(f"  {SOURCE} ")]
    assert "“Kazakh anti-Communist heats up again, human rights leader: fear of mass unrest”: The headline" in line
    source = Source.objects.get()
    assert [entry["start"] for entry in source.unused] == [0]


def test_statements_of_the_source_are_recorded_with_their_speaker(client, article):
    rule = Statement.objects.get(kind=Statement.Kind.RULE)
    assert "10 days in advance even for a single demonstration" in rule.quote.exact
    assert rule.speaker.slug == "serikzhan-bilash"
    assert Statement.objects.filter(kind=Statement.Kind.ALLEGATION, quote__exact__contains="persecuting").exists()
    source_page = html.fromstring(client.get(f"/sources/{SOURCE}/").content)
    shown = source_page.xpath(f"//li[@id='statement-{rule.pk}']")[0].text_content()
    assert "rule or law" in shown and "Serikzhan Bilash" in shown
    speaker_page = client.get("/people/serikzhan-bilash/").content.decode()
    assert rule.summary.replace("'", "&#x27;") in speaker_page


def test_the_source_page_goes_sentence_by_sentence_and_says_which_no_record_uses(client, article):
    doc = html.fromstring(client.get(f"/sources/{SOURCE}/").content)
    sentences = doc.xpath("//ol[contains(@class, 'sentences')]/li")
    assert len(sentences) == 18
    unused = [li for li in sentences if li.xpath(".//p[@class='unused']")]
    assert len(unused) == 1
    assert "The headline" in unused[0].text_content()


def test_publisher_and_copy_are_kept_apart(client, article):
    source = Source.objects.get()
    assert source.url == ""
    assert source.copy_url == "https://todaychina.cc/15302.html"
    record = client.get("/cases/a8023r.json").json()
    assert record["sources"][0]["copy_url"] == source.copy_url
    assert record["sources"][0]["url"] == ""


def test_what_editors_added_is_shown_apart_with_its_basis(client, article):
    page = html.fromstring(client.get("/people/zhang-xiao/").content)
    lede = " ".join(page.xpath("string(//p[@class='lede'])").split())
    assert lede.startswith("Chinese ambassador.") and "2018" not in lede
    notes = " ".join(page.xpath("string(//div[@class='editorial-notes'])").split())
    assert "China's ambassador to Kazakhstan from 2018 to 2024. (unsourced)" in notes
    almaty = html.fromstring(client.get("/places/almaty/").content)
    assert "Coordinates: 43.2389, 76.8897 (unsourced)" in " ".join(almaty.text_content().split())
    assert Person.objects.get(slug="serik-azhibay").description == "Social activist."
    assert Place.objects.get(slug="chinese-consulate-general-almaty").editorial_notes.get().label == "address"


# --- No output states as fact what only one person says ------------------------------------

# The archive's attributions, and the source's own ("…, Serkjian said"), whatever spelling names the speaker.
ATTRIBUTING = re.compile(r"reported|according to|alleged|\bsaid\b|\btold\b", re.IGNORECASE)


def attributed_claims():
    """(value, speaker) of every fact written as text that rests on one person's word (codes are not claims)."""
    claims = []
    for fact in Fact.objects.filter(according_to__isnull=False).select_related("case", "according_to"):
        details = fact.case.details
        if not hasattr(details, fact.field) or details._meta.get_field(fact.field).choices:
            continue
        value = getattr(details, fact.field)
        if isinstance(value, str) and len(value) >= 8:
            claims.append((value, fact.according_to.name))
    return claims


def unattributed(units, claims):
    """The (unit, value) pairs where a unit of output holds a claim without its speaker or an attribution."""
    return [
        (unit[:120], value)
        for unit in units
        for value, speaker in claims
        if value in unit and speaker not in unit and not ATTRIBUTING.search(unit)
    ]


def html_units(body):
    """The smallest blocks a reader takes as one statement: table rows, list items, paragraphs, headings."""
    doc = html.fromstring(body)
    return [" ".join(e.text_content().split()) for e in doc.iter("tr", "li", "p", "h1", "h2", "h3", "dd", "title")]


def test_no_page_export_feed_or_citation_states_an_attributed_claim_unattributed(client, article):
    claims = attributed_claims()
    assert {value for value, _ in claims} >= {"having studied in Kazakhstan", "10 years in prison"}
    units = []
    pages = ["/", "/cases/", "/people/", "/places/", "/sources/", "/data/"]
    pages += [c.get_absolute_url() for c in Case.objects.all()]
    pages += [p.get_absolute_url() for p in Person.objects.all()]
    pages += [p.get_absolute_url() for p in Place.objects.all()]
    pages += [s.get_absolute_url() for s in Source.objects.all()]
    for url in pages:
        units += html_units(client.get(url).content)
    for row in csv.DictReader(io.StringIO(b"".join(client.get("/cases.csv").streaming_content).decode("utf-8-sig"))):
        units.append(" | ".join(row.values()))
    data = json.loads(b"".join(client.get("/cases.json").streaming_content))
    units += [json.dumps(case_, ensure_ascii=False) for case_ in data["cases"]]
    units += [json.dumps(client.get(f"/cases/{c.ref}.json").json(), ensure_ascii=False) for c in Case.objects.all()]
    feed = etree.fromstring(client.get("/feed/").content)
    units += [" ".join(html.fromstring(e.text).text_content().split()) for e in feed.iter("{*}content", "{*}summary")]
    for ref in Case.objects.values_list("ref", flat=True):
        for extension in ("bib", "ris", "csl.json"):
            units.append(client.get(f"/cases/{ref}/cite.{extension}").content.decode())
    found = unattributed(units, claims)
    assert not found, found
    # The check itself finds a claim stated bare.
    assert unattributed(["He was sentenced to 10 years in prison."], claims)


def test_a_search_finds_the_statements_of_the_sources(client, article):
    assert client.get("/cases/", {"q": "Kunbolat"}).context["statements"] == []
    response = client.get("/cases/", {"q": "advance demonstration"})
    (statement,) = response.context["statements"]
    assert statement.kind == Statement.Kind.RULE
    doc = html.fromstring(response.content)
    found = doc.xpath("//section[@class='statements-found']//a/@href")
    assert found == [f"/sources/{SOURCE}/#statement-{statement.pk}"]
