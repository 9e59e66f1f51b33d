import csv
import io
import json
import tracemalloc
from pathlib import Path

import jsonschema
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import exports
from cases.models import Case, Citation, Detention, Involvement, Protest

from .factories import TODAY, make_case, make_person, make_place, make_quote, make_ref, make_source

BASE = "https://archive.example.org"
LIST_SCHEMA = json.loads((Path(exports.__file__).parent / "schemas" / "cases.schema.json").read_text())


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def csv_text(queryset):
    return "".join(exports.csv_chunks(exports.rows(queryset, BASE)))


def csv_records(queryset):
    text = csv_text(queryset)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def json_document(queryset, query=None):
    metadata = exports.dataset_metadata(None, f"{BASE}/data/", query or {})
    return json.loads("".join(exports.json_chunks(exports.rows(queryset, BASE), metadata)))


def validate(document):
    jsonschema.Draft202012Validator(LIST_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(document)


def test_the_list_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(LIST_SCHEMA)


def test_the_csv_is_utf8_with_a_bom_crlf_line_ends_and_the_documented_header(article):
    text = csv_text(Case.objects.newest_first())
    assert text.startswith("\ufeffref,permalink,kind,title,")
    lines = text.split("\r\n")
    assert lines[0].removeprefix("\ufeff").split(",") == list(exports.COLUMN_NAMES)
    assert "\n" not in text.replace("\r\n", "")
    assert len(csv_records(Case.objects.all())) == 6


def test_a_csv_row_gives_every_fact_of_a_protest(article):
    (row,) = [r for r in csv_records(Case.objects.all()) if r["ref"] == "a8023r"]
    assert row["permalink"] == f"{BASE}/cases/a8023r/"
    assert row["kind"] == "protest"
    assert row["date"] == "1 or 2 February 2021"
    assert row["date_edtf"] == "[2021-02-01,2021-02-02]"
    assert (row["date_earliest"], row["date_latest"]) == ("2021-02-01", "2021-02-02")
    assert row["place"] == "chinese-consulate-general-almaty"
    assert row["place_path"] == "Kazakhstan > Almaty > Chinese Consulate General in Almaty"
    assert (row["latitude"], row["longitude"], row["coordinates_place"]) == ("43.2389", "76.8897", "almaty")
    assert row["people"] == "Baibolat Kunbolat (protester); Serikzhan Bilash (source-of-statement)"
    assert row["people_slugs"] == "baibolat-kunbolat; serikzhan-bilash"
    assert row["protest_form"] == "one-person-picket"
    assert row["protest_outcome"] == "arrests"
    assert row["detention_authority"] == row["detention_status"] == ""
    assert row["sources"] == "kazakh-anti-communist-heats-up-again"
    assert row["modified"] == "2026-11-27"


def test_a_csv_row_gives_every_fact_of_a_detention(article):
    (row,) = [r for r in csv_records(Case.objects.all()) if r["ref"] == "ha3c3r"]
    assert row["detention_authority"] == "Kazakh police"
    assert row["detention_status"] == "detained"
    assert row["detention_arose_from"] == "a8023r"
    assert row["detention_sentence"] == ""
    assert row["protest_form"] == ""


def test_rows_follow_the_querysets_order(article):
    refs = list(Case.objects.order_by("ref").values_list("ref", flat=True))
    assert [r["ref"] for r in csv_records(Case.objects.order_by("ref"))] == refs
    assert [r["ref"] for r in csv_records(Case.objects.order_by("-ref"))] == refs[::-1]


def test_cyrillic_and_chinese_names_survive_the_round_trip(db):
    person = make_person("Байболат Күнболатұлы")
    place = make_place("伊犁哈萨克自治州", parent=make_place("新疆"))
    make_case(people=[(person, "detained")], place=place, title="Задержание в Кульдже 伊宁")
    (row,) = csv_records(Case.objects.all())
    assert row["people"] == "Байболат Күнболатұлы (detained)"
    assert row["place_path"] == "新疆 > 伊犁哈萨克自治州"
    assert row["title"] == "Задержание в Кульдже 伊宁"
    raw = csv_text(Case.objects.all()).encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "Байболат".encode() in raw


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_defused(db, start):
    make_case(title=f'{start}HYPERLINK("http://evil.example","click")', details={"authority": f"{start}1+1"})
    (row,) = csv_records(Case.objects.all())
    assert row["title"] == f'\'{start}HYPERLINK("http://evil.example","click")'
    assert row["detention_authority"] == f"'{start}1+1"
    (case,) = json_document(Case.objects.all())["cases"]
    assert case["title"].startswith(start)


@pytest.mark.parametrize(
    "text",
    [" =1+1", "\n=1+1", "\r\n+1", "\u3000@SUM(A1)", "\xa0-1", "＝1+1", "＋1", "－1", "＠SUM(A1)", "﹦1", "\tx"],
)
def test_a_formula_behind_white_space_or_in_full_width_is_defused_too(db, text):
    make_case(title=text, details={"authority": text})
    (row,) = csv_records(Case.objects.all())
    assert row["title"] == row["detention_authority"] == "'" + text


@pytest.mark.parametrize(
    "date, kept",
    [("2020-08", "'August 2020"), ("2021-02-01", "'1 February 2021"), ("2018", "2018"),
     ("[2021-02-01,2021-02-02]", "1 or 2 February 2021"), ("2022~", "about 2022")],
)  # fmt: skip
def test_a_date_a_spreadsheet_would_read_as_a_day_is_kept_as_text(db, date, kept):
    make_case(date=date, title="August 2020", details={"authority": "Police of 3 May 1999"})
    (row,) = csv_records(Case.objects.all())
    assert row["date"] == kept
    assert row["title"] == "'August 2020"
    assert row["detention_authority"] == "Police of 3 May 1999"
    assert row["date_edtf"] == date
    (case,) = json_document(Case.objects.all())["cases"]
    assert case["date"] == kept.lstrip("'")


def test_numbers_are_not_mistaken_for_formulas(db):
    make_case(place=make_place("Lima", latitude="-12.04640", longitude="-77.04280"))
    (row,) = csv_records(Case.objects.all())
    assert (row["latitude"], row["longitude"]) == ("-12.0464", "-77.0428")


def test_a_place_without_coordinates_has_none_when_nothing_above_it_has_them(db):
    make_case(place=make_place("Somewhere", parent=make_place("Region")))
    (row,) = csv_records(Case.objects.all())
    assert row["latitude"] == row["longitude"] == row["coordinates_place"] == ""
    (case,) = json_document(Case.objects.all())["cases"]
    assert case["latitude"] is None


def test_the_json_export_validates_against_its_schema(article):
    document = json_document(Case.objects.newest_first(), {"place": "almaty"})
    validate(document)
    assert len(document["cases"]) == 6
    assert document["licence"] == "CC BY 4.0"
    assert document["query"] == {"place": "almaty"}
    assert document["columns"] == list(exports.COLUMN_NAMES)


def test_the_json_export_gives_lists_as_lists_and_numbers_as_numbers(article):
    (case,) = [c for c in json_document(Case.objects.all())["cases"] if c["ref"] == "a8023r"]
    assert case["people"] == [
        {"slug": "baibolat-kunbolat", "name": "Baibolat Kunbolat", "role": "protester"},
        {"slug": "serikzhan-bilash", "name": "Serikzhan Bilash", "role": "source-of-statement"},
    ]
    assert case["place_path"] == ["Kazakhstan", "Almaty", "Chinese Consulate General in Almaty"]
    assert case["latitude"] == 43.2389
    assert case["detention_authority"] is None


def test_an_empty_export_is_still_a_valid_document(db):
    document = json_document(Case.objects.all())
    validate(document)
    assert document["cases"] == []
    assert csv_text(Case.objects.all()) == "\ufeff" + ",".join(exports.COLUMN_NAMES) + "\r\n"


def test_queries_are_a_fixed_number_per_chunk_not_per_row(db, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 5)
    source = make_source()
    for n in range(12):
        make_case(people=[(make_person(), "detained")], quote=make_quote(source, "A source text", number=n + 1))
    with CaptureQueriesContext(connection) as queries:
        assert len(csv_records(Case.objects.all())) == 12
    # One query for the cases, then per chunk: people, places above, sources (two), the facts' bases.
    assert len(queries) <= 1 + 3 * 5


def bulk_cases(count, first=0):
    """``count`` cases of both kinds, each with a person and a citation, written with bulk_create."""
    place = make_place("Ili", parent=make_place("Xinjiang", latitude="43.9", longitude="81.3"))
    person = make_person("Баймурат Наурызбек")
    quote = make_quote()
    cases = Case.objects.bulk_create(
        (
            Case(
                ref=make_ref(1_000_000 + first + n),
                kind=Case.Kind.DETENTION if n % 2 else Case.Kind.PROTEST,
                title=f"Case {n}: a detention in Ili reported by a relative",
                summary="A summary of what the source says happened, in a sentence or two. " * 3,
                place=place,
                date_edtf="2018",
                date_earliest="2018-01-01",
                date_latest="2018-12-31",
                date_display="2018",
                created=TODAY,
                modified=TODAY,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    Detention.objects.bulk_create(
        (Detention(case=c, authority="police", sentence="10 years") for c in cases if c.kind == "detention"),
        batch_size=2000,
    )
    Protest.objects.bulk_create(
        (Protest(case=c, form=Protest.Form.PICKET) for c in cases if c.kind == "protest"), batch_size=2000
    )
    Involvement.objects.bulk_create(
        (Involvement(case=c, person=person, role="detained") for c in cases), batch_size=2000
    )
    Citation.objects.bulk_create((Citation(case=c, field="case", quote=quote) for c in cases), batch_size=2000)


def peak_memory_of_export(queryset):
    tracemalloc.start()
    written = 0
    for chunk in exports.csv_chunks(exports.rows(queryset, BASE)):
        written += len(chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, written


def test_exporting_ten_times_the_cases_takes_about_the_same_memory(db):
    bulk_cases(2_000)
    small_peak, small_size = peak_memory_of_export(Case.objects.all())
    bulk_cases(18_000, first=2_000)
    assert Case.objects.count() == 20_000
    big_peak, big_size = peak_memory_of_export(Case.objects.all())
    assert big_size > 9 * small_size
    # Flat: the peak does not grow with the rows, and stays far below the output's size.
    assert big_peak < 1.5 * small_peak
    assert big_peak < big_size / 2


@pytest.mark.parametrize(("ref", "valid"), [("a8023r", True), ("2n2181", True), ("408093", False), ("847e81", False)])
def test_the_exports_schema_declares_the_ref_as_text_no_spreadsheet_reads_as_a_number(ref, valid):
    schema = {"$defs": LIST_SCHEMA["$defs"], "$ref": "#/$defs/ref"}
    assert jsonschema.Draft202012Validator(schema).is_valid(ref) is valid
    assert jsonschema.Draft202012Validator(schema).is_valid(408093) is False
