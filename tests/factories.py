"""Small factories for tests that need records other than the article's.

Each builds a valid record with sensible defaults and derived columns filled
the way the loader fills them; pass keyword arguments to change what matters
to the test.
"""

import datetime
import hashlib
import itertools

from cases.models import (
    Case,
    Citation,
    DataLoad,
    Detention,
    Involvement,
    Person,
    PersonName,
    Place,
    PlaceName,
    Protest,
    Quote,
    Source,
)
from cases.names import search_key, stored_keys
from cases.search import index_cases

_counter = itertools.count(1)
TODAY = datetime.date(2026, 11, 27)


def _n():
    return next(_counter)


def records_changed():
    """Drop what a load derived from the records it wrote (the list's facet counts, the records' versions).

    A load writes them in the transaction that writes the records; a record a
    test adds or changes after it would make them stale, so the site counts
    afresh and names every page by the latest load, as for a database filled
    without a load.
    """
    DataLoad.objects.update(facets={})
    for model in (Case, Person, Place, Source):
        model.objects.update(changed_in=None)


def make_ref(n=None):
    """A valid ref that does not collide with the article's refs."""
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    n = _n() if n is None else n
    digits = []
    for _ in range(5):
        n, rest = divmod(n, 32)
        digits.append(alphabet[rest])
    return "z" + "".join(reversed(digits))


def make_source(text="A source text. It says what happened.", **fields):
    n = _n()
    source = Source(
        slug=fields.pop("slug", f"source-{n}"),
        title=fields.pop("title", f"Source {n}"),
        publisher=fields.pop("publisher", "A publisher"),
        language=fields.pop("language", "en"),
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        modified=fields.pop("modified", TODAY),
        **fields,
    )
    source.set_partial_date("published", fields.pop("published", "2021-02-01"))
    source.save()
    records_changed()
    return source


def make_quote(source=None, exact=None, **fields):
    source = source or make_source()
    exact = exact or source.text.split(".")[0]
    start = source.text.index(exact)
    number = fields.pop("number", (source.quotes.count() + 1))
    quote = Quote.objects.create(
        source=source, number=number, exact=exact, start=start, end=start + len(exact), **fields
    )
    records_changed()
    return quote


def make_place(name=None, parent=None, kind=Place.Kind.CITY, **fields):
    n = _n()
    name = name or f"Place {n}"
    place = Place.objects.create(
        slug=fields.pop("slug", f"place-{n}"),
        name=name,
        kind=kind,
        parent=parent,
        modified=fields.pop("modified", TODAY),
        **fields,
    )
    place.derive_tree_fields()
    place.save(update_fields=["depth", "full_name", "path"])
    PlaceName.objects.create(place=place, name=name, kind=PlaceName.Kind.CANONICAL, search_keys=stored_keys(name))
    records_changed()
    return place


def make_person(name=None, spellings=(), **fields):
    n = _n()
    name = name or f"Person {n}"
    person = Person.objects.create(
        slug=fields.pop("slug", f"person-{n}"), name=name, modified=fields.pop("modified", TODAY), **fields
    )
    PersonName.objects.create(
        person=person,
        name=name,
        kind=PersonName.Kind.CANONICAL,
        search_key=search_key(name),
        search_keys=stored_keys(name),
    )
    for spelling in spellings:
        PersonName.objects.create(
            person=person,
            name=spelling,
            kind=PersonName.Kind.ALIAS,
            search_key=search_key(spelling),
            search_keys=stored_keys(spelling),
        )
    records_changed()
    return person


def make_case(kind=Case.Kind.DETENTION, date="2020-08", place=None, people=(), quote=None, **fields):
    """A case with its details and one citation per shown fact; ``people`` is [(person, role), ...]."""
    n = _n()
    case = Case(
        ref=fields.pop("ref", None) or make_ref(),
        kind=kind,
        title=fields.pop("title", f"Case {n}"),
        summary=fields.pop("summary", f"What happened in case {n}."),
        place=place or make_place(),
        created=fields.pop("created", TODAY),
        modified=fields.pop("modified", TODAY),
    )
    case.set_partial_date("date", date)
    case.save()
    quote = quote or make_quote()
    if kind == Case.Kind.DETENTION:
        Detention.objects.create(case=case, **fields.pop("details", {}))
    else:
        Protest.objects.create(case=case, **{"form": Protest.Form.PICKET, **fields.pop("details", {})})
    for person, role in people:
        Involvement.objects.create(case=case, person=person, role=role).quotes.add(quote)
    Citation.objects.bulk_create(Citation(case=case, field=f, quote=quote) for f in ("case", "date", "place"))
    # Derived for the case search, as the loader derives it: call again after adding people or quotes.
    index_cases([case.pk])
    records_changed()
    return case
