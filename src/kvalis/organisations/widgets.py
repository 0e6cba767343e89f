"""The attributes that turn an organisation `<select>` into a search field
(static/kvalis/org-search.js); without JavaScript the select works as it is."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


def org_search_attrs(*, type: str = "") -> dict:  # noqa: A002 - an organisation type
    """For `widget.attrs.update(...)`: the search URL, an optional organisation type to
    search within, and the script's words in the page's language. The page loads the script
    (`{% static 'kvalis/org-search.js' %}`)."""
    return {
        "data-org-search": "",
        "data-org-search-url": reverse_lazy("organisations:search"),
        "data-org-search-type": type,
        "data-org-search-hint": _("Type two or more letters of the name, code or municipality."),
        "data-org-search-none": _("No organisation matches."),
        "data-org-search-found": _("Organisations found: %(count)s."),
    }
