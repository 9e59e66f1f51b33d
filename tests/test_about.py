"""The about page: who publishes the archive (from settings), how it checks, how to ask for a correction."""

import pytest

from tests.page_types import PAGE_TYPES


def page(client):
    response = client.get("/about/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_about_page_names_the_publisher_and_the_contact_from_settings(client, db, settings):
    settings.ARCHIVE_PUBLISHER = "The Example Rights Collective"
    settings.ARCHIVE_CONTACT = "corrections@example.org"
    text = page(client)
    assert "<dd>The Example Rights Collective</dd>" in text
    assert '<a href="mailto:corrections@example.org">corrections@example.org</a>' in text
    assert "none is configured" not in text


def test_a_contact_page_is_linked_as_it_is(client, db, settings):
    settings.ARCHIVE_CONTACT = "https://example.org/corrections"
    assert '<a href="https://example.org/corrections">https://example.org/corrections</a>' in page(client)


def test_unconfigured_settings_are_said_to_be_unconfigured(client, db):
    text = page(client)
    assert "<dd>Not configured (ARCHIVE_PUBLISHER is not set)</dd>" in text
    assert "<dd>Not configured (ARCHIVE_CONTACT is not set)</dd>" in text
    assert "mailto:" not in text
    assert "none is configured for this copy of the archive yet" in text


def test_the_about_page_explains_the_bases_the_caveats_citing_corrections_and_licences(client, db):
    text = page(client)
    for heading in (
        "What it records, and what it does not",
        "How facts are checked",
        "How to read the caveats",
        "How to cite",
        "Corrections and removals",
        "Licences",
    ):
        assert f">{heading}</h2>" in text
    for basis in ("stated", "derived", "editorial"):
        assert f"<dt>{basis}</dt>" in text
    assert 'href="/data/#bases"' in text
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in text


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=str)
def test_every_page_links_to_the_about_page_from_its_footer(client, article, page_type):
    text = client.get(page_type.path).content.decode()
    footer = text[text.index('<footer class="site-footer">') :]
    assert '<a href="/about/"' in footer
