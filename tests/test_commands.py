import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import REF_PATTERN, is_issuable_ref

SOURCE = "kazakh-anti-communist-heats-up-again"
TEXT = settings.ARCHIVE_FIXTURE.parent / "sources" / f"{SOURCE}.txt"


def test_findquote_prints_a_record_ready_for_the_fixture(capsys):
    call_command("findquote", SOURCE, "sentenced to 10 years in prison", "--speaker", "serikzhan-bilash")
    quote = json.loads(capsys.readouterr().out)
    text = TEXT.read_text(encoding="utf-8")
    assert text[quote["start"] : quote["end"]] == quote["exact"] == "sentenced to 10 years in prison"
    assert quote["n"] == 18
    assert quote["speaker"] == "serikzhan-bilash"


def test_findquote_counts_code_points_not_bytes(capsys):
    call_command("findquote", SOURCE, "“persona non grata”")
    quote = json.loads(capsys.readouterr().out)
    text = TEXT.read_text(encoding="utf-8")
    assert text[quote["start"] : quote["end"]] == "“persona non grata”"


def test_findquote_says_when_the_passage_is_not_in_the_text():
    with pytest.raises(CommandError, match="not in the text"):
        call_command("findquote", SOURCE, "sentenced to 12 years")


def test_findquote_says_when_the_passage_occurs_more_than_once():
    with pytest.raises(CommandError, match="occurs 3 times"):
        call_command("findquote", SOURCE, "Kumbolat")


def test_findquote_names_the_known_sources_for_an_unknown_one():
    with pytest.raises(CommandError, match=f"no source 'nope'.*known: {SOURCE}"):
        call_command("findquote", "nope", "anything")


def test_newref_gives_unused_well_formed_refs(db, capsys):
    call_command("newref", "20")
    refs = json.loads(capsys.readouterr().out)
    assert len(set(refs)) == 20
    assert all(REF_PATTERN.fullmatch(ref) for ref in refs)
    assert not {"a8023r", "ha3c3r", "2n2181"} & set(refs)


@pytest.mark.parametrize("ref", ["408093", "847e81", "000000", "1e2345"])
def test_newref_never_issues_a_ref_a_spreadsheet_reads_as_a_number(db, capsys, monkeypatch, ref):
    """The random choice is made to offer a number-like ref first: newref passes it over."""
    offered = iter(ref + "a8b8c8")
    monkeypatch.setattr("cases.management.commands.newref.secrets.choice", lambda alphabet: next(offered))
    call_command("newref")
    assert capsys.readouterr().out.strip() == "a8b8c8"


@pytest.mark.parametrize(
    ("ref", "issuable"),
    [("408093", False), ("847e81", False), ("1e2345", False), ("e12345", True), ("12345e", True),
     ("84e8e1", True), ("2n2181", True), ("a8023r", True)],
)  # fmt: skip
def test_a_ref_is_issuable_unless_a_spreadsheet_reads_it_as_a_number(ref, issuable):
    assert is_issuable_ref(ref) is issuable
