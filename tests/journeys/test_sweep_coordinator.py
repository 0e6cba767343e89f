"""The coordinator's pages (the most of any login), swept as `tests/journeys/sweep.py` says."""

from tests.journeys.sweep import MARKS, sweep

pytestmark = MARKS


def test_every_page_the_coordinator_reaches_fits_a_phone_and_passes_axe(
    transactional_db, new_context, live_server
):
    sweep(transactional_db, new_context, live_server, ["coordinator"])
