"""Language tags are shown as language names: ``zh-Hant`` as "Chinese (Traditional)"."""

import pytest

from cases.languages import language_name


@pytest.mark.parametrize(
    ("tag", "name"),
    [
        ("en", "English"),
        ("zh-Hant", "Chinese (Traditional)"),
        ("zh-Hans", "Chinese (Simplified)"),
        ("kk-Cyrl", "Kazakh (Cyrillic)"),
        ("kk-Latn", "Kazakh (Latin)"),  # not the default script's name, as a locale lookup would give
        ("ug-Arab-CN", "Uyghur (Arabic, China)"),
        ("kk-Qaaa", "kk-Qaaa"),  # a part CLDR does not name: the tag as given
        ("x-private", "x-private"),
    ],
)
def test_a_tag_is_named_part_by_part(tag, name):
    assert language_name(tag) == name


def test_a_persons_spellings_name_their_languages(client, article):
    page = client.get("/people/baibolat-kunbolat/").content.decode()
    assert 'Байболат Күнболатұлы</span> <span class="lang-tag">Kazakh (Cyrillic)</span>' in page
    assert '<span class="lang-tag">kk-Cyrl</span>' not in page


def test_sources_name_their_language(client, article):
    assert '<span class="lang-tag">English</span>' in client.get("/sources/").content.decode()
    page = client.get("/sources/kazakh-anti-communist-heats-up-again/").content.decode()
    assert '<dd><span class="lang-tag">English</span>' in page
