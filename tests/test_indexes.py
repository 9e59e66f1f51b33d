"""Every filter and sort of the case list can be answered from an index on PostgreSQL (checked with EXPLAIN).

PostgreSQL only: the plans and the index types are its own. The archive here
is small, so sequential scans are switched off for each check: the plan then
uses an index wherever one can answer the query, and falls back to a
sequential scan only where none can, which is what these tests catch.
"""

import datetime

import pytest
from django.db import connection, models

from cases.models import Case, Involvement, Person, Place

if connection.vendor != "postgresql":
    pytest.skip("EXPLAIN plans are PostgreSQL's", allow_module_level=True)


@pytest.fixture
def archive(transactional_db, load_synthetic):
    """A small synthetic archive, vacuumed and analysed (so index-only scans count), seq scans off."""
    load_synthetic(cases=300, seed=5)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # outside a transaction, as after a load in production
        cursor.execute("SET enable_seqscan = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("RESET enable_seqscan")


def plan(queryset):
    return queryset.explain()


def assert_no_sequential_scan_of_cases(text):
    assert "Seq Scan on cases_case " not in text + " ", text


def test_a_place_filter_finds_the_places_inside_it_by_their_path_index(archive):
    country = Place.objects.get(depth=0, pk=Case.objects.first().place.path.split("/")[1])
    text = plan(Case.objects.within_place(country))
    assert "place_path_idx" in text, text
    assert "~>=~" in text, text  # the prefix match is an index range, not a filter
    assert_no_sequential_scan_of_cases(text)


def test_a_date_overlap_filter_is_an_index_range(archive):
    start, end = datetime.date(2018, 1, 1), datetime.date(2019, 12, 31)
    text = plan(Case.objects.filter(date_latest__gte=start, date_earliest__lte=end))
    assert "Index" in text and "date_earliest" in text and "Index Cond" in text, text
    assert_no_sequential_scan_of_cases(text)


def test_a_date_within_filter_is_an_index_range(archive):
    start, end = datetime.date(2018, 1, 1), datetime.date(2019, 12, 31)
    text = plan(Case.objects.filter(date_earliest__gte=start, date_latest__lte=end))
    assert "Index Cond" in text and "date_" in text, text
    assert_no_sequential_scan_of_cases(text)


def test_newest_first_reads_the_newest_index_in_order(archive):
    text = plan(Case.objects.newest_first()[:25])
    assert "case_newest" in text, text
    assert "Sort" not in text.replace("Sort Key", ""), text


def test_a_deep_page_of_the_list_reads_only_the_index(archive):
    text = plan(Case.objects.newest_first().values_list("pk", flat=True)[500:525])
    assert "case_newest" in text, text
    assert "Index Only Scan" in text, text


def test_a_kind_filter_is_an_index_range(archive):
    text = plan(Case.objects.filter(kind=Case.Kind.PROTEST).order_by("-date_latest")[:25])
    assert "case_kind_date_idx" in text, text


def test_a_person_filter_reads_the_involvements_by_person(archive):
    person = Person.objects.filter(involvements__isnull=False).first()
    text = plan(Case.objects.filter(pk__in=Involvement.objects.filter(person=person).values("case_id")))
    assert "cases_involvement_person_id" in text, text
    assert_no_sequential_scan_of_cases(text)


def test_counting_a_place_and_date_filter_reads_only_indexes(archive):
    region = Place.objects.filter(depth=1).first()
    start, end = datetime.date(2015, 1, 1), datetime.date(2022, 12, 31)
    cases = Case.objects.within_place(region).filter(date_latest__gte=start, date_earliest__lte=end)
    text = plan(cases.values("kind").annotate(n=models.Count("pk")).order_by())
    # The cases are read from one of the indexes that hold both the place and the date span, or the date
    # span alone joined with the places' path index: which one is the planner's choice for the data.
    spans = ("case_place_span_idx", "case_date_span_idx")
    assert any(f"Index Only Scan using {name} on cases_case" in text for name in spans), text
    assert_no_sequential_scan_of_cases(text)


def test_counting_under_a_date_filter_reads_only_the_date_index(archive):
    start, end = datetime.date(2018, 1, 1), datetime.date(2018, 12, 31)
    cases = Case.objects.filter(date_latest__gte=start, date_earliest__lte=end)
    text = plan(cases.values("kind").annotate(n=models.Count("pk")).order_by())
    assert "case_date_span_idx" in text and "Index Only Scan" in text, text
