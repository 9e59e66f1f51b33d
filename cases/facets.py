"""Facets of the case list: how many of the matching cases each next choice would give.

Each facet counts what its link would show: the kind facet counts with every
filter but the kind (choosing a kind replaces the kind), the year facet with
every filter but the dates, under the date match in effect; the place facet
shows the countries, or the places directly inside the chosen place, each
counting the cases anywhere inside it. Four queries in all, whatever the
number of cases.

The kind facet counts every matching case under one kind or the other, so
it also gives the number of matching cases: the list needs no count query
of its own, which matters when a broad search is costly to evaluate.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import ExtractYear

from .filters import DateMatch
from .models import Case, Place


@dataclass
class FacetValue:
    label: str
    count: int
    params: dict  # what the link sets, for {% querystring %}
    selected: bool = False


@dataclass
class PlaceFacet:
    trail: list = field(default_factory=list)  # the chosen place and the places above it, outermost first
    values: list = field(default_factory=list)  # the countries, or the places directly inside the chosen one


@dataclass
class Facets:
    total: int  # the number of cases matching every filter
    kind: list
    place: PlaceFacet
    year: list


class Year(ExtractYear):
    """The year of a date column; on SQLite read from the stored ISO text, not by a Python function per row."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(substr({sql}, 1, 4) AS integer)", params


def case_facets(case_filter):
    """The facets for a valid CaseFilter, and the number of cases it matches."""
    counts = dict(case_filter.narrowed(ignore={"kind"}).values_list("kind").annotate(n=Count("pk")))
    chosen = case_filter.form.cleaned_data.get("kind")
    return Facets(
        total=counts.get(chosen, 0) if chosen else sum(counts.values()),
        kind=[
            FacetValue(label, counts[value], {"kind": value, "page": None}, selected=value == chosen)
            for value, label in Case.Kind.choices
            if counts.get(value)
        ],
        place=place_facet(case_filter),
        year=year_facet(case_filter),
    )


def year_facet(case_filter):
    """Years, newest first, counting the cases a link to that year would show.

    Under ``overlaps`` a case counts in every year its span touches ("2018~"
    may be 2017 to 2019); under ``within`` only in the one year it lies in.
    """
    values = case_filter.form.cleaned_data
    within = values.get("date_match") == DateMatch.WITHIN
    spans = (
        case_filter.narrowed(ignore={"date_from", "date_to"})
        .values_list(Year("date_earliest"), Year("date_latest"))
        .annotate(n=Count("pk"))
    )
    counts = Counter()
    for first, last, n in spans:
        if within:
            if first == last:
                counts[first] += n
        else:
            for year in range(first, last + 1):
                counts[year] += n
    chosen = _chosen_year(case_filter)
    return [
        FacetValue(
            str(year), counts[year], {"date_from": str(year), "date_to": str(year), "page": None}, year == chosen
        )
        for year in sorted(counts, reverse=True)
    ]


def _chosen_year(case_filter):
    """The year when the range is exactly one year (date_from=2018&date_to=2018), else None."""
    raw_from = str(case_filter.data.get("date_from", "")).strip()
    raw_to = str(case_filter.data.get("date_to", "")).strip()
    return int(raw_from) if raw_from == raw_to and len(raw_from) == 4 and raw_from.isdigit() else None


def place_facet(case_filter):
    """The countries, or the places directly inside the chosen place, with the cases inside each."""
    chosen = case_filter.form.cleaned_data.get("place")
    depth = chosen.depth + 1 if chosen else 0
    counts = Counter()
    for path, n in case_filter.narrowed().values_list("place__path").annotate(n=Count("pk")):
        ids = path.strip("/").split("/")
        if len(ids) > depth:
            counts[int(ids[depth])] += n
    trail_ids = [int(pk) for pk in chosen.path.strip("/").split("/")] if chosen else []
    places = Place.objects.filter(pk__in=[*counts, *trail_ids]).only("pk", "slug", "name", "depth")
    by_id = {place.pk: place for place in places}
    values = [
        FacetValue(by_id[pk].name, n, {"place": by_id[pk].slug, "page": None})
        for pk, n in counts.items()
        if pk in by_id
    ]
    values.sort(key=lambda value: (-value.count, value.label))
    trail = [
        FacetValue(by_id[pk].name, 0, {"place": by_id[pk].slug, "page": None}, selected=pk == chosen.pk)
        for pk in trail_ids
        if pk in by_id
    ]
    return PlaceFacet(trail=trail, values=values)
