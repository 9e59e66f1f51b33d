from django.urls import include, path

urlpatterns = [
    path("", include("cases.urls")),
]

handler400 = "cases.views.errors.bad_request"
handler404 = "cases.views.errors.page_not_found"
handler500 = "cases.views.errors.server_error"
