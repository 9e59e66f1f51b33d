"""The case list as a table (?view=table): its columns, their bases, their sort orders and its cost."""

import re
from html.parser import HTMLParser

import pytest

from cases.filters import CaseFilter, Sort
from cases.models import Basis, Case, Detention, Fact, Involvement, Protest

from .factories import make_case, make_person, make_place


def text(response):
    return response.content.decode()


class Table(HTMLParser):
    """The overview table's header cells (with their attributes and text) and its rows' cells' text."""

    def __init__(self, html):
        super().__init__()
        self.headers, self.rows, self.caption = [], [], ""
        self._cell = self._in_table = self._in_caption = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "overview" in attrs.get("class", ""):
            self._in_table = True
        if not self._in_table:
            return
        if tag == "caption":
            self._in_caption = True
        if tag == "tr":
            self.rows.append([])
        if tag in ("th", "td"):
            self._cell = {"tag": tag, "attrs": attrs, "text": "", "links": []}
        if tag == "a" and self._cell is not None:
            self._cell["links"].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        if tag == "caption":
            self._in_caption = False
        if tag in ("th", "td") and self._cell is not None:
            self._cell["text"] = " ".join(self._cell["text"].split())
            self.rows[-1].append(self._cell)
            if self._cell["attrs"].get("scope") == "col":
                self.headers.append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self.caption += data
        if self._cell is not None:
            self._cell["text"] += data

    @property
    def body(self):
        return [row for row in self.rows if row and row[0]["attrs"].get("scope") == "row"]


def heading(cell):
    """A column heading's words, without its sort arrow or its spoken sort order."""
    return cell["text"].split(" (")[0].rstrip(" ▲▼")


def refs_in(response):
    return [row[0]["text"].split(":")[0] for row in Table(text(response)).body]


def test_the_table_shows_each_fact_compared_with_its_basis(article, client):
    response = client.get("/cases/?view=table&kind=detention&sort=ref")
    assert response.status_code == 200
    table = Table(text(response))
    assert [heading(h) for h in table.headers] == [
        "Ref",
        "Kind",
        "Date",
        "Place",
        "People and roles",
        "Status",
        "Sentence or duration",
        "Authority or outcome",
    ]
    assert all(h["attrs"]["scope"] == "col" for h in table.headers)
    assert table.caption == "Cases 1 to 3, by reference"
    sentenced = next(row for row in table.body if row[0]["text"].startswith("2n2181"))
    ref, kind, date, place, people, status, sentence, authority = sentenced
    assert ref["tag"] == "th" and ref["links"] == ["/cases/2n2181/"]
    assert kind["text"] == "detention"
    assert date["text"].startswith("2018")
    assert place["text"].startswith("Ili Kazakh Autonomous Prefecture")
    assert authority["text"] == "not stated" and authority["links"] == []
    assert "10 years in prison" in sentence["text"]
    assert "sentenced" in status["text"]
    # Each value carries its basis, a letter leading to its fact on the case page.
    fact = Fact.objects.get(case__ref="2n2181", field="sentence")
    assert sentence["links"] == ["/cases/2n2181/#fact-sentence"]
    mark = {Basis.STATED: "S", Basis.DERIVED: "D", Basis.EDITORIAL: "E"}[fact.basis]
    assert sentence["text"].endswith(f"prison{mark}, {Basis(fact.basis).label}")
    assert any(link.startswith("/people/") for link in people["links"])
    assert any(link.startswith("/cases/2n2181/#fact-person-") for link in people["links"])


def test_a_derived_or_editorial_value_is_marked_so(db, client):
    case = make_case(date="2019", details={"sentence": "5 years", "status": Detention.Status.SENTENCED})
    Fact.objects.create(case=case, field="status", basis=Basis.DERIVED, rule="Sentenced, so detained.")
    Fact.objects.create(case=case, field="date", basis=Basis.EDITORIAL, reference_title="A registry")
    row = Table(text(client.get("/cases/?view=table"))).body[0]
    date, status, sentence = row[2], row[5], row[6]
    assert "D, derived by the archive" in status["text"]
    assert "E, added by the archive's editors" in date["text"]
    assert "S, stated by the source" in sentence["text"]


def test_a_value_not_stated_has_no_basis_and_a_column_that_does_not_apply_says_so(db, client):
    make_case(kind=Case.Kind.PROTEST, details={"outcome": Protest.Outcome.NOT_STATED})
    row = Table(text(client.get("/cases/?view=table"))).body[0]
    assert row[5]["text"] == "–does not apply to a protest"
    assert row[6]["text"] == "–does not apply to a protest"
    assert row[7]["text"] == "not stated" and row[7]["links"] == []
    assert row[4]["text"] == "no one named"


def test_the_sorted_column_says_so_and_each_heading_sorts_by_its_column(article, client):
    table = Table(text(client.get("/cases/?view=table&place=almaty")))
    sorted_as = {heading(h): h["attrs"].get("aria-sort") for h in table.headers}
    assert sorted_as["Date"] == "descending"
    assert [key for key, value in sorted_as.items() if value] == ["Date"]
    links = {heading(h): h["links"][0] for h in table.headers}
    assert links["Place"] == "/cases/?place=almaty&view=table&sort=place"
    assert links["Date"] == "/cases/?place=almaty&view=table&sort=oldest"
    table = Table(text(client.get(links["Date"])))
    assert [h["attrs"].get("aria-sort") for h in table.headers if "aria-sort" in h["attrs"]] == ["ascending"]
    table = Table(text(client.get("/cases/?view=table&sort=status")))
    status = next(h for h in table.headers if h["text"].startswith("Status"))
    assert status["attrs"]["aria-sort"] == "ascending"


def test_the_view_is_kept_by_pagination_facets_and_chips_but_not_by_the_downloads(db, client):
    place = make_place("Almaty")
    for n in range(30):
        make_case(kind=Case.Kind.PROTEST if n % 2 else Case.Kind.DETENTION, place=place, date=f"20{10 + n % 10}")
    page = text(client.get(f"/cases/?place={place.slug}&view=table"))
    links = re.findall(r'href="(/cases/\?[^"]*)"', page)
    assert f"/cases/?place={place.slug}&view=table&page=2" in [link.replace("&amp;", "&") for link in links]
    kind_facet = f"/cases/?place={place.slug}&amp;view=table&amp;kind=protest"
    assert kind_facet in page
    chip = "/cases/?view=table"  # the chip that removes the place filter
    assert f'href="{chip}">remove' in page
    assert 'name="view" value="table"' in page  # the form keeps it too
    assert f"/cases.csv?place={place.slug}" in page and "cases.csv?place={place.slug}&amp;view" not in page
    assert f"/feed/?place={place.slug}" in page and "view=table" not in re.search(r'href="(/feed/[^"]*)"', page)[1]
    # Back to the list, at the first page.
    assert f'href="/cases/?place={place.slug}">list</a>' in page


def test_an_unknown_view_is_a_clear_error(article, client):
    response = client.get("/cases/?view=grid")
    assert response.status_code == 400
    assert "The cases can be shown as a list (view=list) or a table (view=table)." in text(response)
    assert client.get("/cases/?view=list").status_code == 200


def test_the_list_without_view_is_unchanged(article, client):
    page = text(client.get("/cases/"))
    assert 'class="case-row"' in page and 'class="overview"' not in page
    assert 'href="/cases/?view=table">table</a>' in page


def detention(place, date, **details):
    return make_case(place=place, date=date, details=details)


@pytest.fixture
def varied(db):
    """Cases that differ in each column, with ties and blanks, in no particular order."""
    almaty, astana = make_place("Almaty"), make_place("astana")
    zed, ada = make_person("Zed Omarov"), make_person("ada Bekova")
    cases = {
        "a": detention(astana, "2020", sentence="", duration="15 days", authority="police", status="released"),
        "b": detention(almaty, "2021", sentence="10 years", authority="Court", status="sentenced"),
        "c": make_case(kind=Case.Kind.PROTEST, place=almaty, date="2019", details={"outcome": Protest.Outcome.ARRESTS}),
        "d": detention(astana, "2018", status="not-stated"),
        "e": detention(almaty, "2022", sentence="2 years", status="detained", authority="border guards"),
    }
    Involvement.objects.create(case=cases["a"], person=zed, role="detained")
    Involvement.objects.create(case=cases["d"], person=ada, role="detained")
    Involvement.objects.create(case=cases["d"], person=zed, role="witness")
    Involvement.objects.create(case=cases["e"], person=zed, role="detained")
    return {case.ref: name for name, case in cases.items()}


ORDERS = {
    # Ties fall back to newest first; cases without a value come last.
    Sort.KIND: "ebadc",  # detentions, then the protest
    Sort.PLACE: "ebcad",  # Almaty (e, b, c newest first), then astana, whatever the letters' case
    Sort.PEOPLE: "deabc",  # ada (d), Zed (e, a), then no one (b, c)
    Sort.STATUS: "eabcd",  # detained, released, sentenced, then a protest (c) and not stated (d)
    Sort.SENTENCE: "baecd",  # "10 years", "15 days" (a duration), "2 years", then none
    Sort.AUTHORITY: "cebad",  # arrests (an outcome), border guards, Court, police, then none
}


@pytest.mark.parametrize("order", list(ORDERS), ids=str)
def test_each_column_sorts_the_same_in_the_database_the_list_and_a_search(varied, client, order):
    expected = list(ORDERS[order])
    found = [varied[ref] for ref in CaseFilter(data={"sort": order.value}).qs.values_list("ref", flat=True)]
    assert found == expected
    assert [varied[ref] for ref in refs_in(client.get(f"/cases/?view=table&sort={order.value}"))] == expected
    # A search sorted by a column: the same order, among the cases it finds.
    searched = [varied[ref] for ref in refs_in(client.get(f"/cases/?view=table&q=case&sort={order.value}"))]
    assert searched == expected


def test_the_existing_orders_still_work(varied, client):
    for order in ("newest", "oldest", "ref"):
        assert client.get(f"/cases/?view=table&sort={order}").status_code == 200
    assert [varied[ref] for ref in refs_in(client.get("/cases/?view=table&sort=oldest"))] == list("dcabe")
    response = client.get("/cases/?sort=sideways")
    assert response.status_code == 400
    assert "Choose newest, oldest, ref, relevance, kind, place, people, status, sentence or authority." in text(
        response
    )


def test_a_page_of_the_table_costs_the_same_queries_however_many_rows_it_has(
    db, client, django_assert_num_queries, django_assert_max_num_queries, load_synthetic
):
    load_synthetic(cases=4, seed=7)
    client.get("/cases/?view=table")  # the first request after a load reads the data's version
    few = Table(text(client.get("/cases/?view=table")))
    assert len(few.body) == 4
    with django_assert_max_num_queries(100) as captured:
        client.get("/cases/?view=table&sort=people")
    queries = len(captured)
    load_synthetic(cases=80, seed=7)  # keeps the smaller archive's refs, so it loads over it
    client.get("/cases/?view=table")
    with django_assert_num_queries(queries):
        many = Table(text(client.get("/cases/?view=table&sort=people")))
    assert len(many.body) == 25
