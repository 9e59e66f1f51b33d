"""Absolute addresses for permalinks, citations, feeds and exports."""

from django.conf import settings


def absolute_url(request, path):
    """``path`` on the archive's public address: ARCHIVE_BASE_URL when set, else the request's own host."""
    if settings.ARCHIVE_BASE_URL:
        return f"{settings.ARCHIVE_BASE_URL}{path}"
    return request.build_absolute_uri(path)
