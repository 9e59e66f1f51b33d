"""The people and places a search names, shown above the cases it finds, and near spellings when it finds nothing.

``named(query, refs)`` looks every term up in the spellings' keys (``PersonName``
and ``PlaceName.search_keys``: as written, and in Latin letters), as the case
search does: a term matches a spelling holding it or its Latin key. It reads
only the people of the cases ``refs`` (the page shown: a person or place the
search names has its cases first, ranked by name) and the places they lie in
and under, so it costs the same however large the archive. A person or place is
shown when one of its spellings holds the most of the query's terms, with that
spelling ("matched Кунболат"): the one that holds them as written when there
is one, else the shortest. Three queries, whatever the query.

``near_spellings(query)`` is the "did you mean": the known spellings closest to
the query's longer terms, compared by their Latin keys, one for each person or place.
Candidates are the spellings sharing a few three-letter runs with a term (read
by the same substring tests, so by a trigram index on PostgreSQL; on SQLite a
read of every spelling, only when a search found nothing); the closest are
chosen in Python, so both databases suggest the same. Two queries.
"""

import difflib
import operator
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When

from .models import Case as CaseModel
from .models import PersonName, PlaceName, path_ids
from .names import latin_key
from .search import _balanced, terms

SHOWN = 8  # people or places shown above the cases, each
CANDIDATES = 200  # spellings read to choose them from (a page's people and places have fewer)
NEAR_MIN_LENGTH = 4  # a shorter term is near too many spellings to suggest any
NEAR_RUNS = 6  # three-letter runs of a term a candidate must share one of
NEAR_CUTOFF = 0.7  # how close a suggestion must be (difflib's ratio of the Latin keys)
NEAR_SHOWN = 5


@dataclass
class Match:
    record: object  # the Person or Place
    spelling: str  # the stored spelling that matched, as attested or as the editors give it
    kind: str  # "person" or "place"
    language: str  # the spelling's BCP 47 tag, blank when not known


def _forms(term):
    return [form for form in dict.fromkeys((term, term.key)) if form]


def _holds(term):
    return _balanced([Q(search_keys__contains=form) for form in _forms(term)], operator.or_)


def named(query, refs):
    """The people and places of the cases ``refs`` whose spellings hold the most of ``query``'s terms, each with
    its best spelling."""
    found = terms(query)
    if not found or not refs:
        return []
    score = _balanced(
        [Case(When(_holds(term), then=Value(1)), default=Value(0), output_field=IntegerField()) for term in found],
        operator.add,
    )
    paths = CaseModel.objects.filter(ref__in=refs).values_list("place__path", flat=True)
    places = {pk for path in paths for pk in path_ids(path or "")}
    owners = (
        (PersonName.objects.filter(person__involvements__case__ref__in=refs).distinct(), "person"),
        (PlaceName.objects.filter(place_id__in=places), "place"),
    )
    rows = []
    for names, owner in owners:
        spellings = (
            names.annotate(score=score)
            .filter(score__gt=0)
            .select_related(owner)
            .only("name", "language", "search_keys", f"{owner}__slug", f"{owner}__name", f"{owner}__kind")
            .order_by("-score", "pk")[:CANDIDATES]
        )
        for spelling in spellings:
            written = (spelling.search_keys.splitlines() or [""])[0]
            as_written = sum(term in written for term in found)
            rank = (spelling.score, as_written, -len(spelling.name))
            rows.append((rank, Match(getattr(spelling, owner), spelling.name, owner, spelling.language)))
    if not rows:
        return []
    best = max(rank[0] for rank, _ in rows)
    chosen = {}
    for rank, match in sorted(rows, key=lambda row: row[0], reverse=True):
        if rank[0] == best:
            chosen.setdefault((match.kind, match.record.pk), match)
    matches = list(chosen.values())
    people = [m for m in matches if m.kind == "person"][:SHOWN]
    places = [m for m in matches if m.kind == "place"][:SHOWN]
    return people + places


def near_spellings(query):
    """The known spellings nearest the query's terms of ``NEAR_MIN_LENGTH`` letters or more, closest first."""
    near = [term for term in terms(query) if len(term.key) >= NEAR_MIN_LENGTH]
    keys = [term.key for term in near]
    if not keys:
        return []
    runs = {run for key in keys for run in _runs(key)}
    candidates = _balanced([Q(search_keys__contains=run) for run in sorted(runs)], operator.or_)
    best = {}  # the closest spelling of each person and place
    for model, owner in ((PersonName, "person_id"), (PlaceName, "place_id")):
        rows = model.objects.filter(candidates).values_list(owner, "name", "search_keys")[:CANDIDATES]
        for pk, name, stored in rows:
            closeness = max(_ratio(key, part) for key in keys for part in _parts(stored))
            # Of spellings as close, the one in the letters the reader typed.
            as_typed = max(_ratio(term, word) for term in near for word in stored.splitlines()[0].split())
            rank = (closeness, as_typed, -len(name), name)
            if closeness >= NEAR_CUTOFF and rank > best.get((model, pk), (0,)):
                best[(model, pk)] = rank
    ranked = sorted(best.values(), key=lambda rank: (-rank[0], -rank[1], -rank[2], rank[3]))
    return list(dict.fromkeys(rank[-1] for rank in ranked))[:NEAR_SHOWN]


def _ratio(a, b):
    return difflib.SequenceMatcher(None, a, b).ratio()


def _runs(key):
    """Up to ``NEAR_RUNS`` three-letter runs of ``key``, spread along it (a misspelling spares most of them)."""
    runs = [key[i : i + 3] for i in range(len(key) - 2)]
    if len(runs) <= NEAR_RUNS:
        return runs
    step = (len(runs) - 1) / (NEAR_RUNS - 1)
    return [runs[round(i * step)] for i in range(NEAR_RUNS)]


def _parts(stored):
    """The Latin keys a term is compared with: the whole spelling's and each of its words'."""
    keys = stored.splitlines()
    return [keys[-1], *(latin_key(word) for word in keys[0].split())] if keys else []
