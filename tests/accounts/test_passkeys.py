"""Passkeys (WebAuthn) as a second factor, beside the TOTP app.

A login whose only device is a passkey has a second factor everywhere the app counts: the
sign-in asks for the second step, the admin keeps an unverified session out, an organisation's
requirement is met, and a colleague's reset removes it. The sign-in's passkey endpoints serve
only a pending sign-in (the password was right a moment ago); a refused passkey is a failed
sign-in for django-axes. The holder removes a passkey after confirming, audited; another login's
passkey answers 404. The ceremonies themselves run in a real browser:
tests/journeys/test_passkeys.py.
"""

import json
import os

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential
from webauthn.helpers import bytes_to_base64url

from kvalis.accounts import second_factor, throttles
from kvalis.audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory, make_coordinator


def passkey_for(user) -> WebAuthnCredential:
    """A saved passkey, as django-otp-webauthn stores one after a registration."""
    return WebAuthnCredential.objects.create(
        user=user,
        name="",
        credential_id=os.urandom(32),
        public_key=os.urandom(77),
        sign_count=0,
        aaguid="00000000-0000-0000-0000-000000000000",
        confirmed=True,
    )


def sign_in(client, user, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def post_json(client, name, body=None):
    return client.post(reverse(name), json.dumps(body or {}), content_type="application/json")


BEGIN = "otp_webauthn:credential-authentication-begin"
COMPLETE = "otp_webauthn:credential-authentication-complete"


# --- counting devices -----------------------------------------------------------------------


def test_a_passkey_alone_is_a_second_factor(db):
    user = UserFactory()
    assert not second_factor.has_second_factor(user)
    passkey_for(user)
    assert second_factor.has_second_factor(user)
    assert not second_factor.has_totp(user)


def test_an_unconfirmed_passkey_is_not_a_second_factor(db):
    passkey = passkey_for(UserFactory())
    passkey.confirmed = False
    passkey.save()
    assert not second_factor.has_second_factor(passkey.user)


def test_users_with_second_factor_counts_apps_and_passkeys(db, django_assert_num_queries):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with_app, with_passkey, with_both, without = UserFactory.create_batch(4)
    TOTPDevice.objects.create(user=with_app, confirmed=True)
    TOTPDevice.objects.create(user=with_both, confirmed=True)
    passkey_for(with_passkey)
    passkey_for(with_both)
    users = type(without).objects.filter(
        pk__in=[u.pk for u in (with_app, with_passkey, with_both, without)]
    )

    with django_assert_num_queries(2):
        ids = second_factor.users_with_second_factor(users)

    assert ids == {with_app.pk, with_passkey.pk, with_both.pk}


def test_a_passkey_meets_the_organisations_requirement(world):
    world.lead.require_second_factor = True
    world.lead.save()
    assert second_factor.setup_required(world.alice)
    passkey_for(world.alice)
    assert not second_factor.setup_required(world.alice)


def test_the_organisation_page_shows_a_passkey_only_colleague_with_a_factor(client, world):
    colleague = UserFactory(email="kolege@example.lt", first_name="Rūta")
    make_coordinator(world.lead, colleague)
    passkey_for(colleague)
    client.force_login(world.alice)

    page = client.get(
        reverse("accounts:organisation_second_factor", kwargs={"organisation_pk": world.lead.pk})
    )

    row = page.text[page.text.index("kolege@example.lt") :]
    row = row[: row.index("</tr>")]
    assert "<td>Įjungtas</td>" in row


def test_a_colleagues_reset_removes_their_passkeys_too(client, world):
    colleague = UserFactory(email="kolege@example.lt")
    make_coordinator(world.lead, colleague)
    passkey_for(colleague)
    client.force_login(world.alice)

    client.post(
        reverse(
            "accounts:second_factor_reset",
            kwargs={"organisation_pk": world.lead.pk, "colleague_pk": colleague.pk},
        )
    )

    assert not second_factor.has_second_factor(colleague)
    assert AuditEntry.objects.filter(action="user.second_factor_reset").count() == 1


# --- the sign-in ----------------------------------------------------------------------------


def test_a_passkey_only_login_is_asked_for_the_second_step(client, db):
    user = UserFactory()
    passkey_for(user)

    response = sign_in(client, user)

    assert response["Location"] == reverse("accounts:login_verify")
    assert not signed_in(client)
    page = client.get(reverse("accounts:login_verify"))
    assert 'id="passkey-verification-button"' in page.text
    assert reverse(BEGIN) in page.text


def test_the_code_step_of_a_login_without_passkeys_offers_none(client, db):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = UserFactory()
    TOTPDevice.objects.create(user=user, confirmed=True)
    sign_in(client, user)

    page = client.get(reverse("accounts:login_verify"))

    assert "passkey-verification-button" not in page.text


def test_the_passkey_challenge_names_the_pending_logins_passkeys_only(client, db):
    user = UserFactory()
    passkey = passkey_for(user)
    passkey_for(UserFactory())
    sign_in(client, user)

    response = post_json(client, BEGIN)

    assert response.status_code == 200
    allowed = [item["id"] for item in response.json()["allowCredentials"]]
    assert allowed == [bytes_to_base64url(bytes(passkey.credential_id))]
    assert not signed_in(client)


def test_without_a_password_first_there_is_no_passkey_challenge(client, db):
    passkey_for(UserFactory())

    response = post_json(client, BEGIN)

    assert response.status_code == 403
    assert "prisijunkite slaptažodžiu" in response.json()["detail"]


def test_a_refused_passkey_is_a_failed_sign_in(client, db):
    user = UserFactory()
    passkey_for(user)
    sign_in(client, user)
    post_json(client, BEGIN)

    response = post_json(client, COMPLETE, {"id": "AAAA", "rawId": "AAAA", "type": "public-key"})

    assert response.status_code == 403
    assert "Prieigos raktas nepriimtas" in response.json()["detail"]
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username=user.email).failures_since_start == 1


def test_once_paused_the_passkey_step_is_refused_too(client, db):
    user = UserFactory()
    passkey_for(user)
    for _ in range(throttles.SIGN_IN_LIMIT - 1):
        sign_in(client, user, "wrong")
    sign_in(client, user)
    post_json(client, BEGIN)
    post_json(client, COMPLETE, {"id": "AAAA"})  # the tenth failure

    response = post_json(client, COMPLETE, {"id": "AAAA"})

    assert response.status_code == 429
    assert "Per daug bandymų" in response.json()["detail"]
    assert not signed_in(client)


def test_an_unverified_session_of_a_staff_login_with_a_passkey_is_kept_out_of_the_admin(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    passkey_for(admin)
    client.force_login(admin)  # a session that never passed the second step

    assert client.get(reverse("admin:index")).status_code == 302


def test_the_admin_sign_in_hands_a_passkey_login_on_to_the_second_step(client, db):
    admin = UserFactory(is_staff=True, is_superuser=True)
    passkey_for(admin)

    response = client.post(
        reverse("admin:login"),
        {"username": admin.email, "password": PASSWORD, "next": reverse("admin:index")},
    )

    assert response["Location"].startswith(reverse("accounts:login_verify"))
    assert not signed_in(client)


# --- the holder's passkeys ------------------------------------------------------------------


def test_the_second_factor_page_lists_passkeys_and_offers_to_add_one(client, db):
    user = UserFactory()
    passkey = passkey_for(user)
    client.force_login(user)

    page = client.get(reverse("accounts:second_factor"))

    assert 'id="passkey-register-button"' in page.text
    assert reverse("accounts:passkey_remove", kwargs={"passkey_pk": passkey.pk}) in page.text
    # The package's script is served by the app itself.
    assert "/static/django_otp_webauthn/otp_webauthn_register.js" in page.text


def test_a_coordinator_owing_the_set_up_may_start_a_passkey(client, world):
    world.lead.require_second_factor = True
    world.lead.save()
    sign_in(client, world.alice)

    response = post_json(client, "otp_webauthn:credential-registration-begin")

    assert response.status_code == 200
    assert response.json()["rp"]["name"] == "Kvalis"


def test_removing_a_passkey_asks_first_then_removes_it_audited(client, db):
    user = UserFactory()
    passkey = passkey_for(user)
    client.force_login(user)
    url = reverse("accounts:passkey_remove", kwargs={"passkey_pk": passkey.pk})

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()

    response = client.post(url)

    assert response["Location"] == reverse("accounts:second_factor")
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    entry = AuditEntry.objects.get(action="user.passkey_remove")
    assert entry.actor == user and entry.object_id == str(user.pk)


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_logins_passkey_answers_404(client, db, method):
    passkey = passkey_for(UserFactory())
    client.force_login(UserFactory())

    url = reverse("accounts:passkey_remove", kwargs={"passkey_pk": passkey.pk})
    response = getattr(client, method)(url)

    assert response.status_code == 404
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()


def test_the_last_passkey_stays_while_the_organisation_requires_a_factor(client, world):
    passkey = passkey_for(world.alice)
    world.lead.require_second_factor = True
    world.lead.save()
    client.force_login(world.alice)

    response = client.post(reverse("accounts:passkey_remove", kwargs={"passkey_pk": passkey.pk}))

    assert response.status_code == 400
    assert "reikalauja antrojo veiksnio" in response.text
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert not AuditEntry.objects.filter(action="user.passkey_remove").exists()


def test_with_a_passkey_left_the_app_can_be_removed_despite_the_requirement(client, world):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=world.alice, confirmed=True)
    passkey_for(world.alice)
    world.lead.require_second_factor = True
    world.lead.save()
    client.force_login(world.alice)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"

    response = client.post(
        reverse("accounts:second_factor"), {"action": "remove", "remove-code": code}
    )

    assert response.status_code == 302
    assert not second_factor.has_totp(world.alice)
    assert second_factor.has_second_factor(world.alice)
