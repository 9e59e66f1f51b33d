import datetime
import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Citation, RetiredRef

from .factories import make_case, make_person, make_quote, make_source

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "cases" / "schemas" / "case.schema.json").read_text())


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def validate(record):
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(record)


def test_the_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("ref", ["a8023r", "ha3c3r", "2n2181", "74t3yk", "84a8j6", "gvce2m"])
def test_every_case_of_the_article_validates_against_the_schema(client, article, ref):
    response = client.get(f"/cases/{ref}.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    validate(response.json())


def test_a_protest_gives_every_fact_and_the_detention_it_led_to(client, article):
    record = client.get("/cases/a8023r.json").json()
    assert record["ref"] == "a8023r"
    assert record["permalink"] == "http://testserver/cases/a8023r/"
    assert record["kind"] == "protest"
    assert record["date"] == {
        "display": "1 or 2 February 2021",
        "edtf": "[2021-02-01,2021-02-02]",
        "earliest": "2021-02-01",
        "latest": "2021-02-02",
    }
    assert [place["slug"] for place in record["place"]["path"]] == [
        "kazakhstan",
        "almaty",
        "chinese-consulate-general-almaty",
    ]
    assert record["protest"]["form"] == "one-person-picket"
    assert record["protest"]["outcome"] == "arrests"
    assert [d["ref"] for d in record["protest"]["detentions"]] == ["ha3c3r"]
    assert record["detention"] is None
    assert {(p["slug"], p["role"]) for p in record["people"]} == {
        ("baibolat-kunbolat", "protester"),
        ("serikzhan-bilash", "source-of-statement"),
    }
    assert record["licence"] == "CC BY 4.0"


def test_a_detention_links_to_the_protest_it_arose_from(client, article):
    record = client.get("/cases/ha3c3r.json").json()
    assert record["detention"]["authority"] == "Kazakh police"
    assert record["detention"]["arose_from"]["ref"] == "a8023r"
    assert record["detention"]["arose_from"]["permalink"] == "http://testserver/cases/a8023r/"


def test_every_citation_names_a_quote_given_in_the_record(client, article):
    record = client.get("/cases/2n2181.json").json()
    keys = {quote["key"] for quote in record["quotes"]}
    assert {citation["quote"] for citation in record["citations"]} <= keys
    assert {key for person in record["people"] for key in person["quotes"]} <= keys
    assert {"date", "place", "sentence", "reason"} <= {citation["field"] for citation in record["citations"]}


def test_each_quote_is_found_by_its_selectors_in_the_text_whose_sha256_is_given(client, article):
    record = client.get("/cases/a8023r.json").json()
    assert record["quotes"]
    for quote in record["quotes"]:
        target = quote["target"]
        text_response = client.get(target["source"]["id"].removeprefix("http://testserver"))
        assert text_response.status_code == 200
        assert hashlib.sha256(text_response.content).hexdigest() == target["source"]["sha256"]
        text = text_response.content.decode("utf-8")
        by_type = {selector["type"]: selector for selector in target["selector"]}
        position, words = by_type["TextPositionSelector"], by_type["TextQuoteSelector"]
        assert text[position["start"] : position["end"]] == words["exact"] == quote["exact"]
        assert text[: position["start"]].endswith(words["prefix"])
        assert text[position["end"] :].startswith(words["suffix"])
        assert words["prefix"] and words["suffix"]


def test_quote_offsets_count_code_points_not_bytes(client, db):
    source = make_source(text="Қазақ белсендісі 賽爾克堅 said: the picket was peaceful.")
    quote = make_quote(source, "the picket was peaceful")
    case = make_case(quote=quote)
    record = client.get(f"/cases/{case.ref}.json").json()
    position = record["quotes"][0]["target"]["selector"][1]
    assert position == {
        "type": "TextPositionSelector",
        "start": source.text.index("the picket"),
        "end": len(source.text) - 1,
    }
    assert source.text[position["start"] : position["end"]] == "the picket was peaceful"
    validate(record)


def test_a_quote_spoken_by_someone_says_who(client, article):
    record = client.get("/cases/2n2181.json").json()
    quote = next(q for q in record["quotes"] if q["number"] == 5)
    assert quote["attribution"] == "Serikzhan Bilash, by phone to CNA"
    assert quote["speaker"]["slug"] == "serikzhan-bilash"
    assert quote["id"] == "http://testserver/sources/kazakh-anti-communist-heats-up-again/#q-5"


def test_the_source_says_it_is_a_machine_translation(client, article):
    (source,) = client.get("/cases/a8023r.json").json()["sources"]
    assert source["slug"] == "kazakh-anti-communist-heats-up-again"
    assert source["is_machine_translation"] is True
    assert source["sha256"] == "2e781c10d528fad3c4bdbd472ac911babc8129b65a11a93c6cdcb2b86da2a412"


def test_permalinks_use_the_public_address_when_one_is_set(client, article, settings):
    settings.ARCHIVE_BASE_URL = "https://archive.example.org"
    record = client.get("/cases/a8023r.json").json()
    assert record["permalink"] == "https://archive.example.org/cases/a8023r/"
    assert record["quotes"][0]["target"]["source"]["id"].startswith("https://archive.example.org/sources/")


def test_a_replaced_ref_redirects_permanently_to_its_successors_data(client, db):
    successor = make_case()
    RetiredRef.objects.create(
        ref="zzzzz1",
        status=RetiredRef.Status.REPLACED,
        title="Merged",
        reason="A duplicate of another case.",
        replaced_by=successor,
        retired=datetime.date(2026, 1, 5),
    )
    response = client.get("/cases/zzzzz1.json")
    assert response.status_code == 301
    assert response["Location"] == f"/cases/{successor.ref}.json"
    record = client.get(f"/cases/{successor.ref}.json").json()
    assert record["former_refs"] == ["zzzzz1"]


def test_a_withdrawn_ref_answers_410_saying_why(client, db):
    RetiredRef.objects.create(
        ref="zzzzz2",
        status=RetiredRef.Status.WITHDRAWN,
        title="A withdrawn case",
        reason="The source retracted the report.",
        retired=datetime.date(2026, 1, 5),
    )
    response = client.get("/cases/zzzzz2.json")
    assert response.status_code == 410
    assert response.json() == {
        "ref": "zzzzz2",
        "status": "withdrawn",
        "title": "A withdrawn case",
        "reason": "The source retracted the report.",
        "retired": "2026-01-05",
    }


@pytest.mark.parametrize("ref", ["zzzzzz", "ABCDEF", "a8023", "not-a-ref"])
def test_an_unknown_ref_answers_404_as_json(client, article, ref):
    response = client.get(f"/cases/{ref}.json")
    assert response.status_code == 404
    assert "No case has the ref" in response.json()["error"]


def test_an_unknown_source_text_answers_404(client, db):
    assert client.get("/sources/no-such-source.txt").status_code == 404


def test_query_count_does_not_grow_with_citations_or_people(client, db):
    def queries_for(case):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/cases/{case.ref}.json").status_code == 200
        return len(queries)

    small = make_case(people=[(make_person(), "detained")])
    source = make_source(text=" ".join(f"Sentence {n}." for n in range(30)))
    big = make_case(
        people=[(make_person(), "detained") for _ in range(8)],
        quote=make_quote(source, "Sentence 1."),
        details={"authority": "police", "sentence": "ten years"},
    )
    Citation.objects.bulk_create(
        Citation(case=big, field=field, quote=make_quote(source, f"Sentence {n}."))
        for n, field in enumerate(["authority", "sentence", "case", "date", "place"] * 3, start=2)
    )
    assert len(client.get(f"/cases/{big.ref}.json").json()["quotes"]) == 16
    assert queries_for(small) == queries_for(big) <= 10
