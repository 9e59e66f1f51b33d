from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.template import loader

SAFE_METHODS = ("GET", "HEAD")


class ReadOnlyMiddleware:
    """Answers every method but GET and HEAD with 405, before any view runs.

    The public site changes nothing, so no URL, existing or not, accepts a
    write. It also sends the Permissions-Policy header, which Django does not
    set by itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS:
            body = loader.render_to_string("405.html", {"method": request.method}, request)
            response = HttpResponseNotAllowed(SAFE_METHODS, body)
        else:
            response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
