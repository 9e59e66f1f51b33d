"""The case list's filters and sort orders: one FilterSet for the list page, the exports and the feed.

Use it as::

    case_filter = CaseFilter(data=request.GET, queryset=Case.objects.all())
    if not case_filter.is_valid():
        ...  # answer 400; case_filter.errors maps each parameter to its messages
    cases = case_filter.qs          # filtered AND sorted, not paginated
    rows = cases.for_list()         # or cases.values(...), cases[:50]...

Every rule of filtering and sorting lives here and none in the views, so the
list, the CSV and JSON exports and the feed always agree on what a link means.
The parameters are plain GET parameters (DESIGN.md); an unknown parameter
never reaches the filter (cases/middleware.py redirects to the address
without it) and an empty one counts as absent:

``q``
    Search (``cases.search``): every term must be found in a case's ref,
    title, summary, place, any spelling of an involved person's name, or a
    quote the case cites. At most 200 characters and 20 terms (words or
    quoted phrases), no control characters.
``kind``
    ``detention`` or ``protest``.
``place``
    A place's slug: cases at that place or anywhere inside it.
``person``
    A person's slug, or their name in any spelling the archive records
    (``PersonName``, compared as ``names.search_key`` does): cases that involve
    them, in any role. A name is redirected to the slug (``canonical_query``);
    one that names no one, or more than one person, is refused with a message
    saying so (and, for namesakes, their identifiers).
``date_from``, ``date_to``
    In the address ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: the range runs
    from the first day ``date_from`` names to the last day ``date_to`` names,
    so ``date_to=2018`` includes 31 December 2018. ``date_from`` alone means
    that period alone (``date_from=2020-08`` is August 2020), ``date_to`` alone
    everything up to the end of its period, and ``date_to=present`` leaves the
    end open ("from 2018 on"). A box also reads dates as people write them
    (``dates.read_range``: "August 2020", "Aug 2020", "2020-8", "4 September
    2019", and a range in one box, "2018–2020", "2018 onwards"); the views
    redirect such an address to its canonical form (``canonical_query``), so
    one period has one address. A date that can be read two ways
    (``08/07/2020``) is refused with a message that says how to write it.
``date_match``
    ``overlaps`` (the default): the case's possible span (its earliest to
    latest possible day) shares a day with the range, so a case dated "2018"
    is among the cases of June to December 2018. ``within``: the case's whole
    span lies inside the range, so it is not.
``sort``
    ``newest`` (newest first; the default), ``oldest``, ``ref``, or
    ``relevance`` (best match first; the default when searching); and by a
    column of the overview table, alphabetically, the cases without a value
    last: ``kind``, ``place`` (its full name), ``people`` (the first name in
    alphabetical order), ``status``, ``sentence`` (the sentence, else the
    duration), ``authority`` (a detention's authority, a protest's outcome).
    Ties fall back to newest first, so the order is always complete.

An invalid value (a date like 2021-13-40, an unknown place or person, an
over-long search, an end before the start) makes ``is_valid()`` false and is
named in ``errors``; ``qs`` is then empty rather than silently filtered by the
other parameters alone. ``narrowed(ignore=...)`` gives the matching cases with
some filters left out, unsorted: the facets count with it.
"""

import re
import unicodedata

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import QueryDict
from django.utils.http import urlencode

from . import dates, search
from .characters import not_in_xml
from .models import Case, Detention, Involvement, Person, Place, Protest
from .names import search_key

MAX_QUERY_LENGTH = 200
MAX_DATE_LENGTH = 60
OPEN_END_WORDS = (dates.OPEN_END, "now", "today")
DATE_PARAMETERS = ("date_from", "date_to")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class DateMatch(models.TextChoices):
    OVERLAPS = "overlaps", "overlapping the dates"
    WITHIN = "within", "wholly within the dates"


class Sort(models.TextChoices):
    NEWEST = "newest", "newest first"
    OLDEST = "oldest", "oldest first"
    REF = "ref", "by reference"
    RELEVANCE = "relevance", "best match first"
    # The overview table's columns, each in alphabetical order, cases without a value last.
    KIND = "kind", "by kind"
    PLACE = "place", "by place"
    PEOPLE = "people", "by people"
    STATUS = "status", "by status"
    SENTENCE = "sentence", "by sentence or duration"
    AUTHORITY = "authority", "by authority or outcome"


def _text(*expressions):
    """The first non-blank of ``expressions``, in lower case, ascending with the cases without one last:
    the same order on SQLite and PostgreSQL for the archive's text (PostgreSQL's collation and SQLite's
    binary order agree on lower-case text; their NULLs, first or last, are put last explicitly)."""
    value = (
        Coalesce(*(NullIf(e, Value("")) for e in expressions))
        if len(expressions) > 1
        else NullIf(*expressions, Value(""))
    )
    return Lower(value).asc(nulls_last=True)


OUTCOME_SHOWN = models.Case(
    *(
        models.When(protest__outcome=value, then=Value(label))
        for value, label in Protest.Outcome.choices
        if value != Protest.Outcome.NOT_STATED
    ),
    default=None,
    output_field=models.CharField(),
)
FIRST_PERSON = Subquery(
    Involvement.objects.filter(case=OuterRef("pk"))
    .order_by(Lower("person__name"))
    .values(name=Lower("person__name"))[:1]
)
STATUS_SHOWN = NullIf(F("detention__status"), Value(Detention.Status.NOT_STATED))

NEWEST_FIRST = ("-date_latest", "-date_earliest", "ref")  # as Case.objects.newest_first(); uses case_newest_idx
ORDERINGS = {
    Sort.NEWEST: NEWEST_FIRST,
    Sort.OLDEST: ("date_earliest", "date_latest", "ref"),
    Sort.REF: ("ref",),
    Sort.RELEVANCE: ("-search_rank", *NEWEST_FIRST),  # with search.ranked's annotation
    Sort.KIND: ("kind", *NEWEST_FIRST),
    Sort.PLACE: (_text(F("place__full_name")), *NEWEST_FIRST),
    Sort.PEOPLE: (_text(FIRST_PERSON), *NEWEST_FIRST),
    Sort.STATUS: (_text(STATUS_SHOWN), *NEWEST_FIRST),
    Sort.SENTENCE: (_text(F("detention__sentence"), F("detention__duration")), *NEWEST_FIRST),
    Sort.AUTHORITY: (_text(F("detention__authority"), OUTCOME_SHOWN), *NEWEST_FIRST),
}
# The orders search_listing can apply to its rows itself (facets._sort); the others are the database's.
ROW_ORDERS = (Sort.NEWEST, Sort.OLDEST, Sort.REF, Sort.RELEVANCE)


# Form fields ---------------------------------------------------------------


def reject_control_characters(value):
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise ValidationError(
            "Remove the control characters (such as NUL, tabs or line breaks) from the search.",
            code="control_characters",
        )
    if (character := not_in_xml(value)) is not None:
        raise ValidationError(
            f"Remove the character U+{ord(character):04X} from the search: it is not a character of any text.",
            code="not_a_character",
        )


def limit_terms(value):
    count = len(search.terms(value))
    if count > search.MAX_TERMS:
        raise ValidationError(
            f"A search can have at most {search.MAX_TERMS} words or quoted phrases; this one has {count}. "
            "Quote a phrase to search it as one.",
            code="too_many_terms",
        )


class SearchField(forms.CharField):
    """Search text: stripped, at most 200 characters and 20 terms, no control characters (NUL included)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        kwargs.setdefault(
            "error_messages",
            {"max_length": "A search can be at most %(limit_value)d characters long; this one has %(show_value)d."},
        )
        super().__init__(**kwargs)
        # One message for every control character, NUL among them.
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]
        self.validators += [reject_control_characters, limit_terms]


class RecordField(forms.Field):
    """A record named by its slug; cleans to the record, or says that no such record exists."""

    widget = forms.TextInput

    def __init__(self, *, model, noun, **kwargs):
        self.model = model
        self.noun = noun
        super().__init__(**kwargs)

    def to_python(self, value):
        value = (value or "").strip().lower()
        if not value:
            return None
        # Checked before the database sees it: no NUL, no control character, no 500.
        if len(value) > 120 or not SLUG.fullmatch(value):
            raise ValidationError(
                f"This is not a {self.noun} identifier: those are lower-case letters, digits and hyphens.",
                code="invalid",
            )
        record = self.model._default_manager.filter(slug=value).first()
        if record is None:
            raise ValidationError(f"No {self.noun} in the archive has the identifier “{value}”.", code="unknown")
        return record


MAX_NAME_LENGTH = 200
NAMESAKES_LISTED = 10


class PersonField(RecordField):
    """A person named by their slug, as cited addresses write it, or by a name in any spelling the
    archive records; cleans to the person, or says why no one or more than one person is meant."""

    def __init__(self, **kwargs):
        super().__init__(model=Person, noun="person", **kwargs)

    def to_python(self, value):
        text = " ".join(str(value or "").split())
        if not text:
            return None
        if len(text) > MAX_NAME_LENGTH:
            raise ValidationError(f"A name can be at most {MAX_NAME_LENGTH} characters long.", code="invalid")
        if any(unicodedata.category(ch) == "Cc" for ch in text) or not_in_xml(text) is not None:
            raise ValidationError("Remove the control characters from the name.", code="invalid")
        if SLUG.fullmatch(text.lower()) and (person := Person.objects.filter(slug=text.lower()).first()):
            return person
        people = list(
            Person.objects.filter(names__search_key=search_key(text))
            .distinct()
            .order_by("name", "slug")[: NAMESAKES_LISTED + 1]
        )
        if not people:
            raise ValidationError(
                f"No person in the archive is named “{text}” (in any spelling it records) or has it as "
                "their identifier. Type the whole name as a person’s page writes it, or search for part of it.",
                code="unknown",
            )
        if len(people) > 1:
            listed = "; ".join(f"{person.name} ({person.slug})" for person in people[:NAMESAKES_LISTED])
            more = " and others" if len(people) > NAMESAKES_LISTED else ""
            raise ValidationError(
                f"More than one person is named “{text}”: {listed}{more}. "
                "Type the identifier in brackets to choose one.",
                code="ambiguous",
            )
        return people[0]


class DateBoundField(forms.Field):
    """A date box: a period or a range as a reader writes it (``dates.read_range``); cleans to
    (start, end), canonical, which ``CaseFilterForm.clean`` turns into the range's days."""

    widget = forms.TextInput

    def __init__(self, *, end=False, **kwargs):
        self.end = end
        super().__init__(**kwargs)

    def to_python(self, value):
        value = " ".join(str(value or "").split())
        if not value:
            return None
        if self.end and value.lower() in OPEN_END_WORDS:
            return (dates.OPEN_END, dates.OPEN_END)
        if len(value) > MAX_DATE_LENGTH:
            raise ValidationError(f"A date can be at most {MAX_DATE_LENGTH} characters long.", code="invalid")
        try:
            return dates.read_range(value)
        except dates.PeriodError as error:
            raise ValidationError(str(error), code="invalid") from None


class CaseFilterForm(forms.Form):
    """Reads the two date boxes together (module docstring); ``canonical_dates`` is how the
    address writes them, (``date_from``, ``date_to``), either None when absent."""

    canonical_dates = (None, None)

    def clean(self):
        cleaned = super().clean()
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        typed_from, typed_to = cleaned.get("date_from"), cleaned.get("date_to")
        start = end = None
        if typed_from and typed_to:
            if typed_from[0] != typed_from[1] or (typed_to[0] != typed_to[1] and typed_to[0] != dates.OPEN_END):
                self.add_error("date_to", "Write a range in one box, or its start in From and its end in To.")
                return cleaned
            start, end = typed_from[0], typed_to[1]
        elif typed_from:
            start, end = typed_from  # a period alone: that period
        elif typed_to:
            # To alone: up to the end of that period; a range typed there is that range.
            start, end = (None, typed_to[1]) if typed_to[0] == typed_to[1] else typed_to
        if start is None and end == dates.OPEN_END:
            end = None
        first = dates.parse_bound(start) if start else None
        last = dates.parse_bound(end, end=True) if end and end != dates.OPEN_END else None
        cleaned["date_from"], cleaned["date_to"] = first, last
        self.canonical_dates = (start, end)
        if first and last and last < first:
            self.add_error("date_to", "The end of the date range is before its start.")
        return cleaned


# Filters -------------------------------------------------------------------


class AppliedByFilterSet(django_filters.Filter):
    """A parameter the FilterSet applies together with others (the dates and their match; the sort)."""

    def filter(self, qs, value):
        return qs


class DateBoundFilter(AppliedByFilterSet):
    field_class = DateBoundField


class ChoiceParameter(AppliedByFilterSet):
    field_class = django_filters.fields.ChoiceField


class RecordFilter(django_filters.Filter):
    field_class = RecordField


class PersonFilter(django_filters.Filter):
    field_class = PersonField


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


def date_conditions(start, end, match):
    """The date filter as (field, "gte" or "lte", day) conditions, each end left out when open.

    ``overlaps``: the case's span ends on or after the start and begins on or
    before the end; ``within``: it begins on or after the start and ends on or
    before the end.
    """
    if match == DateMatch.WITHIN:
        conditions = [("date_earliest", "gte", start), ("date_latest", "lte", end)]
    else:
        conditions = [("date_latest", "gte", start), ("date_earliest", "lte", end)]
    return [(field, op, day) for field, op, day in conditions if day is not None]


class CaseFilter(django_filters.FilterSet):
    q = SearchFilter(label="Search", method="filter_search")
    kind = django_filters.ChoiceFilter(
        label="Kind",
        choices=Case.Kind.choices,
        error_messages={"invalid_choice": "Choose detention or protest."},
    )
    place = RecordFilter(label="Place", method="filter_place", model=Place, noun="place")
    person = PersonFilter(label="Person", method="filter_person")
    date_from = DateBoundFilter(label="From", end=False)
    date_to = DateBoundFilter(label="To", end=True)
    date_match = ChoiceParameter(
        label="Dates",
        choices=DateMatch.choices,
        error_messages={"invalid_choice": "Choose overlaps or within."},
    )
    sort = ChoiceParameter(
        label="Order",
        choices=Sort.choices,
        error_messages={
            "invalid_choice": "Choose newest, oldest, ref, relevance, kind, place, people, status, sentence or authority."
        },
    )

    class Meta:
        model = Case
        fields = []
        form = CaseFilterForm

    def __init__(self, data=None, queryset=None, **kwargs):
        # No data is an empty query: every case, newest first.
        super().__init__(data={} if data is None else data, queryset=queryset, **kwargs)

    @property
    def qs(self):
        """The matching cases in their sort order; none when the parameters are not valid."""
        if not hasattr(self, "_qs"):
            self._qs = super().qs if self.is_valid() else self.queryset.none()
        return self._qs

    def canonical_query(self):
        """The parameters with the dates and the person as the address writes them (module docstring),
        or None when they are written so already or the filter is not valid. Nothing else is changed."""
        if not self.is_valid():
            return None
        canonical = {
            name: value
            for name, value in zip(DATE_PARAMETERS, self.form.canonical_dates, strict=True)
            if value is not None
        }
        data = self.data if isinstance(self.data, QueryDict) else QueryDict(urlencode(self.data))
        person = self.form.cleaned_data.get("person")
        query = QueryDict(mutable=True)
        for name, values in data.lists():
            if name == "person" and person is not None:
                query[name] = person.slug
            elif name not in DATE_PARAMETERS:
                query.setlist(name, values)
            elif not any(key in query for key in DATE_PARAMETERS):
                # Both ends where the first was written, From first; an empty box is left as it
                # is, to the address rules, not read as a date.
                for date_name in DATE_PARAMETERS:
                    if date_name in canonical:
                        query[date_name] = canonical[date_name]
                    elif date_name in data and not any(data.getlist(date_name)):
                        query.setlist(date_name, data.getlist(date_name))
        return None if query == data else query

    def filter_queryset(self, queryset):
        return self.order(self.apply(queryset, self.form.cleaned_data))

    def narrowed(self, *, ignore=()):
        """The cases matching every valid parameter except those named in ``ignore``, unsorted."""
        if not self.is_valid():
            return self.queryset.none()
        values = {name: value for name, value in self.form.cleaned_data.items() if name not in ignore}
        return self.apply(self.queryset.all(), values).order_by()

    def apply(self, queryset, values):
        for name in ("q", "kind", "place", "person"):
            queryset = self.filters[name].filter(queryset, values.get(name))
        return self.filter_dates(queryset, values.get("date_from"), values.get("date_to"), values.get("date_match"))

    def filter_search(self, queryset, name, value):
        return search.matching(queryset, value, planned=self.search_plan(value, using=queryset.db))

    def search_plan(self, value, using="default"):
        """``search.plan`` of the search, decided once per filter however many querysets it builds."""
        planned = getattr(self, "_search_plan", None)
        if planned is None or planned[:2] != (value, using):
            self._search_plan = planned = (value, using, search.plan(value, using=using))
        return planned[2]

    def found_as_written(self, value, using="default"):
        """Tell the filter that the search, matched as written, found cases: every term is in a
        document, so its plan is ``search.as_written`` and needs no query."""
        self._search_plan = (value, using, search.as_written(value))

    def filter_place(self, queryset, name, place):
        return queryset.within_place(place)

    def filter_person(self, queryset, name, person):
        # A semi-join: one row per case however many roles the person has in it.
        return queryset.filter(pk__in=Involvement.objects.filter(person=person).values("case_id"))

    @staticmethod
    def filter_dates(queryset, start, end, match):
        """Cases whose possible span overlaps start..end, or lies within it (either end may be open)."""
        return queryset.filter(**{f"{field}__{op}": day for field, op, day in date_conditions(start, end, match)})

    @property
    def sort_order(self):
        """The order in effect: the one asked for, else best match when searching, else newest first."""
        values = self.form.cleaned_data if self.is_valid() else {}
        searching = bool(values.get("q"))
        chosen = values.get("sort")
        if chosen == Sort.RELEVANCE and not searching:
            return Sort.NEWEST
        return Sort(chosen) if chosen else (Sort.RELEVANCE if searching else Sort.NEWEST)

    def order(self, queryset):
        order = self.sort_order
        if order == Sort.RELEVANCE:
            return search.ranked(queryset, self.form.cleaned_data["q"]).order_by(*ORDERINGS[order])
        return queryset.order_by(*ORDERINGS[order])
