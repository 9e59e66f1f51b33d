import datetime

import edtf
import pytest

from cases import dates

D = datetime.date


@pytest.mark.parametrize(
    ("value", "display", "earliest", "latest", "precision"),
    [
        ("2018", "2018", D(2018, 1, 1), D(2018, 12, 31), "year"),
        ("2020-08", "August 2020", D(2020, 8, 1), D(2020, 8, 31), "month"),
        ("2020-02", "February 2020", D(2020, 2, 1), D(2020, 2, 29), "month"),
        ("2019-09-04", "4 September 2019", D(2019, 9, 4), D(2019, 9, 4), "day"),
        # One of a set: the source allows several dates and does not say which.
        ("[2021-02-01,2021-02-02]", "1 or 2 February 2021", D(2021, 2, 1), D(2021, 2, 2), "day"),
        ("[2021-01-31,2021-02-01]", "31 January or 1 February 2021", D(2021, 1, 31), D(2021, 2, 1), "day"),
        ("[2020-12-31,2021-01-01]", "31 December 2020 or 1 January 2021", D(2020, 12, 31), D(2021, 1, 1), "day"),
        ("[2021-02-01..2021-02-05]", "between 1 and 5 February 2021", D(2021, 2, 1), D(2021, 2, 5), "day"),
        ("[2018,2019]", "2018 or 2019", D(2018, 1, 1), D(2019, 12, 31), "year"),
        # An interval: what lasted from one date to the other.
        ("2021-02-01/2021-02-05", "from 1 to 5 February 2021", D(2021, 2, 1), D(2021, 2, 5), "day"),
        ("2018/2019-03", "from 2018 to March 2019", D(2018, 1, 1), D(2019, 3, 31), "year"),
        ("2018~", "about 2018", D(2017, 1, 1), D(2019, 12, 31), "year"),
        ("2018?", "2018 (uncertain)", D(2017, 1, 1), D(2019, 12, 31), "year"),
        ("2020-08~", "about August 2020", D(2020, 7, 1), D(2020, 9, 30), "month"),
        ("2021-02-01%", "about 1 February 2021 (uncertain)", D(2021, 1, 31), D(2021, 2, 2), "day"),
    ],
)
def test_partial_date_keeps_its_precision(value, display, earliest, latest, precision):
    parsed = dates.parse(value)
    assert (parsed.edtf, parsed.display, parsed.earliest, parsed.latest, parsed.precision) == (
        value,
        display,
        earliest,
        latest,
        precision,
    )


def test_a_year_is_never_shown_as_its_first_day():
    assert "1 January" not in dates.parse("2018").display
    assert str(dates.parse("2018")) == "2018"


@pytest.mark.parametrize(
    "value",
    ["", " 2018", "2018 ", "2021-13-40", "2019-02-29", "201X", "2018/..", "../2018", "2019/2018", "18", "12018",
     "2018-6", "yesterday", "2021-02-01T10:00:00", "-2018", "{2021-02-01,2021-02-02}", "[2021-02-02,2021-02-01]",
     "[2021-02-05..2021-02-01]", "[..2021-02-01]", "[2021-02-01,2021-02-01]", "[2021-02-01..]"],
)  # fmt: skip
def test_values_the_archive_does_not_accept_are_refused_with_a_reason(value):
    with pytest.raises(dates.PartialDateError) as error:
        dates.parse(value)
    assert repr(value) in str(error.value)


def test_non_text_is_refused():
    with pytest.raises(dates.PartialDateError):
        dates.parse(2018)


def test_overlap_and_within_follow_the_possible_span():
    year = dates.parse("2018")
    june, december = D(2018, 6, 1), D(2018, 12, 31)
    assert year.overlaps(june, december)
    assert not year.within(june, december)
    assert year.within(D(2018, 1, 1), D(2018, 12, 31))
    assert not year.overlaps(D(2019, 1, 1), None)
    assert year.overlaps(None, D(2018, 1, 1))


@pytest.mark.parametrize(
    ("value", "end", "day"),
    [
        ("2018", False, D(2018, 1, 1)),
        ("2018", True, D(2018, 12, 31)),
        ("2020-02", True, D(2020, 2, 29)),
        ("2021-02-01", True, D(2021, 2, 1)),
    ],
)
def test_filter_bounds_take_the_first_or_last_day_of_what_is_named(value, end, day):
    assert dates.parse_bound(value, end=end) == day


@pytest.mark.parametrize("value", ["2021-13-40", "2018~", "2018/2019", "abc", "", "2018-02-30"])
def test_filter_bounds_accept_only_plain_dates(value):
    with pytest.raises(dates.PartialDateError):
        dates.parse_bound(value)


@pytest.mark.parametrize(
    ("value", "edtf_class", "lower", "upper"),
    [
        ("[2021-02-01,2021-02-02]", "OneOfASet", D(2021, 2, 1), D(2021, 2, 2)),
        ("[2021-02-01..2021-02-05]", "OneOfASet", D(2021, 2, 1), D(2021, 2, 5)),
        ("2021-02-01/2021-02-05", "Interval", D(2021, 2, 1), D(2021, 2, 5)),
    ],
)
def test_the_edtf_library_reads_each_form_as_the_archive_means_it(value, edtf_class, lower, upper):
    """A set is "one of these", an interval "from this to that": the edtf package parses them so."""
    node = edtf.parse_edtf(value)
    assert type(node).__name__ == edtf_class
    assert (D(*node.lower_strict()[:3]), D(*node.upper_strict()[:3])) == (lower, upper)
    parsed = dates.parse(value)
    assert (parsed.earliest, parsed.latest) == (lower, upper)


@pytest.mark.parametrize(
    ("value", "schema_org"),
    [
        ("2018", {"startDate": "2018"}),
        ("2020-08", {"startDate": "2020-08"}),
        ("2019-09-04", {"startDate": "2019-09-04"}),
        # One of two days: only the month is certain; no end, since it lasted no two days.
        ("[2021-02-01,2021-02-02]", {"startDate": "2021-02"}),
        ("[2021-01-31,2021-02-01]", {"startDate": "2021"}),
        ("[2020-12-31,2021-01-01]", {}),
        ("[2021-02-01..2021-02-05]", {"startDate": "2021-02"}),
        # A duration has both ends.
        ("2021-02-01/2021-02-05", {"startDate": "2021-02-01", "endDate": "2021-02-05"}),
        # Approximate or uncertain: nothing is certain, nothing is claimed.
        ("2022~", {}),
        ("2020-08?", {}),
        ("[2018~,2019]", {}),
        ("2018~/2019", {}),
    ],
)
def test_schema_org_dates_say_only_what_is_certain(value, schema_org):
    assert dates.parse(value).schema_org() == schema_org
