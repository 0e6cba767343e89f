from datetime import date, timedelta

import pytest

from tests.factories import CohortFactory, SessionFactory


@pytest.fixture
def future_cohort(world):
    """An open cohort of the world's project that starts in a month, capacity 2."""
    start = date.today() + timedelta(days=30)
    cohort = CohortFactory(
        activity=world.activity, start_date=start, end_date=start + timedelta(days=1), capacity=2
    )
    SessionFactory(cohort=cohort)
    return cohort
