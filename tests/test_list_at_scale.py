"""The case list at scale: counts recorded by the load, a search found once, a bounded place menu.

Each shortcut must give exactly what the plain SQL of ``CaseFilter`` gives:
these tests compare the two on a synthetic archive with every date form, a
five-level place tree and names in several scripts.
"""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import facets
from cases.facets import MENU_DEPTH, shown_places
from cases.filters import CaseFilter
from cases.models import Case, DataLoad, Person, Place
from cases.views.lists import place_options


@pytest.fixture
def archive(db, load_synthetic):
    load_synthetic(cases=400, seed=11)


def case_filter(**params):
    found = CaseFilter(data=params, queryset=Case.objects.all())
    assert found.is_valid(), found.errors
    return found


def live(params):
    """The facets counted by SQL, with the load's summary out of the way."""
    summary = DataLoad.objects.values_list("facets", flat=True).first()
    DataLoad.objects.update(facets={})
    try:
        return facets.case_facets(case_filter(**params))
    finally:
        DataLoad.objects.update(facets=summary)


def test_the_load_records_the_unfiltered_facets(archive):
    summary = DataLoad.objects.get().facets
    assert summary["version"] == facets.SUMMARY_VERSION
    assert sum(n for entry in summary["kinds"].values() for *_key, n in entry["cases"]) == 400


WHOLE_YEARS = [
    {"date_from": "2018", "date_to": "2018"},
    {"date_from": "2017", "date_to": "present"},
    {"date_to": "2019", "date_match": "within", "kind": "protest"},
    {"date_from": "2016-01", "date_to": "2020-12", "date_match": "within"},  # whole years, written as months
    {"date_from": "2015-01-01", "date_to": "2019-12-31", "kind": "detention", "sort": "oldest"},
]


@pytest.mark.parametrize(
    "params", [{}, {"kind": "protest"}, {"kind": "detention", "sort": "oldest", "page": "3"}, *WHOLE_YEARS]
)
def test_recorded_facets_equal_the_counted_ones(archive, params, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the summary, and the names of the countries
        recorded = facets.case_facets(case_filter(**params))
    assert recorded == live(params)
    assert recorded.total == case_filter(**params).qs.count()


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2018-06", "date_to": "present"},
        {"date_from": "2016-03", "date_to": "2020-10", "date_match": "within", "kind": "protest"},
        {"date_from": "2017", "date_to": "2019-06-30"},
        {"date_from": "2017-02-14", "date_to": "2019-06-30", "date_match": "within"},
        {"date_to": "2019-05", "kind": "detention"},
    ],
)
def test_dates_within_a_year_are_summed_from_the_years_and_counted_at_their_edges(
    archive, params, django_assert_max_num_queries
):
    # The summary, the cases in the years of the range's ends, the names of the countries.
    with django_assert_max_num_queries(3):
        recorded = facets.case_facets(case_filter(**params))
    assert recorded == live(params)
    assert recorded.total == case_filter(**params).qs.count()


def test_the_fixtures_load_records_its_facets_too(db):
    call_command("loadarchive")
    assert facets.case_facets(case_filter()) == live({})
    assert facets.recorded_summary() is not None


def test_loading_an_unchanged_fixture_writes_a_summary_of_another_version_again(db):
    call_command("loadarchive")
    expected = DataLoad.objects.get().facets
    DataLoad.objects.update(facets={"version": facets.SUMMARY_VERSION - 1, "kinds": {}})
    assert facets.recorded_summary() is None
    call_command("loadarchive")
    assert DataLoad.objects.get().facets == expected


def test_without_a_recorded_summary_the_list_counts(archive, client):
    DataLoad.objects.update(facets={})
    assert facets.recorded_summary() is None
    response = client.get("/cases/")
    assert response.context["total"] == 400


def search_terms():
    person = Person.objects.filter(involvements__isnull=False).order_by("pk").first()
    surname = person.name.split()[-1]
    # A misspelling (a near miss on PostgreSQL) and a word found nowhere, with the found ones.
    return [person.name, surname, "sentenced", "picket court", f"{surname}h", "zzqxv"]


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"sort": "newest"},
        {"sort": "oldest"},
        {"sort": "ref"},
        {"kind": "detention"},
        {"date_from": "2017", "date_to": "2019"},
        {"date_from": "2016-03", "date_to": "2020-10", "date_match": "within", "kind": "protest"},
        {"place": "region"},
    ],
)
def test_a_search_found_once_gives_the_filters_own_order_and_counts(archive, extra):
    if extra.get("place") == "region":
        extra = {**extra, "place": Place.objects.filter(depth=1).order_by("pk").first().slug}
    for q in search_terms():
        params = {"q": q, **extra}
        found = case_filter(**params)
        listed_facets, ordered = facets.search_listing(found)
        assert ordered == list(found.qs.values_list("ref", flat=True)), params
        assert listed_facets == live(params), params
        assert listed_facets.total == len(ordered)


@pytest.mark.postgresql
def test_the_misspelled_search_is_a_near_miss(archive):
    misspelled = search_terms()[4]
    planned = case_filter(q=misspelled).search_plan(misspelled)
    assert planned == [(misspelled.lower(), True)]
    assert facets.search_listing(case_filter(q=misspelled))[1]


def test_a_search_evaluates_the_match_once(archive, client, django_assert_num_queries):
    name = search_terms()[0]
    # The version, the places of the menu and the facet, the matching rows, the page's rows and
    # their people, the sources' statements that match, and the people and places the search names
    # among the page's cases (their places' paths, the people's and the places' names). Found as
    # written, so no query asks which terms are near misses.
    with django_assert_num_queries(9) as captured:
        response = client.get("/cases/", {"q": name})
    assert response.status_code == 200
    assert len([q for q in captured.captured_queries if "cases_searchdocument" in q["sql"]]) == 1


def test_a_search_that_finds_nothing_as_written_asks_for_near_misses_once(archive, client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/cases/", {"q": search_terms()[4]})
    assert response.status_code == 200
    matching = [q["sql"] for q in captured.captured_queries if "cases_searchdocument" in q["sql"]]
    near_miss = connection.vendor == "postgresql"
    # As written (nothing), then on PostgreSQL the near-miss test and the match with similarity.
    assert len([sql for sql in matching if "LIMIT 1" in sql]) == (1 if near_miss else 0)
    assert len([sql for sql in matching if "LIMIT 1" not in sql]) == (2 if near_miss else 1)


def test_the_place_menu_stops_at_prefectures_until_a_deeper_place_is_chosen(archive):
    deepest = Place.objects.filter(depth__gt=MENU_DEPTH).order_by("-depth", "pk").first()
    assert deepest is not None, "the synthetic tree is five levels deep"
    shown = {slug for slug, label in place_options(shown_places())}
    assert shown == set(Place.objects.filter(depth__lte=MENU_DEPTH).values_list("slug", flat=True))

    city = Place.objects.filter(depth=MENU_DEPTH + 1, children__isnull=False).first()
    with_city = {slug for slug, label in place_options(shown_places(city))}
    above = [int(pk) for pk in city.path.strip("/").split("/")]
    expected = (
        set(Place.objects.filter(depth__lte=MENU_DEPTH).values_list("slug", flat=True))
        | set(Place.objects.filter(pk__in=above).values_list("slug", flat=True))
        | set(Place.objects.filter(parent=city).values_list("slug", flat=True))
    )
    assert with_city == expected
    assert city.slug in with_city


def test_a_deep_place_chosen_on_the_list_is_selected_in_the_menu(archive, client):
    site = Place.objects.filter(depth=4).first()
    response = client.get("/cases/", {"place": site.slug})
    assert response.status_code == 200
    assert f'<option value="{site.slug}" selected>' in response.content.decode()


@pytest.mark.parametrize("depth", [None, 0, 1, MENU_DEPTH, MENU_DEPTH + 1])
def test_the_place_facet_names_every_place_inside_the_chosen_one_that_has_cases(archive, depth):
    """The facet's places come from the menu's query (shown_places): none may be missing there."""
    chosen = None if depth is None else Place.objects.filter(depth=depth, children__isnull=False).first()
    params = {"place": chosen.slug} if chosen else {}
    found = facets.case_facets(case_filter(**params))
    inside = Place.objects.filter(parent=chosen) if chosen else Place.objects.filter(parent=None)
    expected = {}
    for place in inside:
        n = Case.objects.within_place(place).count()
        if n:
            expected[place.name] = n
    assert {value.label: value.count for value in found.place.values} == expected
    trail = [value.label for value in found.place.trail]
    assert trail == ([p.name for p in Place.objects.filter(pk__in=chosen.path_ids).order_by("depth")] if chosen else [])


def test_the_place_menu_escapes_names(client, archive):
    place = Place.objects.filter(depth=0).first()
    Place.objects.filter(pk=place.pk).update(name='Tom & "Jerry" <land>')
    page = client.get("/cases/").content.decode()
    assert f'<option value="{place.slug}">Tom &amp; &quot;Jerry&quot; &lt;land&gt;</option>' in page
    assert "<land>" not in page


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_an_earlier_load_its_facets(load_synthetic):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    load_synthetic(cases=120, seed=4)
    expected = facets.archive_summary()
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0004_case_list_span_indexes")])
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0005_dataload_facets")])
    # The migration writes the summary of its day (version 1), which this code does not read,
    # and the next load, even of the same fixture, writes this code's.
    summary = DataLoad.objects.values_list("facets", flat=True).get()  # the columns of that migration's day
    assert summary["version"] == 1
    assert sum(entry["total"] for entry in summary["kinds"].values()) == 120
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert facets.recorded_summary() is None
    assert load_synthetic(cases=120, seed=4).unchanged
    assert DataLoad.objects.get().facets == expected


def test_a_place_includes_what_is_inside_it_and_not_a_place_whose_id_starts_alike(db):
    from .factories import make_case, make_place

    country = make_place("Country")
    region, other = (
        Place(pk=pk, slug=f"region-{pk}", name=f"Region {pk}", kind="region", parent=country, modified=country.modified)
        for pk in (90007, 900070)
    )
    for place in (region, other):  # ids chosen, so "/…/90007/" and "/…/900070/" share a beginning
        place.derive_tree_fields()
        place.save()
    city = make_place("City", parent=region)
    inside = [make_case(place=region), make_case(place=city)]
    outside = make_case(place=other)
    assert set(Case.objects.within_place(region)) == set(inside)
    assert set(Case.objects.within_place(other)) == {outside}
    assert set(Case.objects.within_place(country)) == {*inside, outside}


def test_on_sqlite_a_place_filter_reads_the_path_index(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's plan is checked in tests/test_indexes.py")
    from .factories import make_place

    place = make_place()
    plan = Case.objects.within_place(place).explain()
    assert "place_path_idx" in plan, plan


def test_a_case_written_after_a_load_is_counted(db, client):
    from .factories import make_case

    call_command("loadarchive")
    make_case()
    assert client.get("/cases/").context["total"] == 7
