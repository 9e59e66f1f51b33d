from django.views.generic import TemplateView

from ..models import Case, Person, Place, Source


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["counts"] = {
            "cases": Case.objects.count(),
            "detentions": Case.objects.filter(kind=Case.Kind.DETENTION).count(),
            "protests": Case.objects.filter(kind=Case.Kind.PROTEST).count(),
            "people": Person.objects.count(),
            "places": Place.objects.count(),
            "sources": Source.objects.count(),
        }
        context["recent_cases"] = list(Case.objects.for_list().newest_first()[:5])
        return context
