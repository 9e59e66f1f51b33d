"""The timeline and the map: well-formed SVG whose every mark opens the list it counts, with the same
figures written out as tables, in a number of queries that does not grow with the cases."""

import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.template import Context, Template

from cases.filters import CaseFilter
from cases.maps import places_map
from cases.models import Case, Place
from cases.timeline import cases_over_time
from tests.factories import make_case, make_person, make_place

SVG = "{http://www.w3.org/2000/svg}"


def render(**arguments):
    given = " ".join(f"{name}='{value}'" for name, value in arguments.items())
    return Template(f"{{% load charts %}}{{% case_charts {given} %}}").render(Context())


def drawings(html):
    """Each <svg> of the page, parsed as XML: fails unless it is well formed."""
    return [ET.fromstring(svg) for svg in re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)]


def marks(svg):
    """{href: accessible name} of every link in a drawing."""
    return {a.get("href"): a.get("aria-label") for a in svg.iter(f"{SVG}a")}


def listed(href):
    """The number of cases the case list shows at ``href``."""
    path, _, query = href.partition("?")
    assert path == "/cases/"
    found = CaseFilter(data=QueryDict(query), queryset=Case.objects.all())
    assert found.is_valid(), found.errors
    return found.qs.count()


def counted(label):
    return int(re.search(r": (\d+) case", label)[1])


def test_the_home_page_draws_the_archive_as_well_formed_svg(client, article):
    html = client.get("/").content.decode()
    timeline, case_map = drawings(html)
    assert timeline.get("viewBox") and case_map.get("viewBox")
    # The article's six cases lie from 2018 to 2021: four years, drawn month by month.
    drawn = marks(timeline)
    assert drawn["/cases/?date_from=2020-08&date_to=2020-08&date_match=within"] == (
        "August 2020: 2 cases dated wholly within it"
    )
    # "1 or 2 February 2021" lies within February 2021, both of its cases.
    assert "/cases/?date_from=2021-02&date_to=2021-02&date_match=within" in drawn
    # Almaty has coordinates; its five cases (the consulate inside it has none) are its circle.
    assert marks(case_map) == {"/cases/?place=almaty": "Almaty, Kazakhstan: 5 cases"}
    # The case in Ili cannot be drawn: no place on its way up has coordinates. It is listed.
    assert re.search(
        r"Ili Kazakh Autonomous Prefecture, [^<]*</bdi></th><td><a href=\"/cases/\?place=ili\">1</a>", html
    )


@pytest.mark.django_db
def test_a_case_known_to_the_year_spans_every_month_of_it():
    make_case(date="2018")
    make_case(date="2019-09-04")
    timeline = cases_over_time(Case.objects.all())
    assert timeline.monthly
    by_key = {period.key: period for period in timeline.periods}
    year = [by_key[f"2018-{month:02d}"] for month in range(1, 13)]
    assert [(period.touching, period.within) for period in year] == [(1, 0)] * 12
    # Drawn edge to edge from the start of January to the end of December, and nowhere else in 2019.
    assert year[0].x < year[-1].x
    assert all(abs(b.x - (a.x + a.width) - 2) < 0.02 for a, b in itertools.pairwise(year)), [
        (p.x, p.width) for p in year
    ]
    assert [p.key for p in timeline.periods if p.touching and p.key.startswith("2019")] == ["2019-09"]
    assert by_key["2019-09"].within == 1
    # Over a longer range, year by year, the case lies within its year like any other.
    make_case(date="2024-03")
    timeline = cases_over_time(Case.objects.all())
    assert not timeline.monthly
    assert [(p.key, p.touching, p.within) for p in timeline.periods if p.touching] == [
        ("2018", 1, 1),
        ("2019", 1, 1),
        ("2024", 1, 1),
    ]


@pytest.mark.django_db
def test_an_approximate_year_counts_in_each_year_it_may_be():
    make_case(date="2018~")  # 2017 to 2019
    make_case(date="2010")
    timeline = cases_over_time(Case.objects.all())
    counts = {p.key: (p.touching, p.within) for p in timeline.periods if p.touching}
    assert counts == {"2010": (1, 1), "2017": (1, 0), "2018": (1, 0), "2019": (1, 0)}


@pytest.fixture
def archive(db, load_synthetic):
    """A synthetic archive with every date form; some of its places given coordinates."""
    load_synthetic(cases=300, seed=5)
    for n, place in enumerate(Place.objects.filter(depth__in=(1, 3)).order_by("pk")[:12]):
        place.latitude, place.longitude = Decimal(40 + n), Decimal(70 + 2 * n)
        place.save(update_fields=["latitude", "longitude"])


@pytest.mark.parametrize("whose", ["archive", "place", "person"])
def test_every_mark_counts_the_cases_its_link_lists(archive, whose):
    if whose == "archive":
        arguments = {}
    elif whose == "place":
        arguments = {"place": Place.objects.filter(depth=0).order_by("pk").first().slug}
    else:
        arguments = {"person": Case.objects.order_by("pk").first().people.first().slug}
    html = render(**arguments)
    timeline, case_map = drawings(html)
    bars, circles = marks(timeline), marks(case_map)
    assert bars and circles
    for href, label in {**bars, **circles}.items():
        assert counted(label) == listed(href), (href, label)
    # Every bar keeps the page's own filter; a circle keeps the person and names its own place.
    for name, value in arguments.items():
        assert all(f"{name}={value}" in href for href in bars)
    if whose == "place":
        inside = Place.objects.get(slug=arguments["place"]).path
        assert all(
            Place.objects.get(slug=QueryDict(href.partition("?")[2])["place"]).path.startswith(inside)
            for href in circles
        )
    if whose == "person":
        assert all(f"person={arguments['person']}&place=" in href for href in circles)


def test_the_tables_hold_the_figures_the_drawings_show(archive):
    html = render()
    timeline, case_map = drawings(html)
    tables = html[html.index("</svg>") :]
    cells = dict(re.findall(r'<td><a href="([^"]+)">(\d+)</a>', tables.replace("&amp;", "&")))
    for href, label in {**marks(timeline), **marks(case_map)}.items():
        assert int(cells[href.replace("&amp;", "&")]) == counted(label)
    # And nothing in the tables that the drawings do not show, but the places they cannot draw.
    unmapped = re.search(r"Places not on the map.*?</table>", tables, re.DOTALL)
    shown = {**marks(timeline), **marks(case_map)}
    extra = set(cells) - set(shown)
    assert unmapped is not None
    assert all(f'href="{href}"' in unmapped[0].replace("&amp;", "&") for href in extra)


def test_a_place_page_draws_no_place_above_it(archive):
    region = Place.objects.filter(depth=1, latitude__isnull=False).order_by("pk").first()
    country = Place.objects.get(pk=region.path_ids[0])
    country.latitude, country.longitude = Decimal(45), Decimal(80)
    country.save(update_fields=["latitude", "longitude"])
    cases = Case.objects.within_place(region)
    drawn = places_map(cases, {"place": region.slug}, within=region)
    assert region.slug in {mark.slug for mark in drawn.marks}
    assert country.slug not in {mark.slug for mark in drawn.marks}
    everywhere = places_map(Case.objects.all())
    assert country.slug in {mark.slug for mark in everywhere.marks}


@pytest.mark.django_db
def test_a_map_with_no_place_to_draw_lists_the_places(client):
    place = make_place("Nowhere Known")
    make_case(place=place, date="2021-05")
    html = render()
    assert len(drawings(html)) == 1  # the timeline only
    assert "No place with these cases has coordinates" in html
    assert f'<a href="/cases/?place={place.slug}">1</a>' in html


@pytest.mark.django_db
def test_nothing_is_drawn_without_cases():
    make_person("Nobody Involved", slug="nobody")
    assert render().strip() == ""
    assert render(person="nobody").strip() == ""


@pytest.mark.parametrize("cases", [40, 400])
def test_the_charts_cost_the_same_queries_however_many_cases(db, cases, django_assert_num_queries, load_synthetic):
    load_synthetic(cases=cases, seed=3)
    place = Place.objects.filter(depth=0).order_by("pk").first()
    place.latitude, place.longitude = Decimal(43), Decimal(77)
    place.save(update_fields=["latitude", "longitude"])
    person = Case.objects.order_by("pk").first().people.first()
    with django_assert_num_queries(3):  # cases by month; cases by place and the places with coordinates
        assert "<svg" in render()
    with django_assert_num_queries(4):  # and the place or the person, by its slug
        assert "<svg" in render(place=place.slug)
    with django_assert_num_queries(4):
        assert "<svg" in render(person=person.slug)


def test_person_and_place_pages_show_their_own_charts(client, article):
    person = client.get("/people/baibolat-kunbolat/").content.decode()
    timeline, case_map = drawings(person)
    assert all("person=baibolat-kunbolat" in href for href in marks(timeline))
    assert list(marks(case_map)) == ["/cases/?person=baibolat-kunbolat&place=almaty"]
    place = client.get("/places/almaty/").content.decode()
    timeline, case_map = drawings(place)
    assert all("place=almaty" in href for href in marks(timeline))
    assert list(marks(case_map)) == ["/cases/?place=almaty"]
