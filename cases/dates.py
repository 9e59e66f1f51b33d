"""Partial dates: a date stored as its source gives it, in EDTF.

A case dated "2018" is stored as the EDTF string ``2018`` with the earliest and
latest day it can mean (2018-01-01 and 2018-12-31), and shown as "2018", never
as 1 January 2018. The ``edtf`` package parses the string; this module decides
which EDTF forms the archive accepts, how wide an approximate date is and how a
date reads in English.

Accepted forms: a year, a month or a day (``2018``, ``2020-08``,
``2021-02-01``), the same qualified as approximate ``~``, uncertain ``?`` or
both ``%``; one of a set of them, when the source allows several and does not
say which (``[2021-02-01,2021-02-02]``: the 1st or the 2nd; ``[2021-02-01..2021-02-05]``:
one day of those five); and a closed interval of two of them, for what lasted
from one to the other (``2021-02-01/2021-02-05``). An interval is a duration in
EDTF: "1 or 2 February" is never written as one. Open-ended intervals and sets,
"all of" sets (``{…}``), seasons and unspecified digits are refused: no source
in the archive needs them yet, and a refusal is better than a guess.
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
    # What is certain about it, in ISO 8601 at the precision that is certain
    # ("2021-02" for "1 or 2 February 2021"): when it began and, for a
    # duration, when it ended. None when nothing is certain ("about 2022").
    certain_start: str | None = None
    certain_end: str | None = None

    def __str__(self):
        return self.display

    def schema_org(self):
        """schema.org's startDate (and endDate, for a duration), given only where they are certain."""
        dates = {"startDate": self.certain_start, "endDate": self.certain_end}
        return {name: value for name, value in dates.items() if value is not None}

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
        # Inside an interval the package wraps an unqualified end too, with no qualifier.
        qualifier = str(node.ua) if node.ua else ""
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


def _say_span(lower, upper, opening, joining):
    """Two dates and what lies between them: "from 1 to 5 February 2021", "between 2018 and March 2019"."""
    (a, pa, qa), (b, pb, qb) = lower, upper
    if not qa and not qb and pa == pb == "day" and a.year == b.year and a.month == b.month:
        return f"{opening} {a.day} {joining} {b.day} {calendar.month_name[a.month]} {a.year}"
    return f"{opening} {_say_qualified(*lower)} {joining} {_say_qualified(*upper)}"


def _say_one_of(members):
    """One of a few dates: "1 or 2 February 2021", "31 January or 1 February 2021"."""
    if all(not q and p == "day" for _, p, q in members):
        days = [first for first, _, _ in members]
        if len({(d.year, d.month) for d in days}) == 1:
            numbers = [str(d.day) for d in days]
            return f"{', '.join(numbers[:-1])} or {numbers[-1]} {calendar.month_name[days[0].month]} {days[0].year}"
        if len({d.year for d in days}) == 1:
            named = [f"{d.day} {calendar.month_name[d.month]}" for d in days]
            return f"{', '.join(named[:-1])} or {named[-1]} {days[0].year}"
    said = [_say_qualified(*member) for member in members]
    return f"{', '.join(said[:-1])} or {said[-1]}"


def _one_of(node):
    """The members of a "one of" set, each a simple date or a run (``a..b``), and how to say it."""
    if not node.objects:
        raise PartialDateError("an empty set is not a date")
    if len(node.objects) == 1 and isinstance(node.objects[0], edtf.Consecutives):
        run = node.objects[0]
        lower, upper = _bounded(run.lower), _bounded(run.upper)
        return [lower, upper], _say_span(lower, upper, "between", "and")  # one day of the run
    if len(node.objects) < 2 or any(isinstance(member, edtf.Consecutives) for member in node.objects):
        raise PartialDateError("a set is two or more dates, or one run of them (a..b)")
    members = [_bounded(member) for member in node.objects]
    if sorted(members) != members or len(set(members)) != len(members):
        raise PartialDateError("the dates of a set must be distinct and in order")
    return members, _say_one_of(members)


def _bounded(node):
    if not isinstance(node, edtf.EDTFObject):
        raise PartialDateError("open-ended sets are not accepted")
    return _simple(node)


def _iso(first, precision):
    return first.isoformat()[: {"year": 4, "month": 7, "day": 10}[precision]]


def _common_unit(earliest, latest):
    """The month or year holding every day from earliest to latest, in ISO 8601, or None."""
    if (earliest.year, earliest.month) == (latest.year, latest.month):
        return _iso(earliest, "month")
    if earliest.year == latest.year:
        return _iso(earliest, "year")
    return None


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
            certain = not lower[2] and not upper[2]
            return PartialDate(
                text,
                earliest,
                latest,
                _say_span(lower, upper, "from", "to"),  # what lasted from one to the other
                precision,
                certain_start=_iso(*lower[:2]) if certain else None,
                certain_end=_iso(*upper[:2]) if certain else None,
            )
        if isinstance(node, edtf.MultipleDates):
            raise PartialDateError("{…} means all of the dates; for one of them, not known which, write [a,b]")
        if isinstance(node, edtf.OneOfASet):
            members, display = _one_of(node)
            spans = [_span(*member) for member in members]
            earliest, latest = min(first for first, _ in spans), max(last for _, last in spans)
            if spans[-1][0] < spans[0][0]:
                raise PartialDateError("the run ends before it starts")
            precision = min((member[1] for member in members), key=PRECISIONS.index)
            certain = not any(qualifier for _, _, qualifier in members)
            within = _common_unit(earliest, latest) if certain else None
            return PartialDate(text, earliest, latest, display, precision, certain_start=within)
        first, precision, qualifier = _simple(node)
    except PartialDateError as error:
        raise PartialDateError(f"{value!r}: {error}") from None
    earliest, latest = _span(first, precision, qualifier)
    display = _say_qualified(first, precision, qualifier)
    certain = None if qualifier else _iso(first, precision)
    return PartialDate(text, earliest, latest, display, precision, certain_start=certain)


def parse_bound(value, end=False):
    """Parse a filter bound, ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, into a day.

    The start of a range takes the first day of what is named, the end its last
    day: ``date_to=2018`` means up to 31 December 2018.
    """
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise PartialDateError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    date = parse(value)
    return date.latest if end else date.earliest


# Dates as readers type them into the case list's filter -------------------------------

OPEN_END = "present"  # a range's end left open, as the address writes it: date_to=present
WRITE_DATES = (
    "Write a year, a month or a day: 2018; August 2020, Aug 2020 or 2020-08; "
    "4 September 2019 or 2019-09-04; a range as 2018–2020."
)

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): number for number, name in enumerate(calendar.month_abbr) if name}
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>[^\W\d_]+)\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_WRITTEN = [
    re.compile(rf"{_YEAR}(?:-(?P<month>\d{{1,2}})(?:-(?P<day>\d{{1,2}}))?)?"),  # 2020, 2020-8, 2020-08-04
    re.compile(rf"{_MONTH},?\s+{_YEAR}"),  # August 2020, Aug. 2020
    re.compile(rf"{_DAY}\s+{_MONTH},?\s+{_YEAR}"),  # 4 September 2019
    re.compile(rf"{_MONTH}\s+{_DAY},?\s+{_YEAR}"),  # September 4, 2019
]
# Two periods in one box: 2018–2020, 2018 - 2020, August 2020 to March 2021; "2018-2020" with a
# plain hyphen only between two years (2020-08 is a month).
_RANGE = re.compile(r"\s*(?:[–—]|\s-\s|\bto\b|\buntil\b)\s*", re.IGNORECASE)
_YEAR_RANGE = re.compile(r"(\d{4})-(\d{4})")
_OPEN_START = re.compile(r"(?:until|up to|before and in)\s+(?P<rest>.+)", re.IGNORECASE)
_OPEN_END = re.compile(
    r"(?:(?:since|from)\s+(?P<a>.+?)(?:\s+on(?:wards)?)?|(?P<b>.+?)\s*(?:onwards|on|[–—-]|(?:to|[–—-])\s*(?:present|now|today)))",
    re.IGNORECASE,
)


class PeriodError(ValueError):
    """What a reader typed is not a date the filter reads; the message says how to write one."""


def read_period(text):
    """One period as a reader writes it, in its canonical form (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``).

    Raises PeriodError, with a message that says how to write a date, for
    anything else (``08/07/2020`` too: it is 8 July in some countries and 7
    August in others).
    """
    text = " ".join(text.split())
    if re.fullmatch(r"\d{1,2}[/.]\d{1,2}[/.]\d{2,4}", text):
        raise PeriodError(
            f"“{text}” can be read two ways (day first or month first). Write the day with its month "
            "in words, such as 4 September 2019, or as year-month-day, 2019-09-04."
        )
    for pattern in _WRITTEN:
        match = pattern.fullmatch(text)
        if match:
            break
    else:
        raise PeriodError(f"“{text}” is not a date the archive can read. {WRITE_DATES}")
    parts = match.groupdict()
    month = parts.get("month")
    if month and not month.isdigit():
        if month.lower() not in _MONTHS:
            raise PeriodError(f"“{month}” is not the name of a month in English. {WRITE_DATES}")
        month = _MONTHS[month.lower()]
    canonical = parts["year"]
    if month:
        canonical += f"-{int(month):02d}"
    if parts.get("day"):
        canonical += f"-{int(parts['day']):02d}"
    try:
        parse(canonical)
    except PartialDateError:
        raise PeriodError(f"“{text}” is not a real date. {WRITE_DATES}") from None
    return canonical


def read_range(text):
    """A period or a range typed in one box: (start, end), canonical; one period gives it twice.

    ``2018–2020`` gives ("2018", "2020"); ``2018 onwards`` ("2018", OPEN_END);
    ``until 2019`` (None, "2019"). Raises PeriodError as ``read_period``.
    """
    text = " ".join(text.split())
    if match := _YEAR_RANGE.fullmatch(text):
        return read_period(match[1]), read_period(match[2])
    if match := _OPEN_START.fullmatch(text):
        return None, read_period(match["rest"])
    if match := _OPEN_END.fullmatch(text):
        return read_period(match["a"] or match["b"]), OPEN_END
    parts = _RANGE.split(text)
    if len(parts) == 2:
        return read_period(parts[0]), read_period(parts[1])
    if len(parts) > 2:
        raise PeriodError(f"“{text}” names more than two dates. {WRITE_DATES}")
    period = read_period(text)
    return period, period
