"""Citing a case: APA 7 and Chicago text, and the .bib, .ris and .csl.json files."""

import datetime
import json

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from lxml import html
from pybtex.bibtex.utils import split_name_list
from pybtex.database import parse_string as pybtex_parse

from cases import citations
from cases.citations import CaseReference, headline_case

from .factories import make_case

ARCHIVE = "Archive of Detentions and Protests"
BASE = "https://archive.example.org"


def reference(title="Baibolat Kunbolat's one-person picket at the Chinese Consulate General in Almaty", **fields):
    values = {
        "ref": "a8023r",
        "title": title,
        "summary": "Baibolat Kunbolat staged a one-person demonstration.",
        "modified": datetime.date(2026, 11, 27),
        "url": f"{BASE}/cases/a8023r/",
        "archive": ARCHIVE,
        "accessed": datetime.date(2026, 12, 3),
    }
    values.update(fields)
    return CaseReference(**values)


@pytest.mark.parametrize(
    "title, expected",
    [
        # Chicago 8.159: articles, prepositions and coordinating conjunctions stay lower case...
        (
            "Rally in Almaty against the construction of a Chinese factory",
            "Rally in Almaty against the Construction of a Chinese Factory",
        ),
        # ...pronouns, verbs and numbers-as-words do not.
        (
            "Baibolat Kunbolat arrested at his picket in Almaty",
            "Baibolat Kunbolat Arrested at His Picket in Almaty",
        ),
        (
            "Baimurat Nauryzbek detained in Ili and sentenced to ten years",
            "Baimurat Nauryzbek Detained in Ili and Sentenced to Ten Years",
        ),
        # 8.161: both parts of a hyphenated compound, unless the first is a prefix.
        ("A one-person picket", "A One-Person Picket"),
        ("Anti-communist sentiment grows", "Anti-communist Sentiment Grows"),
        # The first and last words, and the first word of a subtitle, always.
        ("the picket he stood at", "The Picket He Stood At"),
        ("Arrested: a report from Almaty", "Arrested: A Report from Almaty"),
        # Names and acronyms are left as written.
        ("CNA reports on COVID-19 and iPhone bans", "CNA Reports on COVID-19 and iPhone Bans"),
    ],
)
def test_headline_style_follows_chicago(title, expected):
    assert headline_case(title) == expected


def test_apa_names_the_archive_the_date_the_title_and_the_url():
    apa = citations.apa(reference())
    assert apa.text == (
        "Archive of Detentions and Protests. (2026, November 27). "
        "Baibolat Kunbolat's one-person picket at the Chinese Consulate General in Almaty. "
        "https://archive.example.org/cases/a8023r/"
    )
    assert "<i>Baibolat Kunbolat&#x27;s one-person picket at the Chinese Consulate General in Almaty</i>." in apa.html


def test_apa_capitalises_the_first_word_and_leaves_no_period_after_a_question_mark():
    apa = citations.apa(reference(title="was he released? the family asks"))
    assert "(2026, November 27). Was he released? the family asks. https://" in apa.text
    apa = citations.apa(reference(title="Was he released?"))
    assert apa.text.endswith("Was he released? https://archive.example.org/cases/a8023r/")


def test_apa_in_text_citation_gives_author_and_year():
    assert citations.apa_in_text(reference()) == "(Archive of Detentions and Protests, 2026)"


def test_chicago_note_puts_the_comma_inside_the_quotation_marks():
    assert citations.chicago_note(reference()).text == (
        "“Baibolat Kunbolat's One-Person Picket at the Chinese Consulate General in Almaty,” "
        "Archive of Detentions and Protests, last modified November 27, 2026, "
        "https://archive.example.org/cases/a8023r/."
    )


def test_chicago_bibliography_leads_with_the_archive():
    assert citations.chicago_bibliography(reference()).text == (
        "Archive of Detentions and Protests. "
        "“Baibolat Kunbolat's One-Person Picket at the Chinese Consulate General in Almaty.” "
        "Last modified November 27, 2026. https://archive.example.org/cases/a8023r/."
    )


def test_chicago_keeps_a_question_mark_and_drops_the_comma_after_it():
    note = citations.chicago_note(reference(title="Was he released?")).text
    assert note.startswith("“Was He Released?” Archive of Detentions and Protests, last modified")
    bibliography = citations.chicago_bibliography(reference(title="Was he released?")).text
    assert "“Was He Released?” Last modified" in bibliography


def test_chicago_turns_quotation_marks_inside_a_title_into_single_ones():
    note = citations.chicago_note(reference(title="A picture marked “persona non grata”")).text
    assert note.startswith("“A Picture Marked ‘Persona Non Grata,’” Archive")


def test_html_citations_escape_the_title():
    ref = reference(title="Picket <script>alert(1)</script> & more")
    for formatted in (citations.apa(ref), citations.chicago_note(ref), citations.chicago_bibliography(ref)):
        assert "<script>" not in formatted.html.lower()
        assert "&lt;script&gt;" in formatted.html.lower()


def parse_bib(text):
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert not library.failed_blocks
    assert len(library.entries) == 1
    return library.entries[0]


def test_biblatex_entry_is_an_online_entry_with_urldate():
    entry = parse_bib(citations.biblatex(reference()))
    assert entry.entry_type == "online"
    assert entry.key == "archive-a8023r"
    fields = {f.key: f.value for f in entry.fields}
    assert fields["url"] == "https://archive.example.org/cases/a8023r/"
    assert fields["date"] == "2026-11-27"
    assert fields["urldate"] == "2026-12-03"
    assert fields["author"] == ARCHIVE
    assert fields["title"] == "Baibolat Kunbolat's one-person picket at the Chinese Consulate General in Almaty"


def test_biblatex_protects_capitals_and_escapes_what_tex_would_read():
    text = citations.biblatex(reference(title="Picket at 50% & {more} #2 for_all"))
    assert "{Picket}" in text
    assert r"50\%" in text and r"\&" in text and r"\#2" in text and r"for\_all" in text
    fields = {f.key: f.value for f in parse_bib(text).fields}
    assert fields["title"] == "Picket at 50% & {more} #2 for_all"


def test_ris_record_has_its_tags_on_crlf_lines():
    text = citations.ris(reference())
    lines = text.split("\r\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    assert lines[0] == "TY  - ELEC"
    assert lines[-1] == "ER  - "
    tags = {}
    for line in lines:
        assert line[2:6] == "  - ", line
        tags.setdefault(line[:2], []).append(line[6:])
    assert tags["TI"] == ["Baibolat Kunbolat's one-person picket at the Chinese Consulate General in Almaty"]
    assert tags["AU"] == [f"{ARCHIVE},"]
    assert tags["UR"] == ["https://archive.example.org/cases/a8023r/"]
    assert tags["DA"] == ["2026/11/27/"]
    assert tags["PY"] == ["2026"]
    assert tags["Y2"] == ["2026/12/03/"]


def test_csl_json_is_an_array_of_one_webpage_item():
    items = json.loads(citations.csl_json(reference()))
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    assert item["type"] == "webpage"
    assert isinstance(item["id"], str) and item["id"]
    assert item["title"].startswith("Baibolat Kunbolat")
    assert item["URL"] == "https://archive.example.org/cases/a8023r/"
    assert item["author"] == [{"literal": ARCHIVE}]
    assert item["container-title"] == ARCHIVE
    for date_field in ("issued", "accessed"):
        parts = item[date_field]["date-parts"]
        assert len(parts) == 1 and all(isinstance(n, int) for n in parts[0])
    assert item["issued"] == {"date-parts": [[2026, 11, 27]]}
    # Only variables CSL defines.
    assert set(item) <= {"id", "type", "title", "author", "container-title", "issued", "accessed", "URL", "language", "note",
                         "abstract"}  # fmt: skip


def test_csl_json_is_read_by_a_real_csl_processor():
    """citeproc-py reads the file and formats it with the style it bundles."""
    items = json.loads(citations.csl_json(reference()))
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
    bibliography.register(Citation([CitationItem(items[0]["id"])]))
    entry = str(bibliography.bibliography()[0])
    assert "Baibolat Kunbolat" in entry
    assert "2026" in entry
    assert "https://archive.example.org/cases/a8023r/" in entry


@pytest.mark.parametrize(
    "suffix, content_type",
    [
        ("cite.bib", "application/x-bibtex; charset=utf-8"),
        ("cite.ris", "application/x-research-info-systems; charset=utf-8"),
        ("cite.csl.json", "application/vnd.citationstyles.csl+json; charset=utf-8"),
    ],
)
def test_citation_files_download_with_their_type_and_a_file_name(client, article, settings, suffix, content_type):
    settings.ARCHIVE_BASE_URL = BASE
    response = client.get(f"/cases/a8023r/{suffix}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="a8023r.{suffix.removeprefix("cite.")}"'
    body = response.content.decode()
    assert f"{BASE}/cases/a8023r/" in body


def test_downloaded_files_describe_the_same_case(client, db, settings):
    settings.ARCHIVE_BASE_URL = BASE
    case = make_case(title="A picket & its arrest", modified=datetime.date(2026, 12, 1))
    bib = {f.key: f.value for f in parse_bib(client.get(f"/cases/{case.ref}/cite.bib").content.decode()).fields}
    csl = json.loads(client.get(f"/cases/{case.ref}/cite.csl.json").content)[0]
    ris = client.get(f"/cases/{case.ref}/cite.ris").content.decode()
    assert bib["title"] == csl["title"] == "A picket & its arrest"
    assert "TI  - A picket & its arrest\r\n" in ris
    assert bib["date"] == "2026-12-01"
    assert csl["issued"] == {"date-parts": [[2026, 12, 1]]}
    assert "DA  - 2026/12/01/\r\n" in ris


def test_biblatex_keeps_the_corporate_author_and_the_site_whole_and_gives_a_year():
    """pybtex reads names and name lists as BibTeX and biber do: the archive stays one name, never split at "and"."""
    entry = pybtex_parse(citations.biblatex(reference()), "bibtex").entries["archive-a8023r"]
    [author] = entry.persons["author"]
    assert author.first_names == author.middle_names == []
    assert [str(name) for name in author.rich_last_names] == [ARCHIVE]
    organizations = split_name_list(entry.fields["organization"])
    assert [o.strip("{}") for o in organizations] == [ARCHIVE]
    assert entry.fields["journaltitle"] == "{" + ARCHIVE + "}"  # the website's title, for Zotero's import
    assert entry.fields["year"] == "2026"
    assert entry.fields["date"] == "2026-11-27"
    assert entry.fields["language"] == "english"


def test_ris_names_the_archive_as_one_corporate_author():
    """rispy reads the record; the author, split at its comma as Zotero does, is one family name and no given name."""
    [record] = rispy.loads(citations.ris(reference()))
    [author] = record["authors"]
    family, given = author.split(",")
    assert (family, given) == (ARCHIVE, "")
    assert record["secondary_title"] == ARCHIVE
    assert record["year"] == "2026"


def test_the_page_and_the_citation_files_state_the_same_author_title_date_and_site(client, article, settings):
    settings.ARCHIVE_BASE_URL = BASE
    doc = html.fromstring(client.get("/cases/a8023r/").content)

    def meta(attribute, name):
        [value] = doc.xpath(f"//head/meta[@{attribute}='{name}']/@content")
        return value

    page = {
        "author": meta("name", "citation_author").removesuffix(","),
        "title": meta("name", "citation_title"),
        "date": meta("name", "citation_publication_date").replace("/", "-"),
        "site": meta("property", "og:site_name"),
        "url": meta("name", "citation_public_url"),
    }
    assert meta("name", "DC.creator") == page["author"] == ARCHIVE
    assert meta("name", "DC.title") == page["title"]
    assert meta("name", "DC.date") == page["date"]
    assert meta("name", "citation_publisher") == page["site"]

    bib = pybtex_parse(client.get("/cases/a8023r/cite.bib").content.decode(), "bibtex").entries["archive-a8023r"]
    [author] = bib.persons["author"]
    bib_title = bibtexparser.parse_string(
        client.get("/cases/a8023r/cite.bib").content.decode(), append_middleware=[LatexDecodingMiddleware()]
    ).entries[0]["title"]
    assert {
        "author": str(author.rich_last_names[0]),
        "title": bib_title,
        "date": bib.fields["date"],
        "site": bib.fields["organization"].strip("{}"),
        "url": bib.fields["url"],
    } == page

    [ris] = rispy.loads(client.get("/cases/a8023r/cite.ris").content.decode())
    assert {
        "author": ris["authors"][0].removesuffix(","),
        "title": ris["title"],
        "date": ris["date"].rstrip("/").replace("/", "-"),
        "site": ris["secondary_title"],
        "url": ris["urls"][0],
    } == page

    items = json.loads(client.get("/cases/a8023r/cite.csl.json").content)
    [item] = CiteProcJSON(items).values()
    issued = item["issued"]
    assert {
        "author": item["author"][0]["literal"],
        "title": str(item["title"]),
        "date": f"{issued['year']}-{issued['month']:02}-{issued['day']:02}",
        "site": str(item["container_title"]),
        "url": str(item["URL"]),
    } == page


def test_the_case_page_links_to_its_record_as_data(client, article):
    doc = html.fromstring(client.get("/cases/a8023r/").content)
    [link] = doc.xpath("//head/link[@rel='alternate'][@type='application/json']")
    response = client.get(link.get("href"))
    assert response.status_code == 200
    assert json.loads(response.content)["ref"] == "a8023r"
