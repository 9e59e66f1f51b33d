from django import template

from .. import languages

register = template.Library()


@register.filter
def language_name(tag):
    """``{{ source.language|language_name }}``: "Chinese (Traditional)" for ``zh-Hant``."""
    return languages.language_name(tag) if tag else tag
