"""Facets of the case list: how many of the matching cases each next choice would give.

Each facet counts what its link would show: the kind facet counts with every
filter but the kind (choosing a kind replaces the kind), the year facet with
every filter but the dates, under the date match in effect; the place facet
shows the countries, or the places directly inside the chosen place, each
counting the cases anywhere inside it.

The kind facet counts every matching case under one kind or the other, so
it also gives the number of matching cases: the list needs no count query
of its own.

Three ways to the same figures, by what the list is asked for:

- no search, place or person (the unfiltered list, a kind, dates: any page,
  any order): the counts the latest data load recorded (``archive_summary``,
  kept in ``DataLoad.facets``): cases by kind, country and span of years,
  from which every facet is summed, the date filter applied to the years. The
  data changes only when a load writes it, in the same transaction. A range
  that starts or ends within a year (2018-06) leaves undecided the cases of
  that year alone: those are counted, with one indexed query;
- a search: the matching cases are found once, with the few columns the
  facets and the order need (``search_listing``), and everything else is
  counted and sorted from those rows: a search is the costliest filter and is
  not evaluated again for each facet;
- a place or a person: one indexed count query per facet (three in all).
"""

import operator
from collections import Counter
from dataclasses import dataclass, field

from django.db import NotSupportedError
from django.db.models import Count, Func, IntegerField, Q
from django.db.models.functions import ExtractYear

from . import search
from .filters import ORDERINGS, ROW_ORDERS, DateMatch, Sort, date_conditions
from .models import Case, DataLoad, Place, path_ids

SUMMARY_VERSION = 2
# The filters the load's summary does not count by.
NOT_SUMMED = ("q", "place", "person")


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


class Country(Func):
    """The id of the outermost place of a place path ("/3/7/12/" -> 3), in SQL: counts by country are
    grouped by the database, not by each place's path in Python."""

    arity = 1
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(f"Country() is written for PostgreSQL and SQLite, not {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(split_part({sql}, '/', 2) AS integer)", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(substr({sql}, 2, instr(substr({sql}, 2), '/') - 1) AS integer)", (*params, *params)


# The place menu lists places down to this depth (countries 0, regions 1, prefectures 2):
# an archive's thousands of cities and sites would make every list page heavy. A place
# deeper than that is reached through the place facet, or from its own page, and once
# chosen the menu shows it with the places above it and those directly inside it.
MENU_DEPTH = 2


def shown_places(chosen=None):
    """The places the list's menu and place facet name, {pk: (parent pk, slug, name)}: every place
    down to MENU_DEPTH, and the ``chosen`` place with the places above it and directly inside it.

    The place facet's values are the countries or the places directly inside
    the chosen one, and its trail the places above that: all of them are here.
    """
    shown = Q(depth__lte=MENU_DEPTH)
    if chosen is not None:
        shown |= Q(pk__in=chosen.path_ids) | Q(parent_id=chosen.pk)
    return {
        pk: rest
        for pk, *rest in Place.objects.filter(shown).order_by("path").values_list("pk", "parent_id", "slug", "name")
    }


def case_facets(case_filter, places=None):
    """The facets for a valid CaseFilter without a search, and the number of cases it matches.

    ``places`` is ``shown_places`` for the chosen place, read here when not given.
    """
    values = case_filter.form.cleaned_data
    summary = None if any(values.get(name) for name in NOT_SUMMED) else recorded_summary()
    if summary is None:
        counts = dict(case_filter.narrowed(ignore={"kind"}).values_list("kind").annotate(n=Count("pk")))
        spans = case_filter.narrowed(ignore={"date_from", "date_to"}).values_list(
            Year("date_earliest"), Year("date_latest")
        )
        paths = case_filter.narrowed().values_list("place__path").annotate(n=Count("pk"))
        return _facets(case_filter, counts, _place_counts(case_filter, paths), spans.annotate(n=Count("pk")), places)

    chosen = values.get("kind")
    rows = [(kind, *row) for kind, entry in summary["kinds"].items() for row in entry["cases"]]
    spans, counts, countries = Counter(), Counter(), Counter()
    for kind, _country, first, last, n in rows:
        if not chosen or kind == chosen:
            spans[first, last] += n
    conditions = date_conditions(values.get("date_from"), values.get("date_to"), values.get("date_match"))
    for kind, country, first, last, n in rows:
        if _in_years(conditions, first, last):
            counts[kind] += n
            if not chosen or kind == chosen:
                countries[country] += n
    # The cases whose years leave a date condition undecided (a day within their year), counted.
    undecided = Q()
    for column, op, day in conditions:
        if not _whole_year(op, day):
            undecided |= Q(**{f"{column}__year": day.year})
    if undecided:
        cases = case_filter.narrowed(ignore={"kind"}).filter(undecided)
        for kind, country, n in cases.values_list("kind", Country("place__path")).annotate(n=Count("pk")):
            counts[kind] += n
            if not chosen or kind == chosen:
                countries[country] += n
    return _facets(case_filter, counts, countries, [(first, last, n) for (first, last), n in spans.items()], places)


def _whole_year(op, day):
    """Whether a date condition (``filters.date_conditions``) holds exactly when it holds of the year."""
    return (day.month, day.day) == ((1, 1) if op == "gte" else (12, 31))


def _in_years(conditions, first, last):
    """Whether every case whose first and last possible years are ``first`` and ``last`` passes the
    date conditions, decided from the years alone. False when any may fail, or when a condition on a
    day within one of those years leaves it undecided (those cases are counted in SQL)."""
    for column, op, day in conditions:
        year = first if column == "date_earliest" else last
        if year == day.year and not _whole_year(op, day):
            return False
        if not (year >= day.year if op == "gte" else year <= day.year):
            return False
    return True


def _facets(case_filter, kind_counts, place_counts, year_spans, places=None):
    chosen = case_filter.form.cleaned_data.get("kind")
    return Facets(
        total=kind_counts.get(chosen, 0) if chosen else sum(kind_counts.values()),
        kind=[
            FacetValue(label, kind_counts[value], {"kind": value, "page": None}, selected=value == chosen)
            for value, label in Case.Kind.choices
            if kind_counts.get(value)
        ],
        place=place_facet(case_filter, place_counts, places),
        year=year_facet(case_filter, year_spans),
    )


# Without a search, place or person: counts recorded by the load ---------------------


def archive_summary():
    """What the list's facets count without a search, place or person: for each kind, its cases by
    country and by first and last possible year, as [country pk, first year, last year, cases].

    Written by every load beside its other counts (one grouped query over the
    whole archive, once per load instead of once per visit). Change
    SUMMARY_VERSION with its shape: a summary of another version is not read,
    and the next load, even of an unchanged fixture, writes it again.
    """
    cases = {value: Counter() for value in Case.Kind.values}
    rows = Case.objects.order_by().values_list(
        "kind", Country("place__path"), Year("date_earliest"), Year("date_latest")
    )
    for kind, country, first, last, n in rows.annotate(n=Count("pk")):
        cases[kind][country, first, last] = n
    return {
        "version": SUMMARY_VERSION,
        "kinds": {kind: {"cases": sorted([*key, n] for key, n in counted.items())} for kind, counted in cases.items()},
    }


def recorded_summary():
    """The summary the latest load recorded, or None (no load yet, or a summary of another version)."""
    summary = DataLoad.objects.order_by("-loaded_at", "-pk").values_list("facets", flat=True).first()
    if (
        isinstance(summary, dict)
        and summary.get("version") == SUMMARY_VERSION
        and set(summary.get("kinds", {})) == set(Case.Kind.values)
    ):
        return summary
    return None


def summarize(load):
    """Give ``load`` the summary of this code's version, unless it has it; True when written."""
    if isinstance(load.facets, dict) and load.facets.get("version") == SUMMARY_VERSION:
        return False
    load.facets = archive_summary()
    load.save(update_fields=["facets"])
    return True


# A search: the matching cases found once ---------------------------------------


def search_listing(case_filter, places=None):
    """For a valid CaseFilter with a search: (facets, the matching cases' refs in the filter's order,
    for an order of ``filters.ROW_ORDERS``; else unordered).

    One query finds the cases matching the search and the place and person
    filters, with their kind, place, dates and ref (and rank, for best match
    first); the kind and date filters, the facet counts and the order are then
    worked out from those rows, exactly as ``CaseFilter`` would in SQL.
    ``places`` as for ``case_facets``.
    """
    values = case_filter.form.cleaned_data
    q, using = values["q"], case_filter.queryset.db
    # Matched as written first: finding anything proves there is no near miss to look for
    # (search.as_written), so only a search that finds nothing asks which terms are.
    written = search.as_written(q)
    rows = _search_rows(case_filter, written)
    if rows:
        case_filter.found_as_written(q, using)
    elif (planned := case_filter.search_plan(q, using)) != written:
        rows = _search_rows(case_filter, planned)

    chosen = values.get("kind")
    in_dates = _date_test(values.get("date_from"), values.get("date_to"), values.get("date_match"))
    dated = [row for row in rows if in_dates(row[2], row[3])] if in_dates else rows
    kind_counts = Counter(row[0] for row in dated)
    matching = [row for row in dated if row[0] == chosen] if chosen else list(dated)
    spans = Counter((row[2].year, row[3].year) for row in rows if not chosen or row[0] == chosen)
    facets = _facets(
        case_filter,
        kind_counts,
        _place_counts(case_filter, Counter(row[1] for row in matching).items()),
        [(first, last, n) for (first, last), n in spans.items()],
        places,
    )
    if case_filter.sort_order in ROW_ORDERS:  # else the database sorts them (views.lists)
        _sort(matching, ORDERINGS[case_filter.sort_order])
    return facets, [row[4] for row in matching]


def _search_rows(case_filter, planned):
    """search_listing's rows (kind, path, earliest, latest, ref[, rank]) for the search as ``planned``."""
    values = case_filter.form.cleaned_data
    using = case_filter.queryset.db
    # Straight from the matching search documents, so the rank reads the row the match read.
    rows = search.matching_documents(values["q"], using=using, planned=planned)
    if values.get("place") or values.get("person"):
        others = case_filter.narrowed(ignore={"q", "kind", "date_from", "date_to"})
        rows = rows.filter(case_id__in=others.values("pk"))
    fields = ["case__kind", "case__place__path", "case__date_earliest", "case__date_latest", "case__ref"]
    if case_filter.sort_order == Sort.RELEVANCE:
        rows = rows.annotate(search_rank=search.rank(values["q"], using=using))
        fields.append("search_rank")
    return list(rows.values_list(*fields))


def _date_test(start, end, match):
    """The test ``CaseFilter.filter_dates`` applies (``filters.date_conditions``), on (earliest, latest);
    None when there is no date filter."""
    conditions = [
        (field == "date_latest", operator.ge if op == "gte" else operator.le, day)
        for field, op, day in date_conditions(start, end, match)
    ]
    if not conditions:
        return None
    return lambda earliest, latest: all(
        compare(latest if on_latest else earliest, day) for on_latest, compare, day in conditions
    )


# Where search_listing's rows (kind, path, earliest, latest, ref[, rank]) hold each ordering field.
_COLUMNS = {"date_earliest": 2, "date_latest": 3, "ref": 4, "search_rank": 5}


def _sort(rows, ordering):
    """Sort search_listing's rows in place by one of filters.ORDERINGS ("-" for descending).

    One stable sort per field, the last field first: Python keeps the order of
    equal rows, in a descending sort too, so the earlier fields decide first.
    """
    for name in reversed(ordering):
        rows.sort(key=operator.itemgetter(_COLUMNS[name.lstrip("-")]), reverse=name.startswith("-"))


def year_facet(case_filter, spans):
    """The years the date filter reaches, newest first, each counting the cases a link to that year
    would show.

    ``spans`` holds (first year, last year, cases) for the cases matching every
    filter but the dates. Under ``overlaps`` a case counts in every year its
    span touches ("2018~" may be 2017 to 2019); under ``within`` only in the
    one year it lies in.
    """
    values = case_filter.form.cleaned_data
    within = values.get("date_match") == DateMatch.WITHIN
    counts = Counter()
    for first, last, n in spans:
        if within:
            if first == last:
                counts[first] += n
        else:
            for year in range(first, last + 1):
                counts[year] += n
    chosen = _chosen_year(case_filter)
    # Only the years the date filter reaches: inside August 2020 the facet offers 2020, not 2019.
    start, end = values.get("date_from"), values.get("date_to")
    return [
        FacetValue(
            str(year), counts[year], {"date_from": str(year), "date_to": str(year), "page": None}, year == chosen
        )
        for year in sorted(counts, reverse=True)
        if (start is None or year >= start.year) and (end is None or year <= end.year)
    ]


def _chosen_year(case_filter):
    """The year when the range is exactly one year (date_from=2018&date_to=2018), else None."""
    start, end = case_filter.form.canonical_dates if case_filter.is_valid() else (None, None)
    return int(start) if start == end and start and len(start) == 4 else None


def _place_counts(case_filter, path_counts):
    """Cases per place of the facet (the countries, or the places directly inside the chosen one).

    ``path_counts`` holds (place path, cases) for the cases matching every filter.
    """
    chosen = case_filter.form.cleaned_data.get("place")
    depth = chosen.depth + 1 if chosen else 0
    counts = Counter()
    for path, n in path_counts:
        ids = path_ids(path)
        if len(ids) > depth:
            counts[ids[depth]] += n
    return counts


def place_facet(case_filter, counts, places=None):
    """The countries, or the places directly inside the chosen place, with the cases inside each."""
    chosen = case_filter.form.cleaned_data.get("place")
    if places is None:
        places = shown_places(chosen)
    values = [
        FacetValue(places[pk][2], n, {"place": places[pk][1], "page": None})
        for pk, n in counts.items()
        if n and pk in places
    ]
    values.sort(key=lambda value: (-value.count, value.label))
    trail = [
        FacetValue(places[pk][2], 0, {"place": places[pk][1], "page": None}, selected=pk == chosen.pk)
        for pk in (chosen.path_ids if chosen else [])
    ]
    return PlaceFacet(trail=trail, values=values)
