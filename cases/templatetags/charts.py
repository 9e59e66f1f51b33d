"""``{% case_charts %}``: the timeline and the map of the cases a page is about.

A page passes what it already has, a place's or a person's slug, or nothing
for the whole archive; the tag gathers the counts itself (a bounded number of
queries, cases.timeline and cases.maps) and renders ``cases/_charts.html``.
"""

from django import template

from ..filters import CaseFilter
from ..maps import places_map
from ..models import Case
from ..timeline import cases_over_time

register = template.Library()


@register.inclusion_tag("cases/_charts.html")
def case_charts(place=None, person=None):
    """The charts of the cases at ``place`` (a slug, with the places inside it), of ``person`` (a slug),
    or of every case."""
    params = {key: value for key, value in {"place": place, "person": person}.items() if value}
    case_filter = CaseFilter(data=params, queryset=Case.objects.all())
    if not case_filter.is_valid():
        return {"timeline": None, "map": None}
    cases = case_filter.narrowed()
    timeline = cases_over_time(cases, params)
    if timeline is None:  # no cases: nothing to draw, nothing more to ask
        return {"timeline": None, "map": None}
    return {"timeline": timeline, "map": places_map(cases, params, within=case_filter.form.cleaned_data.get("place"))}
