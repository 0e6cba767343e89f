"""Filters every template uses: money, hours, Lithuanian-friendly numbers."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from kvalis.lib.money import Currency, format_money, in_eur

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = Currency.EUR) -> str:
    """{{ project.grant_amount|money:project.currency }} -> 25 000,00 Lt"""
    return format_money(amount, currency)


@register.filter
def eur(amount: Decimal | None, currency: str) -> str:
    """The EUR equivalent at the fixed rate: {{ amount|eur:"LTL" }} -> 7 240,50 €"""
    if amount is None:
        return ""
    return format_money(in_eur(amount, currency), Currency.EUR)


@register.filter
def hours(value: Decimal | None) -> str:
    """Academic hours without a useless ',0', thousands grouped: 16 / 7,5 / 3 136,6."""
    if value is None:
        return ""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 1
    return number_format(value, decimal_pos=places, force_grouping=True)


@register.simple_tag(takes_context=True)
def query_transform(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()
