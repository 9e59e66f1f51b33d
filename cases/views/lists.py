"""The case list, ``/cases/``: filters, facets with counts, pagination, sorting.

Which cases match and in what order is entirely ``CaseFilter``'s (the exports
and the feed use it too); this view validates, paginates and prepares what the
page shows. A page fetches its cases' refs first, with the filters and the
order (the order's index holds them, so a deep page skips its rows inside the
index), and only then those cases' rows, with their people
(``pages.list_rows``), or, shown as a table (``?view=table``), their table rows
(``overview.table_rows``). The number of queries depends on neither the number
of cases nor the page number.
"""

import unicodedata
from html import escape

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views import View

from .. import dates, overview, pages, spellings
from ..facets import case_facets, search_listing, shown_places
from ..filters import ROW_ORDERS, CaseFilter, DateMatch, Sort
from ..models import Case, PersonName, Statement
from ..names import search_key

FILTER_PARAMETERS = ("q", "kind", "place", "person", "date_from", "date_to", "date_match", "sort")
# How the cases are shown (``?view=``): the list of rows (the default, never written in an address) or the table.
VIEWS = ("list", "table")
# A page number longer than this is past the end of any archive; int() of it would be slow.
MAX_PAGE_DIGITS = 18


class CaseListView(View):
    template_name = "cases/list.html"
    paginate_by = 25

    def get(self, request):
        case_filter = CaseFilter(data=request.GET, queryset=Case.objects.all())
        if redirect := canonical_redirect(request, case_filter):
            return redirect
        valid = case_filter.is_valid()
        page_number, page_error = read_page_number(request.GET.get("page"))
        view, view_error = read_view(request.GET.get("view"))
        values = shown_values(request.GET)
        person = case_filter.form.cleaned_data.get("person")
        if person is not None:
            values["person"] = person_in_box(person)
        places = shown_places(case_filter.form.cleaned_data.get("place"))
        context = {
            "form": case_filter.form,
            "values": values,
            "place_menu": place_menu(place_options(places), values["place"]),
            "person": person,
            "sort_options": [(value, label, value == case_filter.sort_order) for value, label in Sort.choices],
            "table": view == "table",
        }
        if page_error or view_error or not valid:
            context["errors"] = field_errors(case_filter)
            context["page_error"] = page_error
            context["view_error"] = view_error
            return render(request, self.template_name, context, status=400)

        if case_filter.form.cleaned_data.get("q"):
            facets, ordered_refs = search_listing(case_filter, places)
            if case_filter.sort_order in ROW_ORDERS:
                paginator = Paginator(ordered_refs, self.paginate_by)
            else:  # a column of the table: the database sorts the same cases
                refs = case_filter.qs.values_list("ref", flat=True)
                paginator = CountedPaginator(refs, self.paginate_by, len(ordered_refs))
        else:
            facets = case_facets(case_filter, places)
            refs = case_filter.qs.values_list("ref", flat=True)
            paginator = CountedPaginator(refs, self.paginate_by, facets.total)
        try:
            page = paginator.page(page_number)
        except EmptyPage:
            raise Http404("There is no such page of cases.") from None

        filter_query = active_query(case_filter)
        # The downloads and the feed carry the filters, and the order when one was chosen.
        data_query = filter_query.copy()
        if request.GET.get("sort"):
            data_query["sort"] = case_filter.sort_order.value
        # Every link of the page keeps the view too.
        query = filter_query.copy()
        if view == "table":
            query["view"] = view
        refs = list(page.object_list)
        context.update(
            data_query=data_query,
            filter_query=filter_query,
            cases=None if view == "table" else pages.list_rows(refs),
            table_rows=overview.table_rows(refs) if view == "table" else None,
            columns=table_columns(query, case_filter.sort_order),
            page_obj=page,
            page_range=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            ellipsis=Paginator.ELLIPSIS,
            total=paginator.count,
            query=query,
            active_filters=(chips := active_filters(case_filter, query)),
            listed=in_words(chips),
            facets=facets,
            sort_label=case_filter.sort_order.label,
            searching=bool(case_filter.form.cleaned_data.get("q")),
            near_misses=near_misses(case_filter),
            statements=matching_statements(case_filter),
            **names_found(case_filter, query, list(page.object_list)),
        )
        return render(request, self.template_name, context)


STATEMENTS_SHOWN = 5


def matching_statements(case_filter):
    """For a search, the statements of sources (not facts of a case) that hold its words: one query."""
    q = case_filter.form.cleaned_data.get("q")
    if not q:
        return []
    return list(Statement.objects.matching(q)[:STATEMENTS_SHOWN])


def names_found(case_filter, query, refs):
    """For a search, the people and places it names among the cases ``refs`` shown (with the spelling that
    matched) and, when it found no case, the nearest known spellings, each with the address of the list
    searching for it."""
    q = case_filter.form.cleaned_data.get("q")
    if not q:
        return {"names_matched": [], "suggestions": []}
    suggestions = []
    for spelling in [] if refs else spellings.near_spellings(q):
        suggested = query.copy()
        suggested["q"] = spelling
        suggestions.append({"spelling": spelling, "query": suggested})
    return {"names_matched": spellings.named(q, refs), "suggestions": suggestions}


def near_misses(case_filter):
    """The search's terms found nowhere as written, which matched names spelled like them instead."""
    q = case_filter.form.cleaned_data.get("q")
    if not q:
        return []
    return [term for term, near_miss in case_filter.search_plan(q, using=case_filter.queryset.db) if near_miss]


def canonical_redirect(request, case_filter):
    """A redirect to the same address with its dates written canonically (``CaseFilter.canonical_query``),
    or None when they are; the list, the exports and the feed all answer so."""
    query = case_filter.canonical_query()
    if query is None:
        return None
    return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")


class CountedPaginator(Paginator):
    """A Paginator told how many objects there are (counted already, by the facets or the place tree)."""

    def __init__(self, object_list, per_page, count):
        super().__init__(object_list, per_page)
        self.count = count


def read_page_number(raw):
    """(number, None) for a page number, absent or empty meaning 1; (None, message) for anything else."""
    raw = (raw or "").strip()
    if not raw:
        return 1, None
    if not (raw.isascii() and raw.isdigit()) or raw.strip("0") == "":
        return None, "Pages are numbered 1, 2, 3 and so on: this is not a page number."
    if len(raw.lstrip("0")) > MAX_PAGE_DIGITS:
        raise Http404("There is no such page of cases.")
    return int(raw), None


def read_view(raw):
    """(view, None) for ``?view=``, absent or empty meaning the list; (None, message) for anything else."""
    raw = (raw or "").strip().lower()
    if not raw:
        return "list", None
    if raw in VIEWS:
        return raw, None
    return None, "The cases can be shown as a list (view=list) or a table (view=table)."


def table_columns(query, order):
    """The table's column headings: each a link sorting by it, and which one is sorted, which way.

    The date sorts newest first, and its link then sorts oldest first (and back).
    """
    columns = []
    for key, heading in overview.COLUMNS:
        if key == "date":
            sorted_as = {Sort.NEWEST: "descending", Sort.OLDEST: "ascending"}.get(order)
            target = Sort.OLDEST if order == Sort.NEWEST else Sort.NEWEST
        else:
            sorted_as = "ascending" if order == key else None
            target = Sort(key)
        link = query.copy()
        link.pop("page", None)
        link["sort"] = target.value
        columns.append({"key": key, "heading": heading, "sorted": sorted_as, "query": link, "sort": target})
    return columns


def shown_values(data):
    """What the reader sent, to show again in the form: control characters dropped, nothing else changed."""
    return {
        name: "".join(ch for ch in str(data.get(name, "")) if unicodedata.category(ch) != "Cc")
        for name in FILTER_PARAMETERS
    }


def person_in_box(person):
    """What the person box shows for the person filtered by: their name, or their identifier when
    another person has the same name (submitting the name again would then be refused as ambiguous)."""
    namesakes = PersonName.objects.filter(search_key=search_key(person.name)).order_by().values("person").distinct()[:2]
    return person.name if len(namesakes) == 1 else person.slug


def place_options(places):
    """The place menu from ``facets.shown_places``: (slug, label) with each place under the place it
    lies in, siblings in alphabetical order."""
    children = {}
    for pk, (parent_id, slug, name) in sorted(places.items(), key=lambda item: item[1][2].casefold()):
        children.setdefault(parent_id, []).append((pk, slug, name))
    options = []

    def walk(parent_id, depth):
        for pk, slug, name in children.get(parent_id, []):
            options.append((slug, "\u00a0\u00a0\u00a0" * depth + name))
            walk(pk, depth + 1)

    walk(None, 0)
    return options


def place_menu(options, shown):
    """The menu's <option> elements, the one the reader sent (in any case) selected.

    Written here rather than by a template loop or ``format_html`` for each
    option: a menu of a few hundred places is most of a list page's rendering
    otherwise.
    """
    shown = shown.lower()
    return mark_safe(
        "\n".join(
            f'<option value="{escape(slug)}"{" selected" if slug == shown else ""}>{escape(label)}</option>'
            for slug, label in options
        )
    )


def field_errors(case_filter):
    """The invalid parameters, in the form's order, for the summary above the form."""
    errors = case_filter.errors
    return [
        {"name": name, "label": case_filter.form.fields[name].label, "messages": errors[name]}
        for name in FILTER_PARAMETERS
        if name in errors
    ]


def active_query(case_filter):
    """The filters in effect as a QueryDict: the base of every link on the page (no empty or unknown parameter)."""
    query = QueryDict(mutable=True)
    canonical_dates = dict(zip(("date_from", "date_to"), case_filter.form.canonical_dates, strict=True))
    for name in FILTER_PARAMETERS:
        value = canonical_dates.get(name) or case_filter.form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        if name in ("place", "person"):
            query[name] = value.slug
        else:
            query[name] = value
    return query


def in_words(chips):
    """The filters in words, from ``active_filters``: "cases (Place: Almaty, Kazakhstan; Kind: protest)"."""
    if not chips:
        return "all cases"
    return "cases (" + "; ".join(f"{chip['label']}: {chip['value']}" for chip in chips) + ")"


def active_filters(case_filter, query):
    """Each filter in effect, as the reader would say it, with the query that removes it."""
    values = case_filter.form.cleaned_data
    chips = []

    def add(label, shown, *names):
        without = query.copy()
        for name in names:
            without.pop(name, None)
        chips.append({"label": label, "value": shown, "query": without})

    if values.get("q"):
        add("Search", f"“{values['q']}”", "q")
    if values.get("kind"):
        add("Kind", Case.Kind(values["kind"]).label, "kind")
    if values.get("place"):
        add("Place", values["place"].full_name, "place")
    if values.get("person"):
        add("Person", values["person"].name, "person")
    # One chip per period: "Date: 2018" for date_from=2018&date_to=2018, not a From and a To.
    start, end = case_filter.form.canonical_dates
    if start and start == end:
        add("Date", dates.parse(start).display, "date_from", "date_to")
    else:
        if start:
            add("From", dates.parse(start).display, "date_from", *(("date_to",) if end == dates.OPEN_END else ()))
        if end and end != dates.OPEN_END:
            add("To", dates.parse(end).display, "date_to")
    if values.get("date_match") == DateMatch.WITHIN and (values.get("date_from") or values.get("date_to")):
        add("Dates", "wholly within the range", "date_match")
    return chips
