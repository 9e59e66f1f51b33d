"""Every page of the site, found from the URL resolver, with real arguments from the loaded data.

Tests that must hold on every page (headers, refused writes, bad input, the
read-only role) take their list from here, so a route added to cases/urls.py is
covered without anyone remembering to add it. A route with a parameter not
known below fails those tests with a message saying what to add.
"""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import Case, DataLoad, Person, Place, Source

# The answer a built page gives for the sample arguments; anything else is 200.
EXPECTED_STATUS = {"case-extra": 301}
CITATION_FORMATS = ("bib", "ris", "csl.json")
# Parameters that do not name a record: the citation formats, the tail of a
# case's address, a dataset schema's name, a sitemap section, a release file's type.
FIXED_SAMPLES = {
    "format": CITATION_FORMATS,
    "rest": ["a-title-that-was-in-the-link/"],
    "name": ["case", "cases"],
    "section": ["cases"],
    "suffix": ["sqlite3", "csv", "json", "sha256"],
}


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    expected_status: int


def _patterns(resolver=None):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern


def url_names():
    """The name of every named route, in the order they are declared."""
    return [pattern.name for pattern in _patterns()]


def parameters(name):
    """The path parameters of the route called ``name``."""
    for pattern in _patterns():
        if pattern.name == name:
            return list(pattern.pattern.regex.groupindex)
    raise LookupError(name)


def _sample_values(name, parameter):
    """Values for one path parameter of a route: records that exist in the loaded data."""
    if parameter == "ref":
        return [Case.objects.order_by("ref").values_list("ref", flat=True).first()]
    if parameter == "slug":
        model = {"person": Person, "place": Place, "source": Source}.get(name.split("-")[0])
        if model is not None:
            return [model.objects.order_by("slug").values_list("slug", flat=True).first()]
    if parameter == "version":
        return [DataLoad.objects.order_by("-loaded_at").values_list("fixture_sha256", flat=True).first()[:12]]
    if parameter in FIXED_SAMPLES:
        return list(FIXED_SAMPLES[parameter])
    raise LookupError(f"tests/pages.py has no sample value for {parameter!r} of the route {name!r}: add one")


def pages_for(name):
    """Every concrete URL of the route ``name``, for the data loaded now (the article's)."""
    urls = [{}]
    for parameter in parameters(name):
        values = _sample_values(name, parameter)
        if values == [None]:
            raise LookupError(f"no record to build {name!r} with: load the article first")
        urls = [{**kwargs, parameter: value} for kwargs in urls for value in values]
    pages = []
    for kwargs in urls:
        url = reverse(name, kwargs=kwargs)
        pages.append(Page(name, url, EXPECTED_STATUS.get(name, 200)))
    return pages


def every_page():
    return [page for name in url_names() for page in pages_for(name)]
