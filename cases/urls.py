from django.urls import path, re_path

from .views.home import HomeView
from .views.lists import CaseListView
from .views.pending import not_built_yet

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    # The case list and its data, honouring the same filters.
    path("cases/", CaseListView.as_view(), name="case-list"),
    path("cases.csv", not_built_yet, name="cases-csv"),
    path("cases.json", not_built_yet, name="cases-json"),
    path("feed/", not_built_yet, name="feed"),
    # A case's permalink, its data and its citation files.
    path("cases/<str:ref>/", not_built_yet, name="case-detail"),
    path("cases/<str:ref>.json", not_built_yet, name="case-json"),
    re_path(r"^cases/(?P<ref>[^/]+)/cite\.(?P<format>bib|ris|csl\.json)$", not_built_yet, name="case-cite"),
    path("cases/<str:ref>/<path:rest>", not_built_yet, name="case-extra"),
    # Records.
    path("people/", not_built_yet, name="person-list"),
    path("people/<slug:slug>/", not_built_yet, name="person-detail"),
    path("places/", not_built_yet, name="place-list"),
    path("places/<slug:slug>/", not_built_yet, name="place-detail"),
    path("sources/", not_built_yet, name="source-list"),
    path("sources/<slug:slug>/", not_built_yet, name="source-detail"),
    # For data users and crawlers.
    path("data/", not_built_yet, name="data"),
    path("sitemap.xml", not_built_yet, name="sitemap"),
    path("robots.txt", not_built_yet, name="robots"),
]
