from django.test import RequestFactory

from cases.permalinks import absolute_url


def test_permalinks_use_the_public_address_when_set(settings):
    settings.ARCHIVE_BASE_URL = "https://archive.example.org"
    request = RequestFactory().get("/", HTTP_HOST="127.0.0.1:8000")
    assert absolute_url(request, "/cases/a8023r/") == "https://archive.example.org/cases/a8023r/"


def test_permalinks_fall_back_to_the_request_host(settings):
    settings.ARCHIVE_BASE_URL = ""
    request = RequestFactory().get("/", HTTP_HOST="localhost:8000")
    assert absolute_url(request, "/cases/a8023r/") == "http://localhost:8000/cases/a8023r/"
