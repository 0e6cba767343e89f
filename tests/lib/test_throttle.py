"""Public and guessable inputs pause after too many attempts, with a translated message."""

from django.urls import reverse

from kvalis.accounts.forms import SIGN_IN_LIMIT
from kvalis.attendance.views import CODE_LIMIT
from kvalis.enrolment.views import APPLY_LIMIT
from tests.factories import PASSWORD, UserFactory

PAUSE = "Per daug bandymų"


def sign_in(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_sign_in_pauses_after_too_many_wrong_passwords_even_for_the_right_one(client, db):
    user = UserFactory(email="ona@example.lt")
    for _ in range(SIGN_IN_LIMIT):
        assert PAUSE not in sign_in(client, user.email, "wrong").text

    response = sign_in(client, user.email, PASSWORD)

    assert PAUSE in response.text
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_for_one_address_do_not_lock_out_another(client, db):
    UserFactory(email="ona@example.lt")
    other = UserFactory(email="jonas@example.lt")
    for _ in range(SIGN_IN_LIMIT):
        sign_in(client, "ona@example.lt", "wrong")

    response = sign_in(client, other.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_typed_check_in_codes_pause_after_too_many_wrong_ones(client, world):
    client.force_login(world.alice)
    url = reverse("attendance:checkin")
    for _ in range(CODE_LIMIT):
        response = client.post(url, {"code": "ZZZZZZ"})
        assert response.status_code == 400 and PAUSE not in response.text

    response = client.post(url, {"code": "ZZZZZZ"})

    assert response.status_code == 429
    assert PAUSE in response.text


def test_public_application_form_pauses_one_address_after_the_hourly_limit(client, world):
    from datetime import date, timedelta

    from kvalis.enrolment.models import Enrolment
    from tests.factories import ActivityFactory, CohortFactory, ProjectFactory

    today = date.today()
    project = ProjectFactory(start_date=today, end_date=today + timedelta(days=90))
    cohort = CohortFactory(
        activity=ActivityFactory(project=project),
        start_date=today + timedelta(days=30),
        end_date=today + timedelta(days=31),
    )
    url = reverse("enrolment:apply", args=[cohort.public_id])
    for _ in range(APPLY_LIMIT):
        client.post(url, {})
    before = Enrolment.objects.count()

    response = client.post(url, {})

    assert response.status_code == 429
    assert PAUSE in response.text
    assert Enrolment.objects.count() == before


def test_the_window_runs_from_the_first_attempt_on_the_database_cache(settings, db, monkeypatch):
    """`cache.incr` of the database cache wrote the count back with the default timeout (five
    minutes): attempts spaced six minutes apart were never paused. The window now ends
    `window` seconds after the first attempt, on every cache."""
    import time
    from datetime import UTC, datetime

    from django.core.cache import caches
    from django.core.management import call_command

    from kvalis.lib import throttle

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kvalis_throttle_test",
        },
    }
    call_command("createcachetable", verbosity=0)
    start = time.time()
    now = [start]
    # One clock for the throttle and for the cache's own expiry.
    monkeypatch.setattr(time, "time", lambda: now[0])
    monkeypatch.setattr(
        "django.core.cache.backends.db.tz_now", lambda: datetime.fromtimestamp(now[0], tz=UTC)
    )
    for _ in range(3):
        assert not throttle.attempt("t", "1.2.3.4", limit=3, window=3600)
        now[0] += 360  # six minutes later: past the cache's default timeout
    assert throttle.attempt("t", "1.2.3.4", limit=3, window=3600)
    assert throttle.is_blocked("t", "1.2.3.4", limit=3)
    now[0] = start + 3601  # an hour after the first attempt: counted afresh
    assert not throttle.is_blocked("t", "1.2.3.4", limit=3)
    assert not throttle.attempt("t", "1.2.3.4", limit=3, window=3600)
    # record() counts the same way
    throttle.record("u", "5.6.7.8", window=60)
    throttle.record("u", "5.6.7.8", window=60)
    assert throttle.is_blocked("u", "5.6.7.8", limit=2)
    caches["default"].clear()
