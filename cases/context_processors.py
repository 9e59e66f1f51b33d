from django.conf import settings


def archive(request):
    return {
        "archive_name": settings.ARCHIVE_NAME,
        "data_licence": settings.ARCHIVE_DATA_LICENCE,
        "data_licence_url": settings.ARCHIVE_DATA_LICENCE_URL,
    }
