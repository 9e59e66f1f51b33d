"""Pages cost a fixed number of queries, however many records the archive holds."""

from django.core.management import call_command

from cases.models import Case, DataLoad
from cases.synthetic import generate


def test_home_shows_the_counts_of_the_latest_load_in_one_query(db, client, django_assert_max_num_queries):
    generate(cases=40, seed=2)
    load = DataLoad.objects.latest()
    assert load.counts["detentions"] + load.counts["protests"] == 40
    # The data's version (for the page cache and validators), the counts, the recent cases,
    # their people: at most four, however many cases there are.
    with django_assert_max_num_queries(4):
        response = client.get("/")
    text = response.content.decode()
    assert "<dt>Cases</dt><dd>40</dd>" in text
    assert f"<dt>Detentions</dt><dd>{Case.objects.filter(kind='detention').count()}</dd>" in text


def test_home_counts_the_records_when_no_load_has_counted_them(db, client):
    generate(cases=20, seed=2)
    DataLoad.objects.update(counts={})
    assert "<dt>Cases</dt><dd>20</dd>" in client.get("/").content.decode()


def test_the_loader_counts_each_kind_of_case(db, capsys):
    call_command("loadarchive")
    counts = DataLoad.objects.latest().counts
    assert (counts["detentions"], counts["protests"]) == (3, 3)
