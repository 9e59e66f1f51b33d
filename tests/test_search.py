"""Search finds cases by any spelling of a name and by the words of titles, summaries and cited quotes.

These run on SQLite and on PostgreSQL alike; the few that need PostgreSQL's
full-text and trigram search say so and are skipped elsewhere.
"""

import pytest
from django.db import connection

from cases import search
from cases.filters import CaseFilter
from cases.models import Case, Involvement, PersonName, SearchDocument
from cases.names import search_key, stored_keys

from .factories import make_case, make_person, make_place, make_quote, make_source

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text and trigram search are PostgreSQL's"
)


def found(q, **params):
    case_filter = CaseFilter(data={"q": q, **params}, queryset=Case.objects.all())
    assert case_filter.is_valid(), case_filter.errors
    return [case.ref for case in case_filter.qs]


# Folding and terms -------------------------------------------------------------


def test_normalize_folds_case_accents_and_punctuation():
    assert search.normalize("Kumbolat’s BROTHER, Nauryzbék!") == "kumbolat s brother nauryzbek"
    assert search.normalize("  Łódź\tØresund  ") == "lodz oresund"
    assert search.normalize("Байболат Күнболатұлы") == "баиболат күнболатұлы"
    assert search.normalize("張霄。") == "張霄"


def test_normalize_keeps_the_vowel_signs_of_indic_scripts_inside_their_word():
    assert len(search.normalize("नमस्ते दुनिया").split()) == 2


def test_terms_are_words_and_quoted_phrases_without_repeats():
    assert search.terms('Kumbolat "ten  Years" kumbolat “persona non grata”') == [
        "kumbolat",
        "ten years",
        "persona non grata",
    ]
    assert search.terms("one-person Kumbolat’s O'Brien 張·霄") == ["one", "person", "kumbolat", "brien", "張", "霄"]
    assert search.terms('"Kumbolat’s brother"') == ["kumbolat s brother"]
    assert search.terms('"unclosed phrase') == ["unclosed phrase"]
    assert search.terms(' !!! "" ') == []


# Names in every spelling (the article) ----------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Kumbolat", {"a8023r", "ha3c3r", "2n2181"}),  # 2n2181 cites "Kumbolat’s brother, Baimurat Nauryzbek"
        ("Kunbolat", {"a8023r", "ha3c3r", "2n2181"}),
        ("Selkirk", {"a8023r", "2n2181"}),
        ("Syrkjian", {"a8023r", "2n2181"}),
        ("賽爾克堅", {"a8023r", "2n2181"}),
        ("Байболат Күнболатұлы", {"a8023r", "ha3c3r"}),
        ("Баймурат Наурызбек", {"2n2181"}),
        ("张霄", {"gvce2m", "74t3yk"}),  # 74t3yk cites "a picture of Chinese Ambassador Zhang Xiao"
        ("張霄", {"gvce2m", "74t3yk"}),
        ("Serik Azhibai", {"gvce2m", "74t3yk"}),
    ],
)
def test_any_spelling_of_a_name_finds_the_persons_cases(article, q, expected):
    assert set(found(q)) == expected


def test_every_stored_spelling_of_every_person_finds_every_case_they_are_involved_in(article):
    involved = {}
    for case_ref, person_id in Involvement.objects.values_list("case__ref", "person_id"):
        involved.setdefault(person_id, set()).add(case_ref)
    spellings = PersonName.objects.filter(person_id__in=involved).values_list("person_id", "name")
    assert len(spellings) > 15
    for person_id, name in spellings:
        assert involved[person_id] <= set(found(f'"{name}"')), name


@pytest.mark.parametrize("q", ["KUMBOLAT", "kumbolat", "Kúmbôlat", "Kumbolat’s"])
def test_search_ignores_case_and_accents(article, q):
    assert {"a8023r", "ha3c3r"} <= set(found(q))


def test_part_of_a_name_finds_the_longer_spelling(article):
    assert {"a8023r", "ha3c3r"} <= set(found("Kunbolatul"))


# Titles, summaries, quotes ---------------------------------------------------------


def test_words_of_a_title_find_the_case(article):
    assert found("factory") == ["84a8j6"]


def test_words_of_a_summary_find_the_case(article):
    assert found('"nothing more about the rally"') == ["84a8j6"]


def test_words_of_a_cited_quote_find_the_case(article):
    # Only in quote 3, "...posted on Facebook...", which a8023r and 2n2181 cite.
    assert found("Facebook") == ["a8023r", "2n2181"]


def test_a_quote_no_case_cites_finds_nothing(article):
    # "atrocities" is in the source, in a quote that no case cites.
    assert found("atrocities") == []


def test_a_ref_and_a_place_name_find_their_cases(article):
    assert found("2n2181") == ["2n2181"]
    assert found("Xinjiang") == ["2n2181"]


def test_every_term_must_match(article):
    assert found("Kumbolat factory") == []
    assert found("Kumbolat picket") == ["a8023r", "ha3c3r"]


def test_a_phrase_matches_only_its_words_together(article):
    assert found('"ten years"') == ["2n2181"]
    assert found('"years ten"') == []


def test_a_search_without_letters_or_digits_finds_nothing(article):
    assert found("!!! ...") == []


def test_search_combines_with_the_other_filters(article):
    assert found("Kumbolat", kind="protest") == ["a8023r"]
    assert found("Kumbolat", place="ili") == ["2n2181"]


# Relevance ---------------------------------------------------------------------------


def test_best_match_puts_the_person_before_a_mere_mention(db):
    person = make_person("Yerlan Zhakypov")
    named = make_case(date="2018", title="A detention", people=[(person, Involvement.Role.DETAINED)])
    mentioned = make_case(date="2021", title="A protest", summary="Protesters named Zhakypov among others.")
    assert found("Zhakypov") == [named.ref, mentioned.ref]
    assert found("Zhakypov", sort="newest") == [mentioned.ref, named.ref]


def test_best_match_is_the_default_only_when_searching(db):
    older = make_case(date="2018", title="Hunger strike")
    newer = make_case(date="2021", title="Hunger strike, hunger")
    assert found("", sort="relevance") == [newer.ref, older.ref]
    assert CaseFilter(data={"q": "hunger"}).sort_order == "relevance"
    assert CaseFilter(data={}).sort_order == "newest"


# Documents -----------------------------------------------------------------------------


def test_the_loader_writes_one_document_per_case(article):
    assert SearchDocument.objects.count() == Case.objects.count() == 6
    document = SearchDocument.objects.get(case__ref="a8023r")
    assert "selkirk" in document.names.splitlines()
    assert document.title == "baibolat kunbolat s one person picket at the chinese consulate general in almaty"
    assert "posted on facebook" in document.text


def test_a_name_added_later_is_found_once_the_case_is_indexed_again(db):
    person = make_person("Aigerim Tokhtar")
    case = make_case(people=[(person, Involvement.Role.PROTESTER)])
    assert found("Тохтар") == [case.ref]  # read in Latin letters, it is the name already there
    assert found("托赫塔尔") == []  # "tuohetaer" in pinyin: no spelling of hers yet
    PersonName.objects.create(
        person=person,
        name="艾格琳·托赫塔尔",
        kind=PersonName.Kind.NATIVE,
        search_key=search_key("艾格琳·托赫塔尔"),
        search_keys=stored_keys("艾格琳·托赫塔尔"),
    )
    search.index_cases([case.pk])
    assert found("托赫塔尔") == [case.ref]


def test_factories_cases_are_found_by_every_spelling(db):
    person = make_person("Qairat Nurlan", spellings=["Кайрат Нурлан", "凯拉特"])
    source = make_source(text="Witnesses said the police beat the protesters at the square.")
    quote = make_quote(source, "the police beat the protesters")
    case = make_case(place=make_place("Zhanaozen"), people=[(person, Involvement.Role.PROTESTER)], quote=quote)
    make_case(title="Unrelated")
    for q in ("Qairat", "кайрат нурлан", "凯拉特", "police beat", "Zhanaozen"):
        assert found(q) == [case.ref], q


# PostgreSQL: full text and near misses ---------------------------------------------


@postgresql_only
def test_a_near_miss_spelling_still_finds_the_person(article):
    assert found("Nauryzbeck") == ["2n2181"]
    assert set(found("Kumbolatt")) >= {"a8023r", "ha3c3r"}


@postgresql_only
def test_full_text_search_matches_other_forms_of_a_word(article):
    # "arrests" is nowhere in the texts; "arrested" is.
    assert {"ha3c3r", "74t3yk"} <= set(found("arrests"))


@postgresql_only
def test_every_way_a_term_matches_is_answered_by_an_index(article):
    with connection.cursor() as cursor:
        # A table this small is cheaper to read whole; forbid that, and see what serves the search.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        exact = search.matching_documents("Kunbolat").explain()
        near_miss = search.matching_documents("Nauryzbeck").explain()
    for index in ("searchdocument_text_trgm", "searchdocument_vector"):
        assert index in exact
    assert "searchdocument_names_trgm" in near_miss


@postgresql_only
def test_similarity_is_only_for_a_term_found_nowhere(article):
    # "Kunbolat" is in the texts: it matches as written, not every name that looks like it.
    assert search.plan("Kunbolat Nauryzbeck") == [("kunbolat", False), ("nauryzbeck", True)]
    # Too short to be taken as a misspelling: it simply finds nothing.
    assert search.plan("Zzq") == [("zzq", False)]
    assert found("Zzq") == []


@postgresql_only
def test_the_list_says_when_a_term_was_matched_by_similar_spelling(client, article):
    text = client.get("/cases/", {"q": "Nauryzbeck"}).content.decode()
    assert "No record holds “nauryzbeck” as written: the cases shown name someone spelled like it." in text
    assert "as written" not in client.get("/cases/", {"q": "Nauryzbek"}).content.decode()


@postgresql_only
def test_no_near_miss_notice_for_a_term_found_as_written(client, article):
    text = client.get("/cases/", {"q": "Kumbolat"}).content.decode()
    assert "as written" not in text


@pytest.mark.parametrize("q", ["!!!", "...", "“ ”"])
def test_a_search_without_words_lists_nothing_and_exports_nothing(client, article, q):
    response = client.get("/cases/", {"q": q})
    assert response.status_code == 200
    assert response.context["total"] == 0
    assert "No cases found" in response.content.decode()
    csv = b"".join(client.get("/cases.csv", {"q": q}).streaming_content).decode("utf-8-sig")
    assert len(csv.strip().splitlines()) == 1  # the header alone


# Many terms ------------------------------------------------------------------


def words(count):
    """``count`` distinct two-letter words: "aa ab ac ...", 3 characters a word."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return " ".join(a + b for a in letters for b in letters)[: 3 * count - 1]


SEARCHING_PAGES = ["/cases/", "/feed/", "/cases.csv", "/cases.json"]


@pytest.mark.parametrize("url", SEARCHING_PAGES)
def test_a_search_of_any_number_of_words_under_the_length_limit_answers_200_or_says_why_not(client, article, url):
    for count in range(1, 67):  # 66 words fill the 200 characters
        q = words(count)
        assert len(search.terms(q)) == count and len(q) <= 200
        response = client.get(url, {"q": q})
        if count <= search.MAX_TERMS:
            assert response.status_code == 200, count
        else:
            assert response.status_code == 400, count
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert f"at most {search.MAX_TERMS} words or quoted phrases; this one has {count}" in body.decode()


def test_a_phrase_counts_as_one_term(client, article):
    q = '"' + words(60) + '"'
    assert client.get("/cases/", {"q": q}).status_code == 200


def test_the_search_query_stays_shallow_however_many_terms_it_ranks(article):
    """Past the bound the SQL still runs: its sums nest as a balanced tree, not one level a term."""
    q = words(66)
    ranked = search.ranked(Case.objects.all(), q).filter(search_rank__gte=0)
    assert list(search.matching_documents(q)) == []
    assert len(list(ranked)) == Case.objects.count()
