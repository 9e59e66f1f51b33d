import pytest

from cases.models import PersonName
from cases.names import search_key


@pytest.mark.parametrize(
    ("spelling", "slug"),
    [
        ("Kumbolat", "baibolat-kunbolat"),
        ("kunbolat", "baibolat-kunbolat"),
        ("Байболат Күнболатұлы", "baibolat-kunbolat"),
        ("Байболат Кунболатулы", "baibolat-kunbolat"),
        ("Selkirk", "serikzhan-bilash"),
        ("SERKJIAN", "serikzhan-bilash"),
        ("Syrkjian", "serikzhan-bilash"),
        ("賽爾克堅", "serikzhan-bilash"),
        ("Баймурат Наурызбек", "baimurat-nauryzbek"),
        ("Serik Azhibai", "serik-azhibay"),
        ("張霄", "zhang-xiao"),
        ("张霄", "zhang-xiao"),
        ("Atajulte Volunteers", "atajurt"),
        ("Atajurt Eriktileri", "atajurt"),
    ],
)
def test_every_spelling_resolves_to_its_one_person(article, spelling, slug):
    people = {
        n.person.slug for n in PersonName.objects.filter(search_key=search_key(spelling)).select_related("person")
    }
    assert people == {slug}


def test_spellings_from_the_article_are_tied_to_the_passage_they_appear_in(article):
    for variant in PersonName.objects.filter(kind=PersonName.Kind.SOURCE).select_related("quote"):
        assert variant.name in variant.quote.exact


def test_editorial_spellings_claim_no_passage(article):
    editorial = PersonName.objects.exclude(kind__in=[PersonName.Kind.SOURCE, PersonName.Kind.CANONICAL])
    assert editorial.filter(name="賽爾克堅").exists()
    assert not editorial.filter(quote__isnull=False).exists()


def test_search_key_folds_case_and_accents_but_keeps_letters():
    assert search_key("Nauryzbék") == search_key("NAURYZBEK") == "nauryzbek"
    assert search_key("  Serik   Azhibay ") == "serik azhibay"
    assert search_key("Күнболатұлы") == "күнболатұлы"
