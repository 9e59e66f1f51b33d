import csv
import io
import json
import re
from html import unescape
from pathlib import Path

import jsonschema
import pytest
from django.core.cache import cache
from lxml import html

from cases import exports
from cases.models import DataLoad

from .factories import make_case


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def page(client):
    response = client.get("/data/")
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_the_data_dictionary_describes_every_column_the_exports_write(client, article):
    text = page(client)
    rows = re.findall(r'<tr id="column-([a-z_]+)">', text)
    assert rows == list(exports.COLUMN_NAMES)
    for column in exports.COLUMNS:
        assert column.description in text


def test_the_exports_columns_are_the_ones_their_schema_requires():
    schema = json.loads((Path(exports.__file__).parent / "schemas" / "cases.schema.json").read_text())
    case = schema["$defs"]["case"]
    assert case["required"] == list(exports.COLUMN_NAMES)
    assert list(case["properties"]) == list(exports.COLUMN_NAMES)


def test_the_page_explains_how_dates_and_their_precision_are_encoded(client, db):
    text = page(client)
    assert "Extended Date/Time Format" in text
    assert "<tr><td><code>2018</code></td><td>2018</td><td>2018-01-01</td><td>2018-12-31</td></tr>" in text
    assert "<td><code>[2021-02-01,2021-02-02]</code></td><td>1 or 2 February 2021</td>" in text
    assert "<td><code>2021-02-01/2021-02-05</code></td><td>from 1 to 5 February 2021</td>" in text
    assert "<td><code>2018~</code></td><td>about 2018</td><td>2017-01-01</td><td>2019-12-31</td>" in text
    assert "date_match=within" in text


def test_the_page_states_the_licence_of_the_records_and_of_the_sources(client, db):
    text = page(client)
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license noopener noreferrer">CC BY 4.0</a>' in text
    assert "remain their publishers' copyright" in text


def test_the_page_offers_the_full_dataset_and_says_which_version_it_is(client, article):
    text = page(client)
    load = DataLoad.objects.get()
    assert '<a href="/cases.csv" download>All cases as CSV</a>' in text
    assert '<a href="/cases.json">All cases as JSON</a>' in text
    assert '<a href="/feed/">New cases as an Atom feed</a>' in text
    assert f"version <code>{load.fixture_sha256[:12]}</code>: 6 cases (3 detentions, 3 protests)" in text


def test_the_page_says_how_to_cite_the_dataset(client, article):
    text = page(client)
    load = DataLoad.objects.get()
    citation = re.search(r'<blockquote class="citation"><p>(.*?)</p></blockquote>', text).group(1)
    assert citation.startswith("Archive of Detentions and Protests. <cite>Documented detentions and protests</cite>")
    assert f"version {load.fixture_sha256[:12]} of {load.loaded_at:%-d %B %Y}" in citation
    assert citation.endswith("CC BY 4.0. http://testserver/data/")


def test_the_page_links_the_schemas_it_describes(client, db):
    text = page(client)
    assert 'href="/data/cases.schema.json"' in text
    assert 'href="/data/case.schema.json"' in text
    for name in ("case", "cases"):
        response = client.get(f"/data/{name}.schema.json")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/schema+json"
        jsonschema.Draft202012Validator.check_schema(json.loads(response.content))
    assert client.get("/data/nothing.schema.json").status_code == 404


def test_the_page_works_before_any_data_is_loaded(client, db):
    assert "No data has been loaded yet." in page(client)


def test_the_pages_query_count_does_not_grow_with_cases(client, db, django_assert_max_num_queries):
    for _ in range(15):
        make_case()
    with django_assert_max_num_queries(3):
        client.get("/data/")


def test_the_separators_the_page_documents_are_the_ones_the_csv_writes(client, article):
    """Split the CSV's cells at the separators as /data/ states them, and get the JSON's lists back."""
    doc = html.fromstring(client.get("/data/").content)
    [list_separator] = [code.text_content() for code in doc.xpath("//code[@id='list-separator']")]
    [path_separator] = [code.text_content() for code in doc.xpath("//code[@id='path-separator']")]
    list_separator, path_separator = list_separator[1:-1], path_separator[1:-1]  # inside their quotation marks
    csv_rows = list(
        csv.DictReader(io.StringIO(b"".join(client.get("/cases.csv").streaming_content).decode("utf-8-sig")))
    )
    json_rows = json.loads(b"".join(client.get("/cases.json").streaming_content))["cases"]
    assert [row["ref"] for row in csv_rows] == [row["ref"] for row in json_rows]
    assert any(len(row["people"]) > 1 for row in json_rows) and any(len(row["place_path"]) > 2 for row in json_rows)

    def split(cell, separator):
        return cell.split(separator) if cell else []

    for csv_row, json_row in zip(csv_rows, json_rows, strict=True):
        people = [f"{p['name']} ({p['role']})" for p in json_row["people"]]
        assert split(csv_row["people"], list_separator) == people
        assert split(csv_row["people_slugs"], list_separator) == json_row["people_slugs"]
        assert split(csv_row["place_path"], path_separator) == json_row["place_path"]
