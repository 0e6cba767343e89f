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
