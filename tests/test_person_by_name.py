"""The case list's person filter takes a name, in any spelling the archive records, as well as a cited slug."""

import pytest

from cases.filters import CaseFilter
from cases.models import Case, Involvement

from .factories import make_case, make_person


def text(response):
    return response.content.decode()


def test_a_name_typed_in_the_box_redirects_to_the_persons_address(article, client):
    response = client.get("/cases/?person=Baibolat+Kunbolat&kind=protest")
    assert response.status_code == 302
    assert response["Location"] == "/cases/?person=baibolat-kunbolat&kind=protest"
    page = text(client.get(response["Location"]))
    assert "Person: <strong>Baibolat Kunbolat</strong>" in page
    # The box shows the name, not the identifier.
    assert 'name="person" value="Baibolat Kunbolat"' in page


@pytest.mark.parametrize("typed", ["baibolat kunbolat", "  BAIBOLAT   Kunbolat ", "Baibolat Kunbolat"])
def test_any_case_and_spacing_of_a_name_finds_the_person(article, client, typed):
    response = client.get("/cases/", {"person": typed})
    assert response["Location"] == "/cases/?person=baibolat-kunbolat"


def test_a_spelling_the_archive_records_finds_the_person(db, client):
    person = make_person("Aidos Sadykov", spellings=["Айдос Садыков", "Aidos Sadyqov"], slug="aidos-sadykov")
    case = make_case(people=[(person, Involvement.Role.DETAINED)])
    make_case()
    for spelling in ("Айдос Садыков", "aidos sadyqov"):
        assert client.get("/cases/", {"person": spelling})["Location"] == "/cases/?person=aidos-sadykov"
    assert [c.ref for c in CaseFilter(data={"person": "Айдос Садыков"}).qs] == [case.ref]


def test_cited_slug_addresses_keep_working_unchanged(article, client):
    response = client.get("/cases/?person=serik-azhibay")
    assert response.status_code == 200
    assert 'name="person" value="Serik Azhibay"' in text(response)


def test_an_unknown_name_is_a_clear_error_and_selects_nothing(article, client):
    response = client.get("/cases/", {"person": "Nobody Atall"})
    assert response.status_code == 400
    assert (
        "No person in the archive is named “Nobody Atall” (in any spelling it records) or has it as their identifier."
        in text(response)
    )
    assert 'name="person" value="Nobody Atall"' in text(response)


def test_a_name_two_people_share_is_refused_with_their_identifiers(db, client):
    first = make_person("Asel Nur", slug="asel-nur")
    second = make_person("Asel Nur", slug="asel-nur-2")
    make_case(people=[(first, Involvement.Role.DETAINED)])
    make_case(people=[(second, Involvement.Role.PROTESTER)])
    response = client.get("/cases/", {"person": "asel nur"})
    assert response.status_code == 400
    assert (
        "More than one person is named “asel nur”: Asel Nur (asel-nur); Asel Nur (asel-nur-2). "
        "Type the identifier in brackets to choose one."
    ) in text(response)
    # Chosen by identifier, the box shows the identifier: the name alone would be refused.
    page = text(client.get("/cases/?person=asel-nur-2"))
    assert 'name="person" value="asel-nur-2"' in page
    assert Case.objects.count() == 2


def test_the_person_box_is_always_offered(article, client):
    page = text(client.get("/cases/"))
    assert '<label for="f-person">Person</label>' in page
    assert 'name="person" value=""' in page


def test_bad_names_are_refused_without_reaching_the_database(article):
    assert CaseFilter(data={"person": "a\x00b"}).errors["person"] == ["Remove the control characters from the name."]
    assert CaseFilter(data={"person": "x" * 201}).errors["person"] == ["A name can be at most 200 characters long."]
