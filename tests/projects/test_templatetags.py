"""The number filters the templates use: money and academic hours written the Lithuanian way."""

from decimal import Decimal

import pytest
from django.utils import translation

from kvalis.projects.templatetags.kvalis import hours


@pytest.mark.parametrize(
    ("value", "lithuanian", "english"),
    [
        ("16", "16", "16"),
        ("7.5", "7,5", "7.5"),
        ("4.44", "4,4", "4.4"),
        ("1000", "1\xa0000", "1,000"),
        ("3136.6", "3\xa0136,6", "3,136.6"),
    ],
)
def test_hours_drop_a_useless_zero_and_group_thousands(value, lithuanian, english):
    with translation.override("lt"):
        assert hours(Decimal(value)) == lithuanian
    with translation.override("en"):
        assert hours(Decimal(value)) == english


def test_no_hours_is_an_empty_cell():
    assert hours(None) == ""
