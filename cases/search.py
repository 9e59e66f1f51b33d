"""Finding cases by what a reader types: any spelling of a name, words of titles, summaries and quotes.

Every case has a ``SearchDocument``, derived from its records by ``index_cases``
(the loader calls it after writing; so do the test factories): the case's ref,
title, summary and place, every name of its place and of the places above it
(``PlaceName.search_keys``), every spelling of every involved person's name
(``PersonName.search_keys``), and the exact words of every quote the case
cites; and ``keys``, the Latin key (``names.latin_key``) of each of them.

A query is split into terms: each "quoted phrase", and each other word.
Query and document are folded alike by ``normalize``: case and accents
dropped (``names.search_key``), a few letters that do not decompose spelled
plainly (ø, ł, đ…), punctuation turned into spaces. A case matches when every
term is found in its document as a substring, as folded or as its Latin key
in the document's keys, so "Kumbolat" finds "Kumbolat’s", "kunbol" finds
"Kunbolatuly", "张霄" the Chinese spelling, "Кунболат" and "Qunbolat" the
Latin one and "Alma-Ata" every case inside Almaty: the same on every database.

On PostgreSQL a term also matches by full-text search in the
``archive_search`` configuration (unaccent, then English stemming) against the
document's stored ``vector``, so "arrests" finds "arrested". A term found
nowhere that way (no document holds it as a word or a substring) is taken as
a misspelling: it then matches by trigram word similarity against the names,
so a near miss ("Nauryzbeck") still finds the person. Only terms of
``FUZZY_MIN_LENGTH`` characters or more: a shorter one is similar to too much.
Similarity is a fallback, not a third way to match every term, because it is
both loose (a common first name is "similar" to thousands of others) and
costly to check on every candidate document.

Each test is answered by a GIN index on the documents (migrations 0002 and 0009), so
the search reads only the documents that match. On SQLite the substring test
reads the documents' one narrow table, with no join.

``plan`` decides once per query which terms are near misses; pass its result
to ``matching`` and ``matching_documents`` when a request builds several
querysets from one search, so the decision is not queried again. A search
that finds anything when matched ``as_written`` needs no decision: every term
is in a document.

``matching`` filters a case queryset; ``ranked`` annotates ``search_rank`` for
"best match first": a term found in a person's name counts most, then one in
the title, then anywhere; on PostgreSQL the full-text rank breaks ties.
"""

import operator
import re
import unicodedata
from collections import defaultdict

from django.apps import apps as global_apps
from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorExact
from django.db import connections
from django.db.models import Case, ExpressionWrapper, F, FloatField, Q, Value, When

from .models import SEARCH_CONFIG, SearchDocument, path_ids
from .names import latin_key, search_key

FUZZY_MIN_LENGTH = 4
# A search holds at most this many terms (CaseFilter refuses more with a 400).
# Each term is one more condition on every candidate document, so the bound
# bounds a search's cost; the query's shape grows flat or as a balanced tree
# with the terms (``_balanced``), never as a chain as deep as their number,
# which SQLite's parser refuses past a few dozen ("parser stack overflow").
MAX_TERMS = 20

# Letters that are not a base letter plus a mark, so decomposition keeps them.
_PLAIN_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "ŀ": "l", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)
# Quotation marks a reader may type around a phrase.
_QUOTE_MARKS = str.maketrans(dict.fromkeys("“”„‟«»「」『』", '"'))
_TERM = re.compile(r'"([^"]*)"?|([^\s"]+)')


class _WordCharacters(dict):
    """A str.translate table that keeps letters, marks and digits and turns anything else into a space.

    Filled as characters are met: Unicode categories decide, so every script's
    letters (and the vowel signs of Indic scripts, which ``\\w`` would split on)
    stay whole.
    """

    def __missing__(self, codepoint):
        character = chr(codepoint)
        self[codepoint] = character if unicodedata.category(character)[0] in "LMN" else " "
        return self[codepoint]


_WORDS_ONLY = _WordCharacters()


def normalize(text):
    """Fold ``text`` for matching: "Kumbolat’s BROTHER, Nauryzbék!" -> "kumbolat s brother nauryzbek"."""
    return " ".join(search_key(text).translate(_PLAIN_LETTERS).translate(_WORDS_ONLY).split())


class Term(str):
    """A term of a query, folded as ``normalize`` folds it; ``key`` is its Latin key (``names.latin_key``),
    read from the words as typed, so "Şıñjañ" keys as "shinjan" where its folded text is "sınjan"."""

    def __new__(cls, typed):
        term = super().__new__(cls, normalize(typed))
        term.key = latin_key(typed)
        return term


def terms(query):
    """The query's terms (``Term``), folded and without repeats: each "quoted phrase" and each other word.

    A word that punctuation splits is taken as its parts, without the
    one-letter ones when it has longer ones: "Kumbolat’s" is "kumbolat",
    "one-person" is "one" and "person".
    """
    found = {}
    for phrase, word in _TERM.findall(query.translate(_QUOTE_MARKS)):
        if phrase:
            candidates = [Term(phrase)]
        else:
            parts = [Term(part) for part in word.translate(_WORDS_ONLY).split()]
            parts = [part for part in parts if part]
            candidates = [part for part in parts if len(part) > 1] or parts
        for term in candidates:
            if term and term not in found:
                found[term] = term
    return list(found)


def plan(query, using="default"):
    """The query's terms, each as (term, near_miss): near misses are matched by name similarity.

    A term is a near miss on PostgreSQL when it is long enough and no document
    holds it, as a word or a substring: one indexed existence query per such
    candidate term.
    """
    if connections[using].vendor != "postgresql":
        return as_written(query)
    documents = SearchDocument.objects.using(using)
    return [
        (term, len(term) >= FUZZY_MIN_LENGTH and not documents.filter(_exact_match(term)).exists())
        for term in terms(query)
    ]


def as_written(query):
    """The plan that matches every term as written: ``plan``'s answer whenever the documents hold
    every term, which any document matching them all as written proves, with no query."""
    return [(term, False) for term in terms(query)]


def matching(queryset, query, planned=None):
    """The cases of ``queryset`` whose document holds every term of ``query`` (none if it has no term)."""
    planned = plan(query, using=queryset.db) if planned is None else planned
    if not planned:
        return queryset.none()
    return queryset.filter(pk__in=matching_documents(query, using=queryset.db, planned=planned).values("case_id"))


def matching_documents(query, using="default", planned=None):
    """The search documents that hold every term of ``query``."""
    planned = plan(query, using=using) if planned is None else planned
    postgresql = connections[using].vendor == "postgresql"
    documents = SearchDocument.objects.using(using)
    if not planned:
        return documents.none()  # nothing to look for ("!!!"): nothing found, as ``matching`` says
    for term, near_miss in planned:
        if near_miss:
            condition = _either(Q(TrigramWordSimilar(F("names"), Value(spelling))) for spelling in _forms(term))
        else:
            condition = _exact_match(term) if postgresql else _substring_match(term)
        documents = documents.filter(condition)
    return documents


def ranked(queryset, query):
    """``queryset`` annotated with ``search_rank``: higher for a better match of ``query``.

    Cheap for each row, since a broad search ranks most of the archive: a term
    in a person's name counts 4, in the title 2; on PostgreSQL the full-text
    rank of the stored vector is added.
    """
    return queryset.annotate(search_rank=rank(query, using=queryset.db, prefix="search_document__"))


def rank(query, using="default", prefix=""):
    """The rank of ``ranked`` as an expression on a search document's fields (``prefix`` leads to them)."""
    found = terms(query)
    parts = [4 * _found_in(f"{prefix}names", term) + 2 * _found_in(f"{prefix}title", term) for term in found]
    if found and connections[using].vendor == "postgresql":
        parts.append(SearchRank(F(f"{prefix}vector"), _query_any(found)))
    score = _balanced(parts, operator.add) if parts else Value(0.0)
    return ExpressionWrapper(score, output_field=FloatField())


def _balanced(items, combine):
    """``items`` combined pairwise as a balanced tree, so the SQL nests log2(n) deep, not n."""
    if len(items) == 1:
        return items[0]
    middle = len(items) // 2
    return combine(_balanced(items[:middle], combine), _balanced(items[middle:], combine))


def _found_in(field, term):
    found = _either(Q(**{f"{field}__contains": spelling}) for spelling in _forms(term))
    return Case(When(found, then=Value(1.0)), default=Value(0.0), output_field=FloatField())


def _forms(term):
    """The term as folded and, when it differs, its Latin key."""
    key = getattr(term, "key", latin_key(term))
    return [term, key] if key and key != term else [term]


def _either(conditions):
    return _balanced(list(conditions), operator.or_)


def _substring_match(term):
    """The term as a substring of the folded text, or its Latin key of the documents' keys."""
    key = getattr(term, "key", latin_key(term))
    return Q(text__contains=term) | Q(keys__contains=key) if key else Q(text__contains=term)


def _query(term):
    return SearchQuery(term, config=SEARCH_CONFIG, search_type="phrase")


def _query_any(found):
    return _balanced([_query(term) for term in found], operator.or_)


def _exact_match(term):
    """PostgreSQL: the term as a word (full text) or as a substring (as folded, or its key). Cheapest test first."""
    return Q(SearchVectorExact(F("vector"), _query(term))) | _substring_match(term)


def index_cases(case_ids=None, *, apps=global_apps, batch_size=500):
    """Write the search document of each case in ``case_ids`` (every case when None).

    Reads a few queries per batch of cases, whatever their number of people
    and quotes. ``apps`` lets a migration pass its historical models.
    """
    CaseModel = apps.get_model("cases", "Case")
    ids = list(CaseModel.objects.order_by("pk").values_list("pk", flat=True))
    if case_ids is not None:
        wanted = set(case_ids)  # any number of them: no IN (...) that could pass a database's limit
        ids = [pk for pk in ids if pk in wanted]
    if not ids:
        return  # nothing to index; nor, in a migration before 0009 (run on an empty database), these models
    Citation = apps.get_model("cases", "Citation")
    Involvement = apps.get_model("cases", "Involvement")
    PlaceName = apps.get_model("cases", "PlaceName")
    Document = apps.get_model("cases", "SearchDocument")
    InvolvementQuote = Involvement._meta.get_field("quotes").remote_field.through
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        spellings = defaultdict(set)  # each spelling's keys: as written, and in Latin letters
        for case_id, keys in Involvement.objects.filter(case_id__in=batch).values_list(
            "case_id", "person__names__search_keys"
        ):
            spellings[case_id].update(normalize(key) for key in (keys or "").splitlines())
        quotes = defaultdict(dict)  # an ordered set per case
        for case_id, exact in Citation.objects.filter(case_id__in=batch).values_list("case_id", "quote__exact"):
            quotes[case_id][exact] = None
        for case_id, exact in InvolvementQuote.objects.filter(involvement__case_id__in=batch).values_list(
            "involvement__case_id", "quote__exact"
        ):
            quotes[case_id][exact] = None

        rows = list(
            CaseModel.objects.filter(pk__in=batch).values_list(
                "pk", "ref", "title", "summary", "place__full_name", "place__path"
            )
        )
        # Every other name of each case's place and of the places above it: finding a place finds what is inside.
        place_keys = defaultdict(set)
        above = {pk for *_, path in rows for pk in path_ids(path or "")}
        for place_id, keys in PlaceName.objects.filter(place_id__in=above).values_list("place_id", "search_keys"):
            place_keys[place_id].update(normalize(key) for key in keys.splitlines())

        documents = []
        for case_id, ref, title, summary, place, path in rows:
            names = sorted(spellings[case_id] - {""})
            places = sorted({key for pk in path_ids(path or "") for key in place_keys[pk]} - {""})
            written = [line for line in (ref, title, summary, place, *quotes[case_id]) if line]
            lines = [normalize(line) for line in written]
            documents.append(
                Document(
                    case_id=case_id,
                    names="\n".join(names),
                    title=normalize(title),
                    text="\n".join(line for line in (*lines[:4], *places, *names, *lines[4:]) if line),
                    keys="\n".join(dict.fromkeys(filter(None, map(latin_key, (*written, *places, *names))))),
                )
            )
        Document.objects.filter(case_id__in=batch).delete()
        Document.objects.bulk_create(documents)
