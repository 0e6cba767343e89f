"""Money: Decimal amounts, the fixed litas rate and Lithuanian formatting (25 000,00 Lt)."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

# The fixed conversion rate at which Lithuania adopted the euro on 2015-01-01.
LTL_PER_EUR = Decimal("3.45280")
CENT = Decimal("0.01")


class Currency(models.TextChoices):
    EUR = "EUR", _("euro (€)")
    LTL = "LTL", _("litas (Lt)")


SYMBOLS = {Currency.EUR: "€", Currency.LTL: "Lt"}


def to_cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def ltl_to_eur(amount: Decimal) -> Decimal:
    return to_cents(Decimal(amount) / LTL_PER_EUR)


def eur_to_ltl(amount: Decimal) -> Decimal:
    return to_cents(Decimal(amount) * LTL_PER_EUR)


def in_eur(amount: Decimal, currency: str) -> Decimal:
    return ltl_to_eur(amount) if currency == Currency.LTL else to_cents(amount)


def format_amount(amount: Decimal) -> str:
    """7240.5 -> '7 240,50': groups of three split by a space, a decimal comma."""
    amount = to_cents(amount)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups)},{cents}"


def currency_symbol(currency: str) -> str:
    """The word pages and exports use for a currency code: 'LTL' -> 'Lt', 'EUR' -> '€'.
    (The ISO code stays in machine-readable output: JSON, the API.)"""
    return SYMBOLS[Currency(currency)]


def format_money(amount: Decimal | None, currency: str) -> str:
    if amount is None:
        return ""
    return f"{format_amount(amount)} {currency_symbol(currency)}"
