"""Record pages read from the documents a load writes (cases.pages) and show what gathering shows."""

import json

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from cases import pages
from cases.loader import load_fixture
from cases.models import Case, DataLoad, Person, Place, Quote, RecordPage, Source
from tests.factories import make_case, make_person, make_place, records_changed


def _records():
    return [
        "/",
        *(c.get_absolute_url() for c in Case.objects.all()),
        *(p.get_absolute_url() for p in Person.objects.all()),
        *(p.get_absolute_url() for p in Place.objects.all()),
        *(s.get_absolute_url() for s in Source.objects.all()),
    ]


def test_a_load_writes_one_document_for_every_record_under_itself(article):
    load = DataLoad.objects.latest()
    expected = {
        RecordPage.Kind.CASE: set(Case.objects.values_list("ref", flat=True)),
        RecordPage.Kind.PERSON: set(Person.objects.values_list("slug", flat=True)),
        RecordPage.Kind.PLACE: set(Place.objects.values_list("slug", flat=True)),
        RecordPage.Kind.SOURCE: set(Source.objects.values_list("slug", flat=True)),
    }
    expected[RecordPage.Kind.HOME] = {""}
    for kind, keys in expected.items():
        assert set(RecordPage.objects.filter(kind=kind, load=load).values_list("key", flat=True)) == keys
    assert RecordPage.objects.exclude(load=load).count() == 0


def test_every_record_page_from_its_document_is_the_page_gathered_afresh(client, article):
    urls = _records()
    assert len(urls) > 15
    prepared = {url: client.get(url) for url in urls}
    RecordPage.objects.all().delete()
    cache.clear()  # the page cache would answer with the pages read from their documents
    for url, response in prepared.items():
        gathered = client.get(url)
        assert response.status_code == gathered.status_code == 200, url
        assert response.content.decode() == gathered.content.decode(), url


def test_a_document_holds_only_json(article):
    for data in RecordPage.objects.values_list("data", flat=True):
        assert json.loads(json.dumps(data)) == data


@pytest.mark.parametrize("kind", ["home", "case", "person", "place", "source"])
def test_a_page_with_its_document_reads_the_version_and_one_row(client, article, kind):
    model = {"case": Case, "person": Person, "place": Place, "source": Source}.get(kind)
    url = model.objects.first().get_absolute_url() if model else "/"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert "cases_recordpage" in queries[1]["sql"]


def test_a_document_of_an_older_load_is_not_read(client, article):
    case = Case.objects.get(ref="a8023r")
    RecordPage.objects.filter(kind="case", key=case.ref).update(
        data={**RecordPage.objects.get(kind="case", key=case.ref).data, "case": {"title": "Stale"}}
    )
    DataLoad.objects.create(loaded_at=timezone.now(), fixture_sha256="0" * 64, counts={})
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    assert case.title in response.content.decode()


def test_pages_beyond_the_first_and_other_addresses_are_gathered(client, article):
    person = Person.objects.get(slug="serikzhan-bilash")
    for n in range(60):
        # Dates that tie and dates that differ only in their earliest day: the order's every key.
        date = ["2019", "2019-05", "2019-05-01/2019-12-31", f"{2000 + n % 7}-{n % 12 + 1:02d}"][n % 4]
        make_case(people=[(person, "witness")], title=f"Extra case {n}", date=date)
    load = DataLoad.objects.latest()
    pages.prepare_all(load)
    first = client.get(person.get_absolute_url()).content.decode()
    second = client.get(person.get_absolute_url() + "?page=2").content.decode()
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    titles = [f"Extra case {n}" for n in range(60)]
    shown_first = {t for t in titles if f">{t}<" in first}
    shown_second = {t for t in titles if f">{t}<" in second}
    assert len(shown_first) + len(shown_second) == 60 and not shown_first & shown_second
    # The first page from the document is the first page gathered afresh.
    records_changed()
    cache.clear()
    assert client.get(person.get_absolute_url()).content.decode() == first


def test_record_links_are_the_models_own(article):
    for model in (Case, Person, Place, Source):
        for record in model.objects.all():
            assert pages.href(record) == record.get_absolute_url()
    for quote in Quote.objects.select_related("source"):
        assert pages.href(quote) == quote.get_absolute_url()


def test_a_record_added_after_a_load_is_shown_gathered_afresh(client, article):
    person = make_person("Someone New")
    assert not RecordPage.objects.exists()  # a record added after a load: the pages are gathered afresh
    assert client.get(person.get_absolute_url()).status_code == 200


def test_a_document_of_another_format_is_not_read_and_the_next_load_writes_it_again(client, article):
    case = Case.objects.get(ref="a8023r")
    for page in RecordPage.objects.all():
        stale = {key: {"title": "Stale"} for key in page.data}
        RecordPage.objects.filter(pk=page.pk).update(data={**stale, "format": pages.FORMAT - 1})
    for url in (case.get_absolute_url(), "/cases/", f"/cases/?q={case.ref}", case.place.get_absolute_url()):
        cache.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        assert escape(case.title) in response.content.decode() and "Stale" not in response.content.decode(), url
    report = load_fixture(settings.ARCHIVE_FIXTURE)
    assert report.unchanged
    assert pages.written(DataLoad.objects.latest())
    assert not RecordPage.objects.exclude(data__format=pages.FORMAT).exists()
    assert RecordPage.objects.filter(kind="case").count() == Case.objects.count()


def test_loading_the_same_fixture_again_prepares_pages_that_are_missing(article):
    RecordPage.objects.all().delete()
    report = load_fixture(settings.ARCHIVE_FIXTURE)
    assert report.unchanged
    assert RecordPage.objects.filter(load=DataLoad.objects.latest(), kind="case").count() == Case.objects.count()


def test_a_place_page_from_its_document_lists_the_newest_cases_inside_it_as_gathered(client, db):
    country = make_place("A country", kind=Place.Kind.COUNTRY)
    region = make_place("A region", parent=country, kind=Place.Kind.REGION)
    city = make_place("A city", parent=region)
    for n in range(40):
        date = ["2019", "2019-05", "2018-05-01/2019-12-31", f"{2000 + n % 7}-{n % 12 + 1:02d}"][n % 4]
        make_case(place=[country, region, city][n % 3], date=date, title=f"Case here {n}")
    DataLoad.objects.create(loaded_at=timezone.now(), fixture_sha256="1" * 64, counts={})
    pages.prepare_all(DataLoad.objects.latest())
    for place in (country, region, city):
        with CaptureQueriesContext(connection) as queries:
            prepared = client.get(place.get_absolute_url()).content.decode()
        assert len(queries) == 2
        assert prepared.count('class="case-row"') == min(25, Case.objects.within_place(place).count())
        RecordPage.objects.filter(kind="place", key=place.slug).delete()
        cache.clear()
        assert client.get(place.get_absolute_url()).content.decode() == prepared


def test_a_fact_written_as_text_is_escaped_from_its_document_and_gathered(client, db):
    case = make_case(details={"authority": '<b onclick="x()">Police</b> & co'})
    DataLoad.objects.create(loaded_at=timezone.now(), fixture_sha256="2" * 64, counts={})
    pages.prepare_all(DataLoad.objects.latest())
    for prepared in (True, False):
        if not prepared:
            records_changed()
            cache.clear()
        page = client.get(case.get_absolute_url()).content.decode()
        assert "&lt;b onclick=&quot;x()&quot;&gt;Police&lt;/b&gt; &amp; co" in page
        assert "<b onclick" not in page


LISTS = ["/cases/", "/cases/?kind=protest", "/cases/?q=brother", "/cases/?place=almaty&sort=oldest", "/"]


@pytest.mark.parametrize("url", LISTS)
def test_a_list_with_its_rows_from_case_documents_is_the_list_gathered_afresh(client, article, url):
    prepared = client.get(url)
    assert prepared.status_code == 200
    assert prepared.content.decode().count('class="case-row"') >= 1
    RecordPage.objects.all().delete()
    cache.clear()
    assert client.get(url).content.decode() == prepared.content.decode()


def test_the_case_list_reads_its_rows_from_their_documents_in_one_query(client, article):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/cases/").content.decode()
    assert page.count('class="case-row"') == Case.objects.count()
    rows = [q["sql"] for q in queries if "cases_recordpage" in q["sql"]]
    assert len(rows) == 1
    assert not [q["sql"] for q in queries if "cases_involvement" in q["sql"] or "cases_person" in q["sql"]]


def test_later_pages_of_the_list_and_of_a_place_show_the_rows_gathered(client, db):
    country = make_place("A country", kind=Place.Kind.COUNTRY)
    city = make_place("A city", parent=country)
    person = make_person("Someone Listed")
    for n in range(60):
        date = ["2019", "2019-05", "2018-05-01/2019-12-31", f"{2000 + n % 7}-{n % 12 + 1:02d}"][n % 4]
        make_case(place=[country, city][n % 2], date=date, title=f"Case here {n}", people=[(person, "witness")])
    DataLoad.objects.create(loaded_at=timezone.now(), fixture_sha256="3" * 64, counts={})
    pages.prepare_all(DataLoad.objects.latest())
    urls = ["/cases/?page=2", "/cases/?page=3&sort=ref", f"{country.get_absolute_url()}?page=2"]
    prepared = {url: client.get(url).content.decode() for url in urls}
    for url, page in prepared.items():
        assert page.count('class="case-row"') == (10 if url.startswith("/cases/?page=3") else 25), url
        assert f">{person.name}</a> (witness)" in page, url
    RecordPage.objects.all().delete()
    cache.clear()
    for url, page in prepared.items():
        assert client.get(url).content.decode() == page, url
