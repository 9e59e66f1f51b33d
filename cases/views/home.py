from django.views.generic import TemplateView

from .. import pages
from ..models import Case, DataLoad, Person, Place, Source

COUNTED = ("cases", "detentions", "protests", "people", "places", "sources")


def archive_counts():
    """How many records of each kind the archive holds: as the latest load counted them, in one query.

    The data changes only when a load writes it, in one transaction with its
    DataLoad, so those counts are exact; counting 100,000 cases on every visit
    is not. Counted here only when no load has counted them (a database filled
    some other way, as in tests).
    """
    counts = DataLoad.objects.order_by("-loaded_at", "-pk").values_list("counts", flat=True).first() or {}
    if all(isinstance(counts.get(name), int) for name in COUNTED):
        return {name: counts[name] for name in COUNTED}
    return {
        "cases": Case.objects.count(),
        "detentions": Case.objects.filter(kind=Case.Kind.DETENTION).count(),
        "protests": Case.objects.filter(kind=Case.Kind.PROTEST).count(),
        "people": Person.objects.count(),
        "places": Place.objects.count(),
        "sources": Source.objects.count(),
    }


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        recent = Case.objects.for_list().newest_first()[:RECENT]
        return {**context, "counts": archive_counts(), "recent_cases": [pages.case_row(case) for case in recent]}


RECENT = 5
