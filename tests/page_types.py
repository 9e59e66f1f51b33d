"""Every page type a reader meets, by name, with an address in the article's data.

The accessibility, HTML-validity, phone and keyboard tests are parametrised over
this table, so a new page type is covered everywhere by adding one line here.
Each address needs the article's fixture (``fixtures/archive.json``) loaded.
"""

from dataclasses import dataclass

# Reached by keyboard on every page: the main navigation.
NAVIGATION = ("nav[aria-label='Main'] a[href='/cases/']",)


@dataclass(frozen=True)
class PageType:
    name: str
    path: str
    status: int = 200
    # CSS selectors of the page's main controls: the keyboard test tabs to each of them.
    controls: tuple = ()

    def __str__(self):
        return self.name


PAGE_TYPES = [
    PageType("home", "/", controls=("#home-q", "form[role='search'] button", "main .case-title a")),
    PageType(
        "list",
        "/cases/",
        controls=("#f-q", "#f-date_from", "#f-date_to", "form.case-filters button", ".facet a", "main .case-title a"),
    ),
    PageType(
        "list-table",
        "/cases/?view=table&sort=place",
        controls=("#f-person", ".overview thead a", ".overview-scroll", ".basis-mark a", ".facet a"),
    ),
    PageType("list-400", "/cases/?date_from=2021-13-40", status=400, controls=("#f-date_from", ".error-summary a")),
    PageType("case", "/cases/ha3c3r/", controls=("a.passage-link", ".cite-files a")),
    PageType("person", "/people/baibolat-kunbolat/", controls=(".names a", "main .record-list a")),
    PageType("place", "/places/almaty/", controls=("main a[href='/cases/ha3c3r/']",)),
    PageType("source", "/sources/kazakh-anti-communist-heats-up-again/", controls=(".quote-ref", ".passages a")),
    PageType("data", "/data/"),
    PageType("about", "/about/", controls=("main a[href='/data/#bases']",)),
    PageType("404", "/no/such/page/", status=404, controls=("#notfound-q", "main a[href='/']")),
]

PAGES = {page.name: page for page in PAGE_TYPES}
