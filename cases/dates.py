"""Partial dates: a date stored as its source gives it, in EDTF.

A case dated "2018" is stored as the EDTF string ``2018`` with the earliest and
latest day it can mean (2018-01-01 and 2018-12-31), and shown as "2018", never
as 1 January 2018. The ``edtf`` package parses the string; this module decides
which EDTF forms the archive accepts, how wide an approximate date is and how a
date reads in English.

Accepted forms: a year, a month or a day (``2018``, ``2020-08``,
``2021-02-01``), the same qualified as approximate ``~``, uncertain ``?`` or
both ``%``, and a closed interval of two of them (``2021-02-01/2021-02-02``).
Open-ended intervals, seasons, sets and unspecified digits are refused: no
source in the archive needs them yet, and a refusal is better than a guess.
"""

import calendar
import datetime
import functools
import re
from dataclasses import dataclass

import edtf
from dateutil.relativedelta import relativedelta


class PartialDateError(ValueError):
    """The value is not an EDTF date the archive accepts."""


PRECISIONS = ("year", "month", "day")


@dataclass(frozen=True)
class PartialDate:
    """One parsed partial date: its EDTF text, its span in days and how to say it."""

    edtf: str
    earliest: datetime.date
    latest: datetime.date
    display: str
    precision: str

    def __str__(self):
        return self.display

    def overlaps(self, start, end):
        """True when this date's possible span shares a day with start..end (None = open)."""
        return (end is None or self.earliest <= end) and (start is None or self.latest >= start)

    def within(self, start, end):
        """True when this date's whole possible span lies inside start..end (None = open)."""
        return (start is None or self.earliest >= start) and (end is None or self.latest <= end)


def _simple(node):
    """Return (date, precision, qualifier) for an edtf Date or qualified Date."""
    qualifier = ""
    if isinstance(node, edtf.UncertainOrApproximate):
        qualifier = str(node.ua)
        node = node.date
    if type(node) is not edtf.Date or node.precision not in PRECISIONS:
        raise PartialDateError("only a year, a month or a day, optionally qualified with ~, ? or %, is accepted")
    if any(ch in str(node) for ch in "XuU"):
        raise PartialDateError("unspecified digits (X) are not accepted")
    year = int(node.year)
    if not 1 <= year <= 9999:
        raise PartialDateError("the year must lie between 1 and 9999")
    if not 1 <= len(node.year) <= 4 or node.year.startswith("-"):
        raise PartialDateError("the year must have four digits")
    month = int(node.month) if node.precision != "year" else 1
    day = int(node.day) if node.precision == "day" else 1
    try:
        first = datetime.date(year, month, day)
    except ValueError as error:
        raise PartialDateError(f"not a real date: {error}") from None
    return first, node.precision, qualifier


def _span(first, precision, qualifier):
    """The earliest and latest day a simple date can mean.

    An approximate or uncertain date widens by one unit of its own precision
    each way ("2018~" may be 2017 to 2019). The edtf package's own fuzzy
    bounds are not used: they pad by fixed amounts that do not follow the
    date's precision (a day-precision "2021-02-01~" would span two years).
    """
    if precision == "year":
        last = datetime.date(first.year, 12, 31)
        step = relativedelta(years=1)
    elif precision == "month":
        last = datetime.date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
        step = relativedelta(months=1)
    else:
        last = first
        step = relativedelta(days=1)
    if qualifier:
        try:
            first = first - step
            last = (last + relativedelta(days=1) + step) - relativedelta(days=1)
        except (OverflowError, ValueError):
            raise PartialDateError("an approximate date cannot lie at the end of the calendar") from None
    return first, last


def _say(first, precision):
    if precision == "year":
        return str(first.year)
    if precision == "month":
        return f"{calendar.month_name[first.month]} {first.year}"
    return f"{first.day} {calendar.month_name[first.month]} {first.year}"


_QUALIFIED = {"~": "about {}", "?": "{} (uncertain)", "%": "about {} (uncertain)"}


def _say_qualified(first, precision, qualifier):
    text = _say(first, precision)
    return _QUALIFIED[qualifier].format(text) if qualifier else text


def _say_interval(lower, upper):
    (a, pa, qa), (b, pb, qb) = lower, upper
    if not qa and not qb and pa == pb == "day" and (b - a).days == 1:
        # One day of two: the usual way a source's "today" is pinned down.
        if a.month == b.month:
            return f"{a.day} or {b.day} {calendar.month_name[a.month]} {a.year}"
        return f"{_say(a, 'day')} or {_say(b, 'day')}"
    if not qa and not qb and pa == pb == "day" and a.year == b.year and a.month == b.month:
        return f"between {a.day} and {b.day} {calendar.month_name[a.month]} {a.year}"
    return f"between {_say_qualified(*lower)} and {_say_qualified(*upper)}"


def parse(value):
    """Parse an EDTF string into a PartialDate, or raise PartialDateError saying why."""
    if not isinstance(value, str):
        raise PartialDateError(f"{value!r} is not text")
    return _parse_text(value)


# Parsing with the edtf package takes milliseconds, and the same few strings come back on
# every page that filters by date: remember the answers (a PartialDate is immutable).
@functools.lru_cache(maxsize=4096)
def _parse_text(value):
    text = value.strip()
    if text != value or not text:
        raise PartialDateError(f"{value!r} is not an EDTF date (empty, or with spaces around it)")
    try:
        node = edtf.parse_edtf(text)
    except Exception:
        # The edtf package raises its own EDTFParseException, and TypeError or
        # ValueError on some malformed inputs; all mean the same to a curator.
        raise PartialDateError(f"{value!r} is not an EDTF date") from None
    try:
        if isinstance(node, edtf.Interval):
            if not isinstance(node.lower, edtf.EDTFObject) or not isinstance(node.upper, edtf.EDTFObject):
                raise PartialDateError("open-ended intervals are not accepted")
            lower, upper = _simple(node.lower), _simple(node.upper)
            earliest, _ = _span(*lower)
            _, latest = _span(*upper)
            if _span(*upper)[0] < _span(*lower)[0] or latest < earliest:
                raise PartialDateError("the interval ends before it starts")
            precision = lower[1] if PRECISIONS.index(lower[1]) <= PRECISIONS.index(upper[1]) else upper[1]
            return PartialDate(text, earliest, latest, _say_interval(lower, upper), precision)
        first, precision, qualifier = _simple(node)
    except PartialDateError as error:
        raise PartialDateError(f"{value!r}: {error}") from None
    earliest, latest = _span(first, precision, qualifier)
    return PartialDate(text, earliest, latest, _say_qualified(first, precision, qualifier), precision)


def parse_bound(value, end=False):
    """Parse a filter bound, ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, into a day.

    The start of a range takes the first day of what is named, the end its last
    day: ``date_to=2018`` means up to 31 December 2018.
    """
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise PartialDateError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    date = parse(value)
    return date.latest if end else date.earliest
