"""Error pages that say what went wrong for the reader and nothing about the server."""

from django.shortcuts import render


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors can be trusted here: render with the request only.
    return render(request, "500.html", status=500)
