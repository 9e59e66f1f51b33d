import pytest
from django.conf import settings

from cases.loader import load_fixture


@pytest.fixture
def article(db):
    """The archive's real data: the CNA article's fixture, loaded as `make run` loads it."""
    return load_fixture(settings.ARCHIVE_FIXTURE)
