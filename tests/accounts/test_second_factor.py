"""The second factor: a TOTP app and recovery codes, asked after the password.

A login with an app signs in only with a code as well; a wrong code is a failed sign-in for
django-axes (the same pause as wrong passwords); a recovery code works once; an organisation can
require the factor of its coordinators; a coordinator resets a colleague's, audited, and nobody
outside the organisation can (404). Logins without a device sign in as before.
"""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kvalis.accounts import second_factor, throttles
from kvalis.audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory, make_coordinator

WRONG_CODE = "Kodas neteisingas"
PAUSE = "Per daug bandymų"


def code_for(device: TOTPDevice, *, ahead: int = 0) -> str:
    """The code the app shows now (`ahead` periods later: a code is accepted once per period,
    and the device accepts the next period's as clock drift)."""
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead)
    return f"{value:0{device.digits}d}"


def sign_in(client, user, password=PASSWORD, **extra):
    return client.post(
        reverse("accounts:login"), {"username": user.email, "password": password}, **extra
    )


def enter_code(client, code, next_url=""):
    url = reverse("accounts:login_verify")
    if next_url:
        url += f"?next={next_url}"
    return client.post(url, {"code": code})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def enable_totp(client, user) -> tuple[TOTPDevice, list[str]]:
    """Through the pages, signed in: start, confirm with the app's code, read the codes."""
    client.force_login(user)
    client.post(reverse("accounts:second_factor"), {"action": "start"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.get(reverse("accounts:second_factor"))
    assert "<svg" in page.text  # the QR code, inline
    response = client.post(
        reverse("accounts:second_factor_confirm"), {"setup-code": code_for(device)}
    )
    assert response.status_code == 302
    codes_page = client.get(response["Location"])
    codes = client_recovery_codes(codes_page.text)
    client.logout()
    device.refresh_from_db()
    return device, codes


def client_recovery_codes(html: str) -> list[str]:
    start = html.index('id="recovery-codes"')
    block = html[start : html.index("</ul>", start)]
    return [part.split("</code>")[0] for part in block.split("<code>")[1:]]


def totp_user(**extra):
    user = UserFactory(**extra)
    device = TOTPDevice.objects.create(user=user, name="Kvalis", confirmed=True)
    codes = second_factor.recovery_codes_create(user=user)
    return user, device, codes


# --- set-up ---------------------------------------------------------------------------------


def test_setting_up_shows_the_secret_and_needs_a_code_before_it_is_on(client, db):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("accounts:second_factor"), {"action": "start"})
    device = TOTPDevice.objects.get(user=user)
    page = client.get(reverse("accounts:second_factor"))
    assert 'id="totp-secret"' in page.text
    assert not second_factor.has_second_factor(user)

    refused = client.post(reverse("accounts:second_factor_confirm"), {"setup-code": "000000"})

    assert refused.status_code == 400
    assert WRONG_CODE in refused.text
    assert not second_factor.has_second_factor(user)
    device.refresh_from_db()
    assert not device.confirmed


def test_enabling_gives_ten_recovery_codes_shown_once(client, db):
    user = UserFactory()
    _device, codes = enable_totp(client, user)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert AuditEntry.objects.filter(action="user.second_factor_add", object_id=str(user.pk))
    client.force_login(user)
    again = client.get(reverse("accounts:recovery_codes"))
    assert codes[0] not in again.text


# --- sign-in --------------------------------------------------------------------------------


def test_a_login_without_a_device_signs_in_as_before(client, db):
    user = UserFactory()
    response = sign_in(client, user)
    assert response.status_code == 302
    assert signed_in(client)


def test_enable_sign_out_and_sign_in_needs_the_code(client, db):
    user = UserFactory()
    device, _codes = enable_totp(client, user)

    response = sign_in(client, user)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login_verify"))
    assert not signed_in(client)
    # Pages stay closed until the code is in.
    assert client.get(reverse("accounts:account")).status_code == 302
    assert not signed_in(client)

    done = enter_code(client, code_for(device, ahead=1), next_url=reverse("accounts:account"))

    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:account")
    assert signed_in(client)
    assert client.get(reverse("accounts:account")).status_code == 200


def test_the_code_step_without_a_password_first_goes_back_to_sign_in(client, db):
    response = enter_code(client, "123456")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert not signed_in(client)


def test_a_wrong_code_is_refused_and_counted_as_a_failed_sign_in(client, db):
    user, device, _codes = totp_user()
    sign_in(client, user)

    response = enter_code(client, "000000")

    assert response.status_code == 400
    assert WRONG_CODE in response.text
    assert not signed_in(client)
    attempt = AccessAttempt.objects.get(username=user.email)
    assert attempt.failures_since_start == 1


def test_wrong_codes_pause_sign_in_like_wrong_passwords(client, db):
    """Wrong passwords and wrong codes share axes' budget; once paused, even the right code
    is refused."""
    user, device, _codes = totp_user()
    for _ in range(throttles.SIGN_IN_LIMIT - 1):
        sign_in(client, user, "wrong")
    sign_in(client, user)
    enter_code(client, "000000")  # the tenth failure

    response = enter_code(client, code_for(device))

    assert response.status_code == 429
    assert PAUSE in response.text
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(client, db):
    user, _device, codes = totp_user()
    sign_in(client, user)
    assert enter_code(client, codes[0].upper()).status_code == 302
    assert signed_in(client)
    client.logout()

    sign_in(client, user)
    reused = enter_code(client, codes[0])

    assert reused.status_code == 400
    assert not signed_in(client)
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_removing_the_factor_needs_a_current_code(client, db):
    user, device, _codes = totp_user()
    client.force_login(user)

    refused = client.post(
        reverse("accounts:second_factor"), {"action": "remove", "remove-code": "000000"}
    )
    assert refused.status_code == 400
    assert second_factor.has_second_factor(user)

    client.post(
        reverse("accounts:second_factor"), {"action": "remove", "remove-code": code_for(device)}
    )
    assert not second_factor.has_second_factor(user)
    assert not StaticToken.objects.filter(device__user=user).exists()


# --- the Django admin -----------------------------------------------------------------------


def test_the_admin_asks_a_staff_login_with_a_device_for_the_code(client, db):
    admin, device, _codes = totp_user(is_staff=True, is_superuser=True)
    response = client.post(
        reverse("admin:login"),
        {"username": admin.email, "password": PASSWORD, "next": reverse("admin:index")},
    )
    assert response["Location"].startswith(reverse("accounts:login_verify"))
    assert not signed_in(client)

    enter_code(client, code_for(device), next_url=reverse("admin:index"))

    assert client.get(reverse("admin:index")).status_code == 200


def test_an_unverified_session_of_a_staff_login_with_a_device_is_kept_out_of_the_admin(client, db):
    admin, _device, _codes = totp_user(is_staff=True, is_superuser=True)
    client.force_login(admin)  # a session that never passed the code
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


# --- required by the organisation -----------------------------------------------------------


def test_a_coordinator_of_an_organisation_requiring_it_is_sent_to_set_it_up(client, world):
    world.lead.require_second_factor = True
    world.lead.save()

    sign_in(client, world.alice)
    assert signed_in(client)
    project_page = client.get(reverse("projects:detail", kwargs={"code": world.project.code}))

    assert project_page.status_code == 302
    assert project_page["Location"] == reverse("accounts:second_factor")
    assert client.get(reverse("accounts:second_factor")).status_code == 200

    client.post(reverse("accounts:second_factor"), {"action": "start"})
    device = TOTPDevice.objects.get(user=world.alice)
    client.post(reverse("accounts:second_factor_confirm"), {"setup-code": code_for(device)})
    after = client.get(reverse("projects:detail", kwargs={"code": world.project.code}))
    assert after.status_code == 200


def test_other_organisations_coordinators_are_not_asked(client, world):
    world.lead.require_second_factor = True
    world.lead.save()
    sign_in(client, world.bob)
    page = client.get(reverse("projects:detail", kwargs={"code": world.project.code}))
    assert page.status_code == 200


def test_a_coordinator_sets_the_requirement_audited(client, world):
    client.force_login(world.alice)
    url = reverse("accounts:organisation_second_factor", kwargs={"organisation_pk": world.lead.pk})
    client.post(url, {"require_second_factor": "on"})
    world.lead.refresh_from_db()
    assert world.lead.require_second_factor
    assert AuditEntry.objects.filter(action="organisation.second_factor_require").exists()


@pytest.mark.parametrize("stranger", ["bob", "charlie", "dana"])
def test_strangers_neither_see_nor_set_the_requirement(client, world, stranger):
    client.force_login(getattr(world, stranger))
    url = reverse("accounts:organisation_second_factor", kwargs={"organisation_pk": world.lead.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"require_second_factor": "on"}).status_code == 404
    world.lead.refresh_from_db()
    assert not world.lead.require_second_factor


# --- a colleague's reset --------------------------------------------------------------------


@pytest.fixture
def colleague(world):
    user, _device, _codes = totp_user(email="kolege@example.lt", first_name="Rūta")
    make_coordinator(world.lead, user)
    return user


def reset_url(world, colleague):
    return reverse(
        "accounts:second_factor_reset",
        kwargs={"organisation_pk": world.lead.pk, "colleague_pk": colleague.pk},
    )


def test_a_coordinator_resets_a_colleagues_factor_audited_and_mailed(
    client, world, colleague, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_url(world, colleague))

    assert response.status_code == 302
    assert not second_factor.confirmed_devices(colleague)
    entry = AuditEntry.objects.get(action="user.second_factor_reset")
    assert entry.actor == world.alice and entry.object_id == str(colleague.pk)
    assert entry.organisation == world.lead
    assert [message.to for message in mailoutbox] == [[colleague.email]]
    # The colleague signs in with the password alone now.
    client.logout()
    sign_in(client, colleague)
    assert signed_in(client)


@pytest.mark.parametrize("stranger", ["bob", "charlie", "dana"])
def test_strangers_cannot_reset_a_colleagues_factor(client, world, colleague, stranger, mailoutbox):
    """bob coordinates partner B (another organisation), charlie another project's lead, dana
    is a member of the public: 404 each, nothing removed, nobody mailed."""
    client.force_login(getattr(world, stranger))
    assert client.post(reset_url(world, colleague)).status_code == 404
    assert second_factor.has_second_factor(colleague)
    assert not AuditEntry.objects.filter(action="user.second_factor_reset").exists()
    assert mailoutbox == []


def test_someone_outside_the_organisation_cannot_be_reset_through_it(client, world):
    """A login with a device who is no coordinator of the lead: 404 through the lead's page."""
    outsider, _device, _codes = totp_user()
    client.force_login(world.alice)
    response = client.post(reset_url(world, outsider))
    assert response.status_code == 404
    assert second_factor.has_second_factor(outsider)


def test_a_coordinator_cannot_reset_their_own_factor_without_a_code(client, world):
    TOTPDevice.objects.create(user=world.alice, name="Kvalis", confirmed=True)
    client.force_login(world.alice)
    response = client.post(reset_url(world, world.alice), follow=True)
    assert second_factor.has_second_factor(world.alice)
    assert "paskyros puslapyje" in response.text
    assert not AuditEntry.objects.filter(action="user.second_factor_reset").exists()


def test_a_coordinator_owing_the_set_up_may_still_sign_out(client, world):
    world.lead.require_second_factor = True
    world.lead.save()
    sign_in(client, world.alice)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert not signed_in(client)


def test_the_factor_cannot_be_removed_while_the_organisation_requires_it(client, world):
    device = TOTPDevice.objects.create(user=world.alice, name="Kvalis", confirmed=True)
    world.lead.require_second_factor = True
    world.lead.save()
    client.force_login(world.alice)

    response = client.post(
        reverse("accounts:second_factor"), {"action": "remove", "remove-code": code_for(device)}
    )

    assert response.status_code == 400
    assert "reikalauja antrojo veiksnio" in response.text
    assert second_factor.has_second_factor(world.alice)


def test_the_organisation_page_links_its_coordinators_to_the_requirement(client, world):
    """alice coordinates the lead; bob sees the lead's page (a partner in its project) and
    charlie does not (404): neither gets the link."""
    page = reverse("organisations:detail", kwargs={"organisation_pk": world.lead.pk})
    url = reverse("accounts:organisation_second_factor", kwargs={"organisation_pk": world.lead.pk})
    client.force_login(world.alice)
    assert url in client.get(page).content.decode()
    client.force_login(world.bob)
    response = client.get(page)
    assert response.status_code == 200 and url not in response.content.decode()
    client.force_login(world.charlie)
    assert client.get(page).status_code == 404
