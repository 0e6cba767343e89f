"""Money typed the Lithuanian way or the programmer's way, exact to the cent."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kvalis.budget.fields import AmountField
from kvalis.budget.validators import validate_amount


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 234,50", Decimal("1234.50")),
        ("1234.50", Decimal("1234.50")),
        ("1234,5", Decimal("1234.50")),
        ("25\u00a0000,00", Decimal("25000.00")),
        ("25\u202f000", Decimal("25000.00")),
        (" 7 ", Decimal("7.00")),
    ],
)
def test_amount_field_accepts_lithuanian_and_dotted_input(text, expected):
    assert AmountField().clean(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("12,345", "dviejų skaitmenų po kablelio"),
        ("12.345", "dviejų skaitmenų po kablelio"),
        ("-5,00", "negali būti neigiama"),
        ("0", "didesnė už nulį"),
        ("0,00", "didesnė už nulį"),
        ("1.234,50", "vienu dešimtainiu skyrikliu"),
        ("abc", "1 234,50"),
        ("1e5", "1 234,50"),
        ("NaN", "1 234,50"),
    ],
)
def test_amount_field_refuses_bad_amounts_with_a_translated_message(text, message):
    with pytest.raises(ValidationError) as caught:
        AmountField().clean(text)
    assert message in " ".join(caught.value.messages)


def test_planned_amount_may_be_zero_when_allowed():
    assert AmountField(allow_zero=True).clean("0") == Decimal("0.00")


def test_validate_amount_refuses_floats_which_lost_the_cents_already():
    with pytest.raises(ValidationError):
        validate_amount(0.1 + 0.2)


def test_amount_field_shows_a_stored_amount_in_lithuanian_format():
    assert AmountField().prepare_value(Decimal("25000.00")) == "25 000,00"
