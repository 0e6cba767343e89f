"""Reads of the organisation directory: the search behind its list and the JSON endpoint."""

from django.db.models import Q, QuerySet

from kvalis.lib.collation import lt_order
from kvalis.organisations.geo import Municipality
from kvalis.organisations.models import Organisation

# The JSON search answers at most this many, and only for this many letters or more.
SEARCH_LIMIT = 20
SEARCH_MIN_LENGTH = 2


def organisation_search(query: str, *, type: str = "") -> QuerySet[Organisation]:  # noqa: A002
    """Organisations matching every word of `query` in the name, short name, company code or
    municipality (its name as shown: "Molėtų r."), in Lithuanian order."""
    organisations = Organisation.objects.all()
    for word in query.split():
        municipalities = [
            value for value, label in Municipality.choices if word.casefold() in label.casefold()
        ]
        organisations = organisations.filter(
            Q(name__icontains=word)
            | Q(short_name__icontains=word)
            | Q(company_code__startswith=word)
            | Q(municipality__in=municipalities)
        )
    if type:
        organisations = organisations.filter(type=type)
    return organisations.order_by(*lt_order("name"), "pk")


def label_of(organisation: Organisation) -> str:
    """How a choice names an organisation: with its municipality (the same name recurs)."""
    municipality = organisation.get_municipality_display()
    return f"{organisation.name} ({municipality})" if municipality else organisation.name
