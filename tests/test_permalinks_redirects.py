"""Permalinks never break: other spellings and sub-addresses redirect, retired refs redirect or answer 410."""

import datetime

import pytest

from cases.models import RetiredRef
from cases.views.records import canonical_ref

from .factories import make_case


@pytest.fixture
def retired(db):
    successor = make_case(title="The merged record")
    replaced = RetiredRef.objects.create(
        ref="zzzz01",
        status=RetiredRef.Status.REPLACED,
        title="A duplicate of the merged record",
        reason="Recorded twice from two reports; merged.",
        replaced_by=successor,
        retired=datetime.date(2026, 11, 20),
    )
    withdrawn = RetiredRef.objects.create(
        ref="zzzz02",
        status=RetiredRef.Status.WITHDRAWN,
        title="A protest that did not happen",
        reason="The only source was retracted by its publisher.",
        retired=datetime.date(2026, 11, 21),
    )
    return {"successor": successor, "replaced": replaced, "withdrawn": withdrawn}


def test_the_case_page_names_itself_canonical(client, article, settings):
    settings.ARCHIVE_BASE_URL = "https://archive.example.org"
    response = client.get("/cases/a8023r/")
    assert '<link rel="canonical" href="https://archive.example.org/cases/a8023r/">' in response.content.decode()


@pytest.mark.parametrize("rest", ["anything", "anything/", "old/path/to/it", "cite.pdf", "A8023R"])
def test_anything_under_a_case_redirects_permanently_to_the_case(client, article, rest):
    response = client.get(f"/cases/a8023r/{rest}")
    assert response.status_code == 301
    assert response["Location"] == "/cases/a8023r/"


def test_a_ref_without_its_slash_redirects_to_the_permalink(client, article):
    response = client.get("/cases/a8023r")
    assert response.status_code == 301
    assert response["Location"] == "/cases/a8023r/"


@pytest.mark.parametrize("typed", ["A8023R", "a8O23r", "A8-023R"])
def test_a_ref_in_capitals_or_with_a_misread_letter_redirects_to_its_canonical_form(client, article, typed):
    response = client.get(f"/cases/{typed}/")
    assert response.status_code == 301
    assert response["Location"] == "/cases/a8023r/"


def test_canonical_spelling_reads_i_and_l_as_one_and_o_as_zero():
    assert canonical_ref("2N2I8L") == "2n2181"
    assert canonical_ref("abcdeu") is None, "u is not in the alphabet"
    assert canonical_ref("short") is None


def test_a_replaced_ref_redirects_permanently_to_its_successor(client, retired):
    successor = retired["successor"]
    response = client.get("/cases/zzzz01/")
    assert response.status_code == 301
    assert response["Location"] == f"/cases/{successor.ref}/"
    response = client.get("/cases/ZZZZ01/some/old/link")
    assert response.status_code == 301
    assert response["Location"] == f"/cases/{successor.ref}/"


def test_a_replaced_ref_keeps_the_citation_file_asked_for(client, retired):
    response = client.get("/cases/zzzz01/cite.ris")
    assert response.status_code == 301
    assert response["Location"] == f"/cases/{retired['successor'].ref}/cite.ris"


def test_the_successor_lists_its_former_ref(client, retired):
    response = client.get(retired["successor"].get_absolute_url())
    assert '<span class="ref">zzzz01</span>' in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/cases/zzzz02/", "/cases/zzzz02/anything", "/cases/zzzz02/cite.bib", "/cases/ZZZZ02/"]
)
def test_a_withdrawn_ref_answers_gone_with_what_and_why(client, retired, url):
    response = client.get(url)
    assert response.status_code == 410
    text = response.content.decode()
    assert "This record has been withdrawn" in text
    assert "A protest that did not happen" in text
    assert "The only source was retracted by its publisher." in text
    assert "21 November 2026" in text
    assert '<meta name="robots" content="noindex">' in text


@pytest.mark.parametrize("url", ["/cases/zzzzzz/", "/cases/zzzzzz/cite.bib", "/cases/zzzzzz/more", "/cases/not-a-ref/"])
def test_an_unknown_ref_is_not_found(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_head_answers_like_get(client, article):
    response = client.head("/cases/a8023r/")
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("url", ["/cases/a8023r/", "/cases/a8023r/cite.bib", "/people/", "/sources/"])
def test_record_pages_refuse_writes(client, article, url):
    response = client.post(url)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
