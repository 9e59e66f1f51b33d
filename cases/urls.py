from django.urls import path, re_path

from .feeds import CaseFeed
from .views import data, records
from .views.about import AboutView
from .views.home import HomeView
from .views.lists import CaseListView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    # The case list and its data, honouring the same filters.
    path("cases/", CaseListView.as_view(), name="case-list"),
    path("cases.csv", data.cases_csv, name="cases-csv"),
    path("cases.json", data.cases_json, name="cases-json"),
    path("feed/", CaseFeed(), name="feed"),
    # A case's permalink, its data and its citation files.
    path("cases/<str:ref>/", records.case_detail, name="case-detail"),
    path("cases/<str:ref>.json", data.case_json, name="case-json"),
    re_path(r"^cases/(?P<ref>[^/]+)/cite\.(?P<format>bib|ris|csl\.json)$", records.case_cite, name="case-cite"),
    path("cases/<str:ref>/<path:rest>", records.case_extra, name="case-extra"),
    # Records.
    path("people/", records.person_list, name="person-list"),
    path("people/<slug:slug>/", records.person_detail, name="person-detail"),
    path("places/", records.place_list, name="place-list"),
    path("places/<slug:slug>/", records.place_detail, name="place-detail"),
    path("sources/", records.source_list, name="source-list"),
    path("sources/<slug:slug>/", records.source_detail, name="source-detail"),
    path("sources/<slug:slug>.txt", data.source_text, name="source-text"),
    # For data users and crawlers.
    path("data/", data.DataView.as_view(), name="data"),
    path("about/", AboutView.as_view(), name="about"),
    path("data/<slug:name>.schema.json", data.schema, name="data-schema"),
    path("data/datapackage.json", data.datapackage, name="datapackage"),
    re_path(
        r"^data/archive-(?P<version>[0-9a-f]{12})\.(?P<suffix>sqlite3|csv|json|sha256)$",
        data.release_file,
        name="release-file",
    ),
    path("sitemap.xml", data.sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", data.sitemap_section, name="sitemap-section"),
    path("robots.txt", data.robots_txt, name="robots"),
]
