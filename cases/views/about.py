"""``/about/``: who publishes the archive, what it records, how it checks, how to ask for a correction."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.views.generic import TemplateView


def contact_link(contact):
    """The address a link to the contact goes to (mailto: or the https:// page), or None when the
    contact is not configured (settings.ARCHIVE_CONTACT then says so in words)."""
    if contact.startswith("https://"):
        return contact
    try:
        EmailValidator()(contact)
    except ValidationError:
        return None
    return f"mailto:{contact}"


class AboutView(TemplateView):
    template_name = "about.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "publisher": settings.ARCHIVE_PUBLISHER,
            "contact": settings.ARCHIVE_CONTACT,
            "contact_href": contact_link(settings.ARCHIVE_CONTACT),
        }
