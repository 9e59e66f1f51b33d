"""Dates as people write them, through the case list, the CSV export and the feed: each accepted
form redirects to the one canonical address of its period, each refused form is a 400 that says
how to write a date."""

from urllib.parse import urlencode

import pytest

from cases import dates

ADDRESSES = ["/cases/", "/cases.csv", "/feed/"]

ACCEPTED = [
    # (what the reader typed, as parameters), the canonical query
    ({"date_from": "August 2020"}, "date_from=2020-08&date_to=2020-08"),
    ({"date_from": "Aug 2020"}, "date_from=2020-08&date_to=2020-08"),
    ({"date_from": "aug. 2020"}, "date_from=2020-08&date_to=2020-08"),
    ({"date_from": "2020-8"}, "date_from=2020-08&date_to=2020-08"),
    ({"date_from": "2020-08"}, "date_from=2020-08&date_to=2020-08"),
    ({"date_from": "2018"}, "date_from=2018&date_to=2018"),
    ({"date_from": " 2018 "}, "date_from=2018&date_to=2018"),
    ({"date_from": "4 September 2019"}, "date_from=2019-09-04&date_to=2019-09-04"),
    ({"date_from": "September 4, 2019"}, "date_from=2019-09-04&date_to=2019-09-04"),
    ({"date_from": "2019-9-4"}, "date_from=2019-09-04&date_to=2019-09-04"),
    ({"date_from": "2018–2020"}, "date_from=2018&date_to=2020"),
    ({"date_from": "2018-2020"}, "date_from=2018&date_to=2020"),
    ({"date_from": "2018 to 2020"}, "date_from=2018&date_to=2020"),
    ({"date_from": "Aug 2020 – Mar 2021"}, "date_from=2020-08&date_to=2021-03"),
    ({"date_to": "2018–2020"}, "date_from=2018&date_to=2020"),
    ({"date_from": "2018 onwards"}, "date_from=2018&date_to=present"),
    ({"date_from": "since 2018"}, "date_from=2018&date_to=present"),
    ({"date_from": "2018", "date_to": "now"}, "date_from=2018&date_to=present"),
    ({"date_from": "until 2019"}, "date_to=2019"),
    ({"date_from": "August 2020", "date_to": "March 2021"}, "date_from=2020-08&date_to=2021-03"),
    ({"kind": "protest", "date_from": "2018"}, "kind=protest&date_from=2018&date_to=2018"),
]

CANONICAL = [
    "date_from=2018&date_to=2018",
    "date_from=2020-08&date_to=2021-03",
    "date_from=2018&date_to=present",
    "date_to=2019",
    "date_from=2019-09-04&date_to=2019-09-04",
]

REFUSED = [
    ({"date_from": "08/07/2020"}, "date_from", "can be read two ways"),
    ({"date_from": "8.7.2020"}, "date_from", "can be read two ways"),
    ({"date_from": "2021-13-40"}, "date_from", "is not a real date"),
    ({"date_from": "Juin 2018"}, "date_from", "is not the name of a month in English"),
    ({"date_from": "18"}, "date_from", "is not a date the archive can read"),
    ({"date_from": "2018 to 2019 to 2020"}, "date_from", "names more than two dates"),
    ({"date_from": "2018–2019", "date_to": "2020"}, "date_to", "Write a range in one box"),
    ({"date_from": "2020", "date_to": "2019"}, "date_to", "before its start"),
    ({"date_from": "2" * 61}, "date_from", "at most 60 characters"),
]


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize(("typed", "canonical"), ACCEPTED)
def test_a_date_as_people_write_it_redirects_to_its_canonical_address(client, db, address, typed, canonical):
    response = client.get(f"{address}?{urlencode(typed)}")
    assert response.status_code == 302
    assert response["Location"] == f"{address}?{canonical}"


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize("canonical", CANONICAL)
def test_a_canonical_address_is_answered_as_it_is(client, db, address, canonical):
    assert client.get(f"{address}?{canonical}").status_code == 200


@pytest.mark.parametrize("address", ADDRESSES)
@pytest.mark.parametrize(("typed", "field", "message"), REFUSED)
def test_a_date_that_cannot_be_read_is_refused_saying_how_to_write_it(client, db, address, typed, field, message):
    response = client.get(f"{address}?{urlencode(typed)}")
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body.replace("&#x27;", "'")
    if field == "date_from" and "two ways" not in message and "characters" not in message:
        assert dates.WRITE_DATES in body.replace("&ndash;", "–")


def test_the_form_says_what_one_box_and_two_boxes_mean(client, db):
    page = client.get("/cases/").content.decode()
    assert "One period in From alone means that period" in page
    assert "2018 onwards" in page


@pytest.mark.parametrize("address", ADDRESSES)
def test_empty_date_boxes_are_not_redirected_here(client, db, address):
    # Empty parameters are the address rules' business, not the date filter's.
    assert client.get(f"{address}?q=&date_from=&date_to=").status_code == 200
    response = client.get(f"{address}?date_from=August+2020&date_to=")
    assert response["Location"] == f"{address}?date_from=2020-08&date_to=2020-08"


@pytest.mark.parametrize("address", ADDRESSES)
def test_an_empty_box_beside_a_typed_date_is_left_as_it_is(client, db, address):
    response = client.get(f"{address}?date_from=&date_to=Aug+2020")
    assert response["Location"] == f"{address}?date_from=&date_to=2020-08"
    assert client.get(f"{address}?date_from=&date_to=2020-08").status_code == 200
