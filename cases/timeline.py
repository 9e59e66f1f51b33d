"""Cases over time: counts per year, or per month over a short range, drawn as an SVG timeline.

A case's date is a span of days (its earliest and latest possible day), so a
case counts in every period its span touches: a case known only to the year
2018 counts in each month of 2018 and spans the whole year on a monthly
timeline; "1 or 2 February 2021" counts in February 2021. Each period's bar
shows two figures, each the count of the case list its link opens:

- the cases whose date touches the period (``date_from=P&date_to=P``, the
  list's default "overlapping the dates"), drawn in a light colour;
- of those, the cases dated wholly within the period (the same with
  ``date_match=within``), drawn solid over it. The light part above is the
  cases whose date is known only to a wider period that includes this one.

The counts are grouped by the database, by the first and last month of each
case's span: one query, however many cases there are.
"""

from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Func, IntegerField
from django.urls import reverse

from .filters import DateMatch

# A range of at most this many years is drawn month by month, a longer one year by year.
MONTHLY_UP_TO_YEARS = 4
MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# The drawing, in the SVG's own units (it scales to the width it is given).
WIDTH = 720
PLOT_TOP = 16
PLOT_HEIGHT = 150
AXIS_LEFT = 44
AXIS_RIGHT = 8
LABEL_GAP = 40  # the least room, in units, between two labels of the time axis


class MonthNumber(Func):
    """The months since the year 0 of a date column (year × 12 + month − 1), read from the stored ISO
    text on SQLite (no Python function per row)."""

    arity = 1
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"CAST(EXTRACT(year FROM {sql}) * 12 + EXTRACT(month FROM {sql}) - 1 AS integer)",
            (*params, *params),
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(CAST(substr({sql}, 1, 4) AS integer) * 12 + CAST(substr({sql}, 6, 2) AS integer) - 1)",
            (*params, *params),
        )


@dataclass
class Period:
    key: str  # as the address writes it: "2018", "2020-08"
    label: str  # as a reader reads it: "2018", "August 2020"
    touching: int  # cases whose date touches the period
    within: int  # cases dated wholly within it
    touching_href: str
    within_href: str
    # The drawing: the bar's left edge and width, and the top of each of its two parts.
    x: float = 0
    width: float = 0
    touching_y: float = 0
    touching_height: float = 0
    within_y: float = 0
    within_height: float = 0


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class Timeline:
    monthly: bool
    periods: list
    ticks: list  # labels of the time axis
    count_ticks: list  # labels of the count axis: (y, count)
    first: str  # the first and last period, as read
    last: str
    width: int = WIDTH
    height: int = PLOT_TOP + PLOT_HEIGHT + 34
    plot_top: int = PLOT_TOP
    plot_bottom: int = PLOT_TOP + PLOT_HEIGHT
    axis_left: int = AXIS_LEFT
    axis_right: int = WIDTH - AXIS_RIGHT

    @property
    def total_within(self):
        return sum(period.within for period in self.periods)


def list_href(params, **dates):
    """The case list's address for ``params`` (the page's own filter) and the given dates."""
    query = {name: value for name, value in {**params, **dates}.items() if value}
    return f"{reverse('case-list')}?{urlencode(query)}"


def cases_over_time(cases, params=None):
    """The Timeline of ``cases`` (a queryset, the list's filter applied), or None when there are none.

    ``params`` are the case list parameters that select the same cases
    (``{"place": "almaty"}``); every link carries them with its dates.
    """
    params = params or {}
    months = list(
        cases.order_by().values_list(MonthNumber("date_earliest"), MonthNumber("date_latest")).annotate(n=Count("pk"))
    )
    if not months:
        return None
    first = min(row[0] for row in months) // 12
    last = max(row[1] for row in months) // 12
    monthly = last - first + 1 <= MONTHLY_UP_TO_YEARS
    if monthly:
        # Whole years, so that a case known to the year shows across its year.
        spans, first, last = months, first * 12, last * 12 + 11
    else:
        spans = Counter()
        for start, end, n in months:
            spans[start // 12, end // 12] += n
        spans = [(start, end, n) for (start, end), n in spans.items()]
    touching, within = Counter(), Counter()
    for start, end, n in spans:
        for number in range(start, end + 1):
            touching[number] += n
        if start == end:
            within[start] += n
    periods = []
    for number in range(first, last + 1):
        key, label = _name(number, monthly)
        periods.append(
            Period(
                key=key,
                label=label,
                touching=touching[number],
                within=within[number],
                touching_href=list_href(params, date_from=key, date_to=key),
                within_href=list_href(params, date_from=key, date_to=key, date_match=DateMatch.WITHIN.value),
            )
        )
    return _draw(periods, monthly)


def _name(number, monthly):
    if not monthly:
        return str(number), str(number)
    year, month = divmod(number, 12)
    return f"{year:04d}-{month + 1:02d}", f"{MONTH_NAMES[month]} {year}"


def _draw(periods, monthly):
    """Place each period's bar and the labels of both axes."""
    span = WIDTH - AXIS_RIGHT - AXIS_LEFT
    step = span / len(periods)
    gap = min(2.0, step * 0.2)
    most = max(period.touching for period in periods) or 1
    bottom = PLOT_TOP + PLOT_HEIGHT

    def height(count):
        return PLOT_HEIGHT * count / most

    for index, period in enumerate(periods):
        period.x = round(AXIS_LEFT + index * step + gap / 2, 2)
        period.width = round(step - gap, 2)
        period.touching_height = round(height(period.touching), 2)
        period.touching_y = round(bottom - period.touching_height, 2)
        period.within_height = round(height(period.within), 2)
        period.within_y = round(bottom - period.within_height, 2)
    ticks = []
    if monthly:
        # Each year at its January; the months between when there is room for them.
        every = next(n for n in (1, 2, 3, 6, 12) if step * n >= LABEL_GAP)
        for index, period in enumerate(periods):
            month = index % 12
            if month % every == 0:
                label = period.key[:4] if month == 0 else MONTH_ABBREVIATIONS[month]
                ticks.append(Tick(round(AXIS_LEFT + index * step + step / 2, 2), label))
    else:
        every = next(n for n in (1, 2, 5, 10, 20, 50, 100) if step * n >= LABEL_GAP)
        for index, period in enumerate(periods):
            if int(period.key) % every == 0 or len(periods) == 1:
                ticks.append(Tick(round(AXIS_LEFT + index * step + step / 2, 2), period.key))
    count_ticks = [(bottom, 0), (PLOT_TOP, most)]
    if most >= 4:
        count_ticks.insert(1, (round(bottom - height(most // 2), 2), most // 2))
    return Timeline(
        monthly=monthly,
        periods=periods,
        ticks=ticks,
        count_ticks=count_ticks,
        first=periods[0].label,
        last=periods[-1].label,
    )
