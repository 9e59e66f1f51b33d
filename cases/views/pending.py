"""Routes whose pages are still being built answer 404, so every URL name already reverses.

Temporary scaffolding while the sections are built in parallel: each section
replaces its routes' view, and this module is deleted when none is left.
"""

from django.http import Http404


def not_built_yet(request, **kwargs):
    raise Http404("This page has not been built yet.")
