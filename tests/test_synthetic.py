"""The synthetic benchmark archive: as valid as the real data, clearly fake, and repeatable."""

import hashlib
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases import dates
from cases.models import (
    REF_PATTERN,
    Case,
    Citation,
    DataLoad,
    Detention,
    Involvement,
    Person,
    PersonName,
    PersonRelation,
    Place,
    Protest,
    Quote,
    RetiredRef,
    Source,
)
from cases.names import search_key
from cases.synthetic import SLUG_PREFIX, SYNTHETIC_PUBLISHER, generate

CASES = 150


@pytest.fixture
def synthetic(db):
    return generate(cases=CASES, seed=7)


def snapshot():
    """What a reader would see of the data, without the database's own ids."""
    return {
        "cases": list(Case.objects.order_by("ref").values_list("ref", "kind", "title", "summary", "date_edtf")),
        "people": list(Person.objects.order_by("slug").values_list("slug", "name")),
        "names": sorted(PersonName.objects.values_list("person__slug", "name", "kind")),
        "places": list(Place.objects.order_by("slug").values_list("slug", "full_name")),
        "quotes": sorted(Quote.objects.values_list("source__slug", "number", "exact", "start")),
        "citations": sorted(Citation.objects.values_list("case__ref", "field", "quote__source__slug", "quote__number")),
    }


def test_it_writes_the_number_of_cases_asked_for_with_people_and_sources_in_proportion(synthetic):
    assert Case.objects.count() == CASES
    assert Person.objects.count() == CASES // 5
    assert Source.objects.count() == CASES // 10
    assert Involvement.objects.count() >= CASES
    assert Citation.objects.count() >= 4 * CASES
    assert synthetic.counts["cases"] == CASES
    assert synthetic.counts["quotes"] == Quote.objects.count()


def test_cases_of_both_kinds_each_have_their_details(synthetic):
    detentions = Case.objects.filter(kind=Case.Kind.DETENTION)
    protests = Case.objects.filter(kind=Case.Kind.PROTEST)
    assert detentions.count() > CASES // 4 and protests.count() > CASES // 4
    assert Detention.objects.count() == detentions.count()
    assert Protest.objects.count() == protests.count()
    assert not detentions.filter(detention__isnull=True).exists()
    assert not protests.filter(protest__isnull=True).exists()
    assert Detention.objects.filter(arose_from__isnull=False).exists()


def test_every_quote_is_found_verbatim_at_its_offsets_and_every_text_matches_its_sha256(synthetic):
    for source in Source.objects.prefetch_related("quotes"):
        assert hashlib.sha256(source.text.encode()).hexdigest() == source.sha256
        for quote in source.quotes.all():
            assert source.text[quote.start : quote.end] == quote.exact


def test_every_fact_shown_cites_a_passage_that_states_it(synthetic):
    for case in Case.objects.select_related("place", "detention", "protest").prefetch_related("citations__quote"):
        cited = {}
        for citation in case.citations.all():
            cited.setdefault(citation.field, []).append(citation.quote.exact)
        assert {"case", "date", "place"} <= set(cited)
        assert any(case.date_display.lower() in exact.lower() for exact in cited["date"])
        assert any(case.place.name in exact for exact in cited["place"])
        details = case.details
        if case.kind == Case.Kind.DETENTION:
            shown = {f for f in ("authority", "reason", "sentence", "duration", "release") if getattr(details, f)}
            if details.status != Detention.Status.NOT_STATED:
                shown.add("status")
        else:
            shown = {"form"} | {f for f in ("size", "target", "demands", "slogans") if getattr(details, f)}
        assert shown <= set(cited), case.ref
        for name in shown - {"status", "form"}:
            assert any(getattr(details, name) in exact for exact in cited[name])


def test_every_involvement_cites_a_passage_naming_the_person(synthetic):
    spellings = {}
    for name in PersonName.objects.all():
        spellings.setdefault(name.person_id, []).append(name.name)
    involvements = Involvement.objects.prefetch_related("quotes")
    for involvement in involvements:
        exacts = [quote.exact for quote in involvement.quotes.all()]
        assert exacts
        assert any(name in exact for name in spellings[involvement.person_id] for exact in exacts)


def test_spellings_as_in_a_source_appear_in_their_quote(synthetic):
    spelled = PersonName.objects.filter(kind=PersonName.Kind.SOURCE).select_related("quote")
    assert spelled.exists()
    for name in spelled:
        assert name.name in name.quote.exact


def test_relations_are_stated_by_their_quote(synthetic):
    relations = PersonRelation.objects.select_related("person", "relative", "quote")
    assert relations.exists()
    for relation in relations:
        assert " of " in relation.quote.exact
        assert relation.quote.speaker_id == relation.person_id


def test_people_have_several_spellings_in_latin_cyrillic_chinese_and_with_accents(synthetic):
    names = list(PersonName.objects.values_list("name", flat=True))
    assert PersonName.objects.count() >= 4 * Person.objects.filter(kind=Person.Kind.PERSON).count()
    assert any(re.search("[а-яәғқңөұүһі]", name.lower()) for name in names)
    assert any(re.search("[\u4e00-\u9fff]", name) for name in names)
    assert any(re.search("[äöüūñşğıāáǎàēéěèīíǐìōóǒòúǔù]", name) for name in names)
    assert Person.objects.filter(kind=Person.Kind.ORGANISATION).exists()


def test_dates_come_in_every_precision_the_archive_accepts(synthetic):
    edtfs = set(Case.objects.values_list("date_edtf", flat=True))
    assert any(re.fullmatch(r"\d{4}", d) for d in edtfs)
    assert any(re.fullmatch(r"\d{4}-\d{2}", d) for d in edtfs)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in edtfs)
    assert any(re.fullmatch(r"\[\d{4}-\d{2}-\d{2},\d{4}-\d{2}-\d{2}\]", d) for d in edtfs)
    assert any(re.fullmatch(r"\[\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}\]", d) for d in edtfs)
    assert any(re.fullmatch(r"\d{4}-\d{2}/\d{4}-\d{2}", d) for d in edtfs)
    for qualifier in "~?%":
        assert any(d.endswith(qualifier) for d in edtfs), qualifier


def test_derived_columns_are_those_the_loader_derives(synthetic):
    for case in Case.objects.all():
        parsed = dates.parse(case.date_edtf)
        assert (case.date_earliest, case.date_latest, case.date_display) == (
            parsed.earliest,
            parsed.latest,
            parsed.display,
        )
    for source in Source.objects.all():
        parsed = dates.parse(source.published_edtf)
        assert (source.published_earliest, source.published_latest) == (parsed.earliest, parsed.latest)
    for name in PersonName.objects.all():
        assert name.search_key == search_key(name.name)
    places = {place.pk: place for place in Place.objects.all()}
    for place in places.values():
        parent = places.get(place.parent_id)
        if parent is None:
            assert (place.path, place.depth, place.full_name) == (f"/{place.pk}/", 0, place.name)
        else:
            assert place.path == f"{parent.path}{place.pk}/"
            assert place.depth == parent.depth + 1
            assert place.full_name == f"{place.name}, {parent.full_name}"


def test_the_place_tree_is_five_levels_deep_and_a_country_holds_the_cases_inside_it(synthetic):
    kinds = dict(Place.objects.values_list("depth", "kind").distinct())
    assert kinds == {0: "country", 1: "region", 2: "prefecture", 3: "city", 4: "site"}
    country = Place.objects.get(pk=Case.objects.filter(place__depth=4).first().place.path.split("/")[1])
    inside = Case.objects.within_place(country)
    assert inside.filter(place__depth=4).exists()
    assert inside.count() > inside.filter(place=country).count()


def test_refs_are_valid_and_never_shared_with_retired_ones(synthetic):
    refs = list(Case.objects.values_list("ref", flat=True))
    retired = list(RetiredRef.objects.values_list("ref", flat=True))
    assert all(REF_PATTERN.fullmatch(ref) for ref in refs + retired)
    assert len(set(refs + retired)) == len(refs) + len(retired)


def test_everything_is_marked_as_synthetic(synthetic):
    assert set(Source.objects.values_list("publisher", flat=True)) == {SYNTHETIC_PUBLISHER}
    for model in (Source, Person, Place):
        assert not model.objects.exclude(slug__startswith=SLUG_PREFIX).exists()
    load = DataLoad.objects.latest()
    assert load.counts["synthetic_seed"] == 7
    assert load.fixture_sha256 == synthetic.fingerprint


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(synthetic):
    first = snapshot()
    generate(cases=CASES, seed=7)
    assert snapshot() == first
    generate(cases=CASES, seed=8)
    other = snapshot()
    assert other["cases"] != first["cases"]
    assert other["quotes"] != first["quotes"]


def test_the_command_refuses_a_database_holding_the_real_data(article, capsys):
    with pytest.raises(CommandError, match="not synthetic"):
        call_command("generate_synthetic", "--cases", "20")
    assert Case.objects.count() == 6
    assert Source.objects.filter(slug="kazakh-anti-communist-heats-up-again").exists()


def test_the_command_replaces_the_real_data_only_when_told(article, capsys):
    call_command("generate_synthetic", "--cases", "20", "--replace")
    assert "Wrote synthetic data" in capsys.readouterr().out
    assert Case.objects.count() == 20
    assert not Source.objects.exclude(publisher=SYNTHETIC_PUBLISHER).exists()
    assert not Person.objects.filter(slug="serikzhan-bilash").exists()


def test_the_command_with_reuse_keeps_the_same_data_set_and_replaces_another(db, capsys):
    call_command("generate_synthetic", "--cases", "20", "--seed", "3")
    loads, refs = DataLoad.objects.count(), set(Case.objects.values_list("ref", flat=True))
    call_command("generate_synthetic", "--cases", "20", "--seed", "3", "--reuse")
    assert "already holds this synthetic data set" in capsys.readouterr().out
    assert DataLoad.objects.count() == loads
    call_command("generate_synthetic", "--cases", "30", "--seed", "3", "--reuse")
    assert DataLoad.objects.count() == loads + 1
    assert Case.objects.count() == 30
    assert set(Case.objects.values_list("ref", flat=True)) != refs


def test_the_command_refuses_a_size_of_nothing(db):
    with pytest.raises(CommandError, match="--cases"):
        call_command("generate_synthetic", "--cases", "0")
