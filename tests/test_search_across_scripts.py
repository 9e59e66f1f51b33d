"""Any spelling of the fixture's people and places, in Latin, Cyrillic, Chinese or Kazakh Latin letters, with or
without diacritics, finds the cases it should: the same on SQLite and PostgreSQL."""

import pytest

from cases import search, spellings
from cases.filters import CaseFilter
from cases.loader import FixtureError, load_fixture
from cases.models import Case, Place, PlaceName
from tests.test_loader import original, write

KUNBOLAT = {"a8023r", "ha3c3r", "2n2181"}  # 2n2181 cites "Kumbolat’s brother, Baimurat Nauryzbek"
BILASH = {"a8023r", "2n2181"}
NAURYZBEK = {"2n2181"}
AZHIBAY = {"gvce2m", "74t3yk"}
ZHANG_XIAO = {"gvce2m"}
ALMATY = {"a8023r", "ha3c3r", "84a8j6", "gvce2m", "74t3yk"}  # the city and the consulate inside it
CONSULATE = {"a8023r", "ha3c3r", "gvce2m", "74t3yk"}
XINJIANG = {"2n2181"}  # in Ili, inside Xinjiang, inside China
KAZAKHSTAN = ALMATY | {"2n2181"}  # 2n2181 cites a passage naming the Kazakhs

SPELLINGS = [
    # Baibolat Kunbolat
    ("Kunbolat", KUNBOLAT),
    ("Kumbolat", KUNBOLAT),
    ("Кунболат", KUNBOLAT),
    ("Күнболат", KUNBOLAT),
    ("Qunbolat", KUNBOLAT),
    ("Künbolat", KUNBOLAT),
    ("Baybolat", KUNBOLAT),
    ("Байболат Күнболатұлы", {"a8023r", "ha3c3r"}),
    ("Baıbolat Künbolatūly", {"a8023r", "ha3c3r"}),
    ("Baibolat Kunbolatuly", {"a8023r", "ha3c3r"}),
    # Baimurat Nauryzbek
    ("Баймұрат Наурызбек", NAURYZBEK),
    ("Баймурат Наурызбек", NAURYZBEK),
    ("Baımūrat Nauryzbek", NAURYZBEK),
    ("Baymurat Nauryzbek", NAURYZBEK),
    ("Наурызбек", NAURYZBEK),
    ("NAURYZBEK", NAURYZBEK),
    # Serik Azhibay
    ("Ажибай", AZHIBAY),
    ("Әжібай", AZHIBAY),
    ("Azhybay", AZHIBAY),
    ("Ajibay", AZHIBAY),
    ("Äjıbai", AZHIBAY),
    ("Серик Ажибай", AZHIBAY),
    ("Серік Әжібай", AZHIBAY),
    ("Serik Azhibai", AZHIBAY),
    # Serikzhan Bilash
    ("Серікжан Білаш", BILASH),
    ("Серикжан Билаш", BILASH),
    ("Serıkjan Bılaş", BILASH),
    ("Serikzhan Bilash", BILASH),
    ("賽爾克堅", BILASH),
    ("Selkirk", BILASH),
    # Zhang Xiao
    ("Чжан Сяо", ZHANG_XIAO),
    ("张霄", ZHANG_XIAO | {"74t3yk"}),  # 74t3yk cites "a picture of Chinese Ambassador Zhang Xiao"
    ("張霄", ZHANG_XIAO | {"74t3yk"}),
    # Almaty, and everything inside it
    ("Almaty", ALMATY),
    ("Алматы", ALMATY),
    ("阿拉木图", ALMATY),
    ("Alma-Ata", ALMATY),
    ("Алма-Ата", ALMATY),
    ("Almaata", ALMATY),
    ("Verny", ALMATY),
    ("Верный", ALMATY),
    ("Генеральное консульство КНР в Алматы", CONSULATE),
    ("驻阿拉木图总领事馆", CONSULATE),
    # Xinjiang, Ili and China
    ("Xinjiang", XINJIANG),
    ("新疆", XINJIANG),
    ("Синьцзян", XINJIANG),
    ("Шыңжаң", XINJIANG),
    ("Şıñjañ", XINJIANG),
    ("Shinjang", XINJIANG),
    ("Sinkiang", XINJIANG),
    ("شىنجاڭ", XINJIANG),
    ("伊犁", XINJIANG),
    ("Іле", XINJIANG),
    ("Или-Казахский", XINJIANG),
    ("中国", XINJIANG),
    ("Китай", XINJIANG),
    ("Қытай", XINJIANG),
    # Kazakhstan
    ("Қазақстан", KAZAKHSTAN),
    ("Казахстан", KAZAKHSTAN),
    ("Qazaqstan", KAZAKHSTAN),
    ("哈萨克斯坦", ALMATY),  # a place name only: no passage of 2n2181 says it in any script
]


def found(q):
    case_filter = CaseFilter(data={"q": q}, queryset=Case.objects.all())
    assert case_filter.is_valid(), case_filter.errors
    return {case.ref for case in case_filter.qs}


def test_the_table_holds_forty_spellings_and_more():
    assert len(SPELLINGS) >= 40
    assert len({q for q, _ in SPELLINGS}) == len(SPELLINGS)


@pytest.mark.parametrize(("q", "expected"), SPELLINGS)
def test_a_spelling_in_any_script_finds_its_cases(article, q, expected):
    assert found(q) == expected


def test_cyrillic_finds_what_latin_finds(article):
    assert found("Кунболат") == found("Kunbolat")
    assert found("Alma-Ata") == found("Almaty") == found("Алматы")


# What the list says a search named ----------------------------------------------------


def test_the_list_shows_the_person_a_spelling_names_with_the_spelling_that_matched(client, article):
    text = client.get("/cases/", {"q": "Кунболат"}).content.decode()
    assert '<a href="/people/baibolat-kunbolat/"><bdi>Baibolat Kunbolat</bdi></a>' in text
    assert 'matched “<bdi lang="ru">Байболат Кунболатулы</bdi>”' in text
    assert text.index("names-found") < text.index("case-rows")  # above the cases


def test_the_list_shows_the_place_an_older_name_names(client, article):
    text = client.get("/cases/", {"q": "Alma-Ata"}).content.decode()
    assert (
        '<a href="/places/almaty/"><bdi>Almaty</bdi></a> <span class="fact-note">(city, matched “<bdi>Alma-Ata</bdi>”)'
        in text
    )


def test_a_place_named_in_its_own_name_says_no_other_spelling(client, article):
    text = client.get("/cases/", {"q": "Almaty"}).content.decode()
    assert '<a href="/places/almaty/"><bdi>Almaty</bdi></a> <span class="fact-note">(city)</span>' in text


def every_ref():
    return list(Case.objects.values_list("ref", flat=True))


def test_only_the_records_that_hold_the_most_terms_are_shown(article):
    matched = {(m.kind, m.record.slug, m.spelling) for m in spellings.named("Serik Azhibai", every_ref())}
    assert matched == {("person", "serik-azhibay", "Serik Azhibai")}
    both = {m.record.slug for m in spellings.named("Serik", every_ref())}
    assert both == {"serik-azhibay", "serikzhan-bilash"}


def test_only_the_people_and_places_of_the_cases_shown_are_named(article):
    assert {m.record.slug for m in spellings.named("Serik", ["gvce2m"])} == {"serik-azhibay"}
    assert {m.record.slug for m in spellings.named("Kazakh", ["2n2181"])} == {"ili"}
    assert spellings.named("Serik", []) == []


def test_a_search_that_names_no_one_shows_no_names(client, article):
    assert "names-found" not in client.get("/cases/", {"q": "factory"}).content.decode()


@pytest.mark.parametrize(
    ("q", "suggested"),
    [
        ("Kunbolatt", ["Kunbolat"]),
        ("Nauryzbeck", ["Baimurat Nauryzbek"]),
        ("Almatty", ["Almaty", "Chinese Consulate General in Almaty"]),
        ("Алмааты", ["Алматы", "Генеральное консульство КНР в Алматы"]),
        ("Azhibaj", ["Serik Azhibay"]),
        ("Shinjiang", ["Shinjang", "Syrkjian"]),
        ("zzzz", []),
        ("Kun", []),  # too short to be near anything in particular
    ],
)
def test_near_spellings_are_the_closest_known_ones_in_the_letters_typed(article, q, suggested):
    assert spellings.near_spellings(q) == suggested


def test_a_search_that_finds_nothing_suggests_near_spellings_keeping_the_other_filters(client, article):
    text = client.get("/cases/", {"q": "Kunbolatt", "date_from": "1990", "date_to": "1991"}).content.decode()
    assert "No cases found" in text
    assert (
        'Did you mean <a href="/cases/?q=Kunbolat&amp;date_from=1990&amp;date_to=1991">“<bdi>Kunbolat</bdi>”</a>?'
        in text
    )


def test_a_search_that_finds_cases_suggests_nothing(client, article):
    assert "Did you mean" not in client.get("/cases/", {"q": "Kunbolat"}).content.decode()


def test_names_cost_three_queries_and_suggestions_two_however_many_terms(article, django_assert_num_queries):
    many = " ".join(["Kunbolatt", "Almatty", "Nauryzbeck", "Шыңжаң", "新疆", "Äjıbai"] * 3)
    assert len(search.terms(many)) == 6
    words = " ".join(f"w{i}xyz" for i in range(search.MAX_TERMS))
    for q in ("Kunbolatt", many, words):
        refs = every_ref()
        with django_assert_num_queries(3):
            spellings.named(q, refs)
        with django_assert_num_queries(2):
            spellings.near_spellings(q)


# Loads -------------------------------------------------------------------------------


def _place(data, slug):
    return next(p for p in data["places"] if p["slug"] == slug)


def test_a_place_name_added_by_a_later_load_finds_every_case_inside_the_place(article, fixture_dir):
    assert found("Ақмешіт") == set()
    data = original()
    _place(data, "xinjiang")["names"].append({"name": "Ақмешіт", "kind": "former", "note": "a name for a test"})
    load_fixture(write(fixture_dir, data))
    assert found("Ақмешіт") == found("Aqmeshit") == XINJIANG
    _place(data, "xinjiang")["names"].pop()
    load_fixture(write(fixture_dir, data))
    assert found("Ақмешіт") == set()


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ([{"name": "Алматы", "kind": "language"}, {"name": "Алматы", "kind": "former"}], "is listed twice"),
        ([{"name": "Almaty", "kind": "former"}], "or is the place's own name"),
        ([{"name": "Almaty City", "kind": "canonical"}], "the place's own name is its name field"),
        ([{"name": "Alma-Ata", "kind": "former", "quote": "kazakh-anti-communist-heats-up-again#2"}], "quote"),
    ],
)
def test_a_bad_place_name_is_refused_and_nothing_is_written(article, fixture_dir, names, message):
    stored = list(PlaceName.objects.order_by("pk").values_list("place__slug", "name", "kind", "search_keys"))
    data = original()
    _place(data, "almaty")["names"] = names
    with pytest.raises(FixtureError) as error:
        load_fixture(write(fixture_dir, data))
    assert "places[almaty].names" in str(error.value) and message in str(error.value)
    assert list(PlaceName.objects.order_by("pk").values_list("place__slug", "name", "kind", "search_keys")) == stored


def test_every_place_keeps_its_own_name_among_its_names(article):
    for place in Place.objects.all():
        assert place.names.filter(kind=PlaceName.Kind.CANONICAL).get().name == place.name
