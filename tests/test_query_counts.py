"""Pages cost a fixed number of queries, however many records the archive holds."""

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from cases.models import Case, DataLoad


def test_home_shows_the_counts_of_the_latest_load_in_one_query(
    db, client, load_synthetic, django_assert_max_num_queries
):
    load_synthetic(cases=40, seed=2)
    load = DataLoad.objects.latest()
    assert load.counts["detentions"] + load.counts["protests"] == 40
    # The data's version (for the page cache and validators), the counts, the recent cases,
    # their people, the timeline's counts by month and the map's by place and its places with
    # coordinates: at most seven, however many cases there are.
    with django_assert_max_num_queries(7):
        response = client.get("/")
    text = response.content.decode()
    assert "<dt>Cases</dt><dd>40</dd>" in text
    assert f"<dt>Detentions</dt><dd>{Case.objects.filter(kind='detention').count()}</dd>" in text


def test_home_counts_the_records_when_no_load_has_counted_them(db, client, load_synthetic):
    load_synthetic(cases=20, seed=2)
    DataLoad.objects.update(counts={})
    assert "<dt>Cases</dt><dd>20</dd>" in client.get("/").content.decode()


def test_the_loader_counts_each_kind_of_case(db, capsys):
    call_command("loadarchive")
    counts = DataLoad.objects.latest().counts
    assert (counts["detentions"], counts["protests"]) == (3, 3)


def page_urls():
    """A few URLs of every page kind the benchmark measures, picked from the synthetic data."""
    from cases.models import Person, Place, Source

    region = Place.objects.filter(depth=1).order_by("pk").first()
    site = Place.objects.filter(depth=4).annotate(n=Count("cases")).order_by("-n", "pk").first()
    busiest = Person.objects.annotate(n=Count("involvements")).order_by("-n", "pk").first()
    quiet = Person.objects.annotate(n=Count("involvements")).order_by("n", "pk").first()
    detention = Case.objects.filter(kind="detention").order_by("pk").first()
    protest = Case.objects.filter(kind="protest").order_by("pk").first()
    return {
        "home": "/",
        "list": "/cases/",
        "list, page 2": "/cases/?page=2",
        "list, kind": "/cases/?kind=protest&sort=oldest",
        "table, by people": "/cases/?view=table&sort=people",
        "table, a search by place": f"/cases/?view=table&sort=place&q={busiest.name.split()[0]}",
        "list, place and dates": f"/cases/?place={region.slug}&date_from=2015&date_to=2022",
        "search, one word": f"/cases/?q={busiest.name.split()[0]}",
        "search, a name": f"/cases/?q={busiest.name}&date_from=2010&date_to=present",
        "case, detention": detention.get_absolute_url(),
        "case, protest": protest.get_absolute_url(),
        "person, busiest": busiest.get_absolute_url(),
        "person, fewest cases": quiet.get_absolute_url(),
        "place, region": region.get_absolute_url(),
        "place, site": site.get_absolute_url(),
        "source": Source.objects.order_by("pk").first().get_absolute_url(),
        "feed": f"/feed/?place={region.slug}",
        "csv": "/cases.csv?kind=detention",
    }


def queries_per_page(client):
    counts = {}
    for kind, url in page_urls().items():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200, url
            if response.streaming:
                b"".join(response.streaming_content)
        counts[kind] = len(captured)
    return counts


def test_no_page_runs_more_queries_in_a_larger_archive(db, client, load_synthetic):
    load_synthetic(cases=60, seed=3)
    small = queries_per_page(client)
    load_synthetic(cases=600, seed=3)  # keeps the smaller archive's refs, so it loads over it
    large = queries_per_page(client)
    assert large == small
