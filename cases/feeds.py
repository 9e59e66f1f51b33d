"""The Atom feed of cases, honouring the case list's filters: subscribe to "cases in Almaty".

Entries are ordered by when the archive published them, newest first, so a
newly added case about 2018 reaches subscribers as surely as one about last
week; the list's own ``sort`` does not apply, and is left out of the feed's
address. Each entry's id is the case's permalink, which never changes, and its
``updated`` is the day the record last changed.

The feed's own id (and its self link) is written from the filters in effect,
normalised as the list's links are: the same filters in another order, with an
empty or unknown parameter, a ``sort`` or a default ``date_match``, are the
same feed, so a reader does not take them for another subscription.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from .exports import filter_cases, filter_error_response
from .filters import DateMatch
from .models import Fact
from .permalinks import absolute_url

# Entries in one feed document: enough to cover the gap between a reader's
# visits, few enough to keep the document small.
FEED_ENTRIES = 50


def _midnight(day):
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


@dataclass
class _Subscription:
    """One request's feed: the filtered cases and how to write addresses."""

    filterset: object
    absolute: Callable[[str], str]
    query: str


class CaseFeed(Feed):
    feed_type = Atom1Feed
    language = "en"

    def __call__(self, request, *args, **kwargs):
        from .views.lists import canonical_redirect

        filterset = filter_cases(request)
        if redirect := canonical_redirect(request, filterset):
            return redirect
        if not filterset.is_valid():
            return filter_error_response(filterset)
        request.case_filterset = filterset
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request):
        base = absolute_url(request, "/").removesuffix("/")
        query = subscription_query(request.case_filterset).urlencode()
        return _Subscription(request.case_filterset, lambda path: f"{base}{path}", f"?{query}" if query else "")

    def items(self, subscription):
        cases = list(
            subscription.filterset.qs.for_list().order_by("-created", "-modified", "-date_latest", "ref")[:FEED_ENTRIES]
        )
        facts = Fact.objects.filter(case__in=cases).exclude(field="case").select_related("according_to")
        by_case = {}
        for fact in facts.order_by("case", "field"):
            by_case.setdefault(fact.case_id, []).append(fact)
        for case in cases:
            case.feed_link = subscription.absolute(case.get_absolute_url())
            case.feed_facts = by_case.get(case.pk, [])
        return cases

    def title(self, subscription):
        return f"{settings.ARCHIVE_NAME}: {describe(subscription.filterset)}"

    def subtitle(self, subscription):
        return "New and updated records of detentions and protests, every fact linked to its source."

    def link(self, subscription):
        return subscription.absolute(reverse("case-list")) + subscription.query

    def feed_url(self, subscription):
        return subscription.absolute(reverse("feed")) + subscription.query

    def feed_guid(self, subscription):
        return self.feed_url(subscription)

    def author_name(self):
        return settings.ARCHIVE_NAME

    def feed_copyright(self):
        return (
            f"Records: {settings.ARCHIVE_DATA_LICENCE} ({settings.ARCHIVE_DATA_LICENCE_URL}). "
            "Quoted source texts remain their publishers' copyright."
        )

    def item_title(self, case):
        return f"{case.title} ({case.date_display})"

    def item_description(self, case):
        people = "; ".join(f"{i.person.name} ({i.get_role_display()})" for i in case.involvements.all())
        bases = format_html_join(
            "", "<li>{}: {}</li>", ((f.get_field_display().capitalize(), f.description) for f in case.feed_facts)
        )
        return format_html(
            "<p>{} · {} · {}</p><p>{}</p>{}<p>How the archive knows each fact:</p><ul>{}</ul>",
            case.get_kind_display().capitalize(),
            case.date_display,
            case.place.full_name,
            case.summary,
            format_html("<p>People: {}</p>", people) if people else "",
            bases,
        )

    def item_link(self, case):
        return case.feed_link

    def item_guid(self, case):
        return case.feed_link

    def item_guid_is_permalink(self, case):
        return True

    def item_pubdate(self, case):
        return _midnight(case.created)

    def item_updateddate(self, case):
        return _midnight(case.modified)

    def item_categories(self, case):
        return [case.kind, case.place.name]


def subscription_query(filterset):
    """The filters that decide which cases the feed holds, in the list's order of parameters."""
    from .views.lists import active_query

    query = active_query(filterset)
    query.pop("sort", None)
    dated = "date_from" in query or "date_to" in query
    if not dated or query.get("date_match") == DateMatch.OVERLAPS:
        query.pop("date_match", None)
    return query


def describe(filterset):
    """The filters in words, for the feed's title: "cases (Place: Almaty, Kazakhstan; Kind: protest)"."""
    from .views.lists import active_filters, active_query, in_words

    return in_words(active_filters(filterset, active_query(filterset)))
