"""CaseFilter: what each parameter selects, alone and combined, and in what order (the list, exports and feed use it)."""

import pytest
from django.db import connection
from django.http import QueryDict

from cases.filters import CaseFilter
from cases.models import Case, Involvement

from .factories import make_case, make_person, make_place

NEWEST_FIRST = ["a8023r", "ha3c3r", "74t3yk", "gvce2m", "84a8j6", "2n2181"]


def refs(**params):
    case_filter = CaseFilter(data=params, queryset=Case.objects.all())
    assert case_filter.is_valid(), case_filter.errors
    return [case.ref for case in case_filter.qs]


def errors(**params):
    case_filter = CaseFilter(data=params, queryset=Case.objects.all())
    assert not case_filter.is_valid()
    return case_filter.errors


# Alone, on the article ---------------------------------------------------------------


def test_no_parameter_gives_every_case_newest_first(article):
    assert refs() == NEWEST_FIRST
    assert [case.ref for case in CaseFilter(queryset=Case.objects.all()).qs] == NEWEST_FIRST


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("detention", ["ha3c3r", "74t3yk", "2n2181"]), ("protest", ["a8023r", "gvce2m", "84a8j6"])],
)
def test_kind_filter(article, kind, expected):
    assert refs(kind=kind) == expected


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("china", ["2n2181"]),
        ("xinjiang", ["2n2181"]),  # the case is in Ili, inside Xinjiang
        ("ili", ["2n2181"]),
        ("kazakhstan", ["a8023r", "ha3c3r", "74t3yk", "gvce2m", "84a8j6"]),
        ("almaty", ["a8023r", "ha3c3r", "74t3yk", "gvce2m", "84a8j6"]),
        ("chinese-consulate-general-almaty", ["a8023r", "ha3c3r", "74t3yk", "gvce2m"]),
    ],
)
def test_place_filter_includes_places_inside_it(article, place, expected):
    assert refs(place=place) == expected


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("baibolat-kunbolat", ["a8023r", "ha3c3r"]),
        ("serikzhan-bilash", ["a8023r", "2n2181"]),  # as the source of the statements
        ("zhang-xiao", ["gvce2m"]),  # as the protest's target
        ("atajurt", []),
    ],
)
def test_person_filter_finds_every_role(article, person, expected):
    assert refs(person=person) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date_from": "2020", "date_to": "2020"}, ["74t3yk", "gvce2m"]),
        ({"date_from": "2018", "date_to": "2018"}, ["2n2181"]),
        ({"date_from": "2019", "date_to": "present"}, ["a8023r", "ha3c3r", "74t3yk", "gvce2m", "84a8j6"]),
        ({"date_from": "2019"}, ["84a8j6"]),  # a period alone means that period
        ({"date_from": "2019 onwards"}, ["a8023r", "ha3c3r", "74t3yk", "gvce2m", "84a8j6"]),
        ({"date_from": "until 2019"}, ["84a8j6", "2n2181"]),
        ({"date_from": "2018–2019"}, ["84a8j6", "2n2181"]),
        ({"date_to": "2018-2019"}, ["84a8j6", "2n2181"]),
        ({"date_to": "2019-09-04"}, ["84a8j6", "2n2181"]),
        ({"date_from": "2021-02-02", "date_to": "2021-02-02"}, ["a8023r", "ha3c3r"]),
        ({"date_from": "2021-02-02", "date_to": "2021-02-02", "date_match": "within"}, []),
        ({"date_from": "2018-06", "date_to": "2018-12"}, ["2n2181"]),
        ({"date_from": "2018-06", "date_to": "2018-12", "date_match": "within"}, []),
    ],
)
def test_date_filters_on_the_article(article, params, expected):
    assert refs(**params) == expected


# Overlaps or within, at each precision ------------------------------------------------


@pytest.mark.parametrize(
    ("date", "date_from", "date_to", "overlaps", "within"),
    [
        # A year: 2018-01-01 to 2018-12-31.
        ("2018", "2018-06", "2018-12", True, False),
        ("2018", "2018", "2018", True, True),
        ("2018", "2017", "2019", True, True),
        ("2018", "2019", "", False, False),
        ("2018", "", "2017-12-31", False, False),
        ("2018", "2018-12-31", "", True, False),
        # A month: 2020-08-01 to 2020-08-31.
        ("2020-08", "2020-08-15", "2020-09", True, False),
        ("2020-08", "2020-08", "2020-08", True, True),
        ("2020-08", "2020", "", True, True),
        ("2020-08", "", "2020-07", False, False),
        ("2020-08", "2020-09-01", "", False, False),
        # A day, and one of two days.
        ("2019-09-04", "2019-09-04", "2019-09-04", True, True),
        ("2019-09-04", "2019-09-05", "", False, False),
        ("[2021-02-01,2021-02-02]", "2021-02-02", "", True, False),
        ("[2021-02-01,2021-02-02]", "", "2021-02-01", True, False),
        ("[2021-02-01,2021-02-02]", "2021-02-01", "2021-02-02", True, True),
        # An approximate year: 2017 to 2019.
        ("2018~", "2019-06", "", True, False),
        ("2018~", "2017", "2019", True, True),
    ],
)
def test_overlaps_and_within_at_every_precision(db, date, date_from, date_to, overlaps, within):
    case = make_case(date=date)
    params = {"date_from": date_from, "date_to": date_to}
    assert (refs(**params) == [case.ref]) is overlaps
    assert (refs(**params, date_match="overlaps") == [case.ref]) is overlaps
    assert (refs(**params, date_match="within") == [case.ref]) is within


# Combined ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "detention", "place": "kazakhstan"}, ["ha3c3r", "74t3yk"]),
        ({"kind": "detention", "place": "kazakhstan", "date_from": "2021"}, ["ha3c3r"]),
        ({"person": "serikzhan-bilash", "place": "china"}, ["2n2181"]),
        ({"person": "serikzhan-bilash", "kind": "protest"}, ["a8023r"]),
        ({"q": "Kumbolat", "kind": "protest"}, ["a8023r"]),
        ({"q": "Kumbolat", "date_to": "2020"}, ["2n2181"]),
        ({"q": "Serkjian", "place": "almaty", "person": "baibolat-kunbolat", "date_from": "2021-02"}, ["a8023r"]),
        (
            {
                "q": "picket",
                "kind": "protest",
                "place": "almaty",
                "person": "serik-azhibay",
                "date_from": "2020",
                "date_to": "2020-08",
                "date_match": "within",
            },
            ["gvce2m"],
        ),
        ({"kind": "protest", "place": "china"}, []),
    ],
)
def test_filters_combine(article, params, expected):
    assert refs(**params) == expected


def test_filters_combine_on_factories(db):
    country = make_place("Testland", kind="country")
    city = make_place("Testville", parent=country)
    elsewhere = make_place("Otherland", kind="country")
    person = make_person("Aidos Sadykov")
    match = make_case(kind=Case.Kind.PROTEST, date="2022-05", place=city, people=[(person, "protester")])
    make_case(kind=Case.Kind.DETENTION, date="2022-05", place=city, people=[(person, "detained")])
    make_case(kind=Case.Kind.PROTEST, date="2022-05", place=elsewhere, people=[(person, "protester")])
    make_case(kind=Case.Kind.PROTEST, date="2019", place=city, people=[(person, "protester")])
    make_case(kind=Case.Kind.PROTEST, date="2022-05", place=city)
    params = {"kind": "protest", "place": country.slug, "person": person.slug, "date_from": "2022"}
    assert refs(**params) == [match.ref]
    assert refs(**params, q="Sadykov") == [match.ref]


def test_a_person_with_two_roles_in_a_case_lists_it_once(db):
    person = make_person()
    case = make_case(people=[(person, Involvement.Role.PROTESTER), (person, Involvement.Role.DETAINED)])
    assert refs(person=person.slug) == [case.ref]


def test_empty_and_unknown_parameters_are_ignored(article):
    assert refs(q="", kind="", place="", person="", date_from="", date_to="", date_match="", sort="") == NEWEST_FIRST
    assert refs(utm_source="mail", page="3", colour="red") == NEWEST_FIRST


def test_a_slug_in_capitals_is_the_same_place(article):
    assert refs(place="Xinjiang") == ["2n2181"]


def test_the_filter_reads_a_querydict_as_the_views_pass_it(article):
    data = QueryDict("kind=protest&place=almaty&kind=detention")  # the last value of a repeated parameter counts
    assert [case.ref for case in CaseFilter(data=data, queryset=Case.objects.all()).qs] == ["ha3c3r", "74t3yk"]


# Sorting --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", NEWEST_FIRST),
        ("oldest", ["2n2181", "84a8j6", "74t3yk", "gvce2m", "a8023r", "ha3c3r"]),
        ("ref", ["2n2181", "74t3yk", "84a8j6", "a8023r", "gvce2m", "ha3c3r"]),
        ("relevance", NEWEST_FIRST),  # without a search, best match means nothing: newest first
    ],
)
def test_sort_orders(article, sort, expected):
    assert refs(sort=sort) == expected


def test_sort_applies_after_the_filters(article):
    assert refs(kind="protest", sort="oldest") == ["84a8j6", "gvce2m", "a8023r"]
    assert refs(q="Kumbolat", sort="ref") == ["2n2181", "a8023r", "ha3c3r"]


def test_the_exports_can_take_rows_or_values_in_the_same_order(article, django_assert_num_queries):
    case_filter = CaseFilter(data={"q": "Kumbolat", "sort": "relevance"}, queryset=Case.objects.all())
    assert case_filter.is_valid()
    # On PostgreSQL one more query, once per filter, tells whether the term is a near miss.
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 2):
        rows = list(case_filter.qs.for_list())
    with django_assert_num_queries(1):
        assert [case.ref for case in rows] == list(case_filter.qs.values_list("ref", flat=True))
    assert {row["ref"] for row in case_filter.qs.values("ref", "title")} == {"a8023r", "ha3c3r", "2n2181"}


# Invalid values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2021-13-40"}, "date_from"),
        ({"date_to": "2021-02-30"}, "date_to"),
        ({"date_from": "18"}, "date_from"),
        ({"date_from": "08/07/2020"}, "date_from"),
        ({"date_from": "Juin 2018"}, "date_from"),
        ({"date_from": "2018", "date_to": "2019–2020"}, "date_to"),
        ({"date_from": "2018\x00"}, "date_from"),
        ({"date_from": "2020", "date_to": "2019"}, "date_to"),
        ({"place": "atlantis"}, "place"),
        ({"place": "ili\x00"}, "place"),
        ({"place": "../etc"}, "place"),
        ({"person": "nobody"}, "person"),
        ({"q": "x" * 201}, "q"),
        ({"q": "Kumbolat\x00"}, "q"),
        ({"q": "Kumbolat\x07"}, "q"),
        ({"q": "two\nlines"}, "q"),
        ({"kind": "arrest"}, "kind"),
        ({"date_match": "around"}, "date_match"),
        ({"sort": "random"}, "sort"),
    ],
)
def test_an_invalid_value_is_an_error_of_its_field_and_selects_nothing(article, params, field):
    case_filter = CaseFilter(data=params, queryset=Case.objects.all())
    assert not case_filter.is_valid()
    assert list(case_filter.errors) == [field]
    assert list(case_filter.qs) == []
    assert list(case_filter.narrowed()) == []


def test_error_messages_say_what_is_wrong(article):
    assert errors(date_from="2021-13-40")["date_from"] == [
        "“2021-13-40” is not a real date. Write a year, a month or a day: 2018; August 2020, Aug 2020 or 2020-08; "
        "4 September 2019 or 2019-09-04; a range as 2018–2020."
    ]
    assert errors(date_from="08/07/2020")["date_from"] == [
        "“08/07/2020” can be read two ways (day first or month first). Write the day with its month in words, "
        "such as 4 September 2019, or as year-month-day, 2019-09-04."
    ]
    assert errors(place="atlantis")["place"] == ["No place in the archive has the identifier “atlantis”."]
    assert errors(person="nobody")["person"] == [
        "No person in the archive is named “nobody” (in any spelling it records) or has it as their identifier. "
        "Type the whole name as a person’s page writes it, or search for part of it."
    ]
    assert errors(q="x" * 250)["q"] == ["A search can be at most 200 characters long; this one has 250."]
    assert errors(q="a\x00b")["q"] == [
        "Remove the control characters (such as NUL, tabs or line breaks) from the search."
    ]
    assert errors(date_from="2020", date_to="2019")["date_to"] == ["The end of the date range is before its start."]


def test_a_search_of_200_characters_is_accepted(article):
    assert refs(q="Kumbolat " + "x" * 191) == []


def test_narrowed_leaves_out_the_named_filters(article):
    case_filter = CaseFilter(data={"kind": "detention", "place": "almaty"}, queryset=Case.objects.all())
    assert case_filter.narrowed(ignore={"kind"}).count() == 5
    assert case_filter.narrowed(ignore={"place"}).count() == 3
    assert case_filter.narrowed().count() == 2
