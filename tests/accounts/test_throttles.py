"""Sign-in and password-reset limits hold however the address is typed, whoever claims to be
forwarding the request, and on the admin's sign-in page too.

Sign-in failures are counted by django-axes (in the database, so every test starts from none);
password-reset requests by `kvalis.lib.throttle` (in the cache, cleared before every test).
"""

from unittest import mock

from django.test import RequestFactory
from django.urls import reverse

from kvalis.accounts import tasks, throttles
from kvalis.lib.throttle import client_ip
from tests.factories import PASSWORD, UserFactory
from tests.test_settings import import_settings

PAUSE = "Per daug bandymų"


def sign_in(client, email, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# 5. Sign-in


def test_spaces_and_capitals_around_the_address_share_one_budget(client, db):
    """A blocked account does not sign in as " ona@…": every spelling is the same address."""
    UserFactory(email="ona@example.lt")
    spellings = [" ona@example.lt", "ona@example.lt ", "ONA@example.lt", "\tOna@Example.LT\n"]
    for attempt in range(throttles.SIGN_IN_LIMIT):
        sign_in(client, spellings[attempt % len(spellings)], "wrong")

    response = sign_in(client, "  ona@example.lt  ", PASSWORD)

    assert response.status_code == 429
    assert PAUSE in response.text
    assert not signed_in(client)


def test_the_login_itself_normalises_the_address(client, db):
    user = UserFactory(email="ona@example.lt")

    response = sign_in(client, "  ONA@Example.lt ", PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_malformed_address_gets_a_lithuanian_error(client, db):
    response = sign_in(client, "ne adresas", PASSWORD)

    assert response.status_code == 200
    assert "Įveskite teisingą el. pašto adresą" in response.text


def test_a_rotated_x_real_ip_header_buys_no_new_attempts(client, db):
    """Without TRUSTED_PROXIES any client may send X-Real-IP; it is not believed."""
    user = UserFactory(email="ona@example.lt")
    for attempt in range(throttles.SIGN_IN_LIMIT):
        sign_in(client, user.email, "wrong", HTTP_X_REAL_IP=f"203.0.113.{attempt}")

    response = sign_in(client, user.email, PASSWORD, HTTP_X_REAL_IP="198.51.100.1")

    assert response.status_code == 429
    assert not signed_in(client)


def test_x_real_ip_names_the_client_only_when_a_trusted_proxy_sent_it(settings):
    factory = RequestFactory()
    settings.TRUSTED_PROXIES = []
    assert client_ip(factory.get("/", HTTP_X_REAL_IP="203.0.113.9")) == "127.0.0.1"

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(factory.get("/", HTTP_X_REAL_IP="203.0.113.9")) == "203.0.113.9"
    # A proxy that passes garbage on is not a client's address: the proxy's own is used.
    assert client_ip(factory.get("/", HTTP_X_REAL_IP="<script>")) == "127.0.0.1"
    other = factory.get("/", HTTP_X_REAL_IP="203.0.113.9", REMOTE_ADDR="192.0.2.7")
    assert client_ip(other) == "192.0.2.7"


def test_behind_a_trusted_proxy_one_client_does_not_pause_another(client, settings, db):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    user = UserFactory(email="ona@example.lt")
    for _ in range(throttles.SIGN_IN_LIMIT):
        sign_in(client, user.email, "wrong", HTTP_X_REAL_IP="203.0.113.5")

    response = sign_in(client, user.email, PASSWORD, HTTP_X_REAL_IP="203.0.113.6")

    assert response.status_code == 302
    assert signed_in(client)


def test_one_password_tried_against_many_accounts_pauses_the_client(client, db):
    for number in range(throttles.CLIENT_LIMIT):
        sign_in(client, f"vartotojas{number}@example.lt", "Vasara2014")
    user = UserFactory(email="ona@example.lt")

    response = sign_in(client, user.email, PASSWORD)

    assert response.status_code == 429
    assert not signed_in(client)


def test_many_clients_guessing_one_account_pause_that_account(client, db):
    user = UserFactory(email="ona@example.lt")
    for number in range(throttles.ACCOUNT_LIMIT):
        sign_in(client, user.email, "wrong", REMOTE_ADDR=f"203.0.113.{number}")

    response = sign_in(client, user.email, PASSWORD, REMOTE_ADDR="198.51.100.1")

    assert response.status_code == 429
    assert not signed_in(client)
    # Another account from a fresh address is not paused by it.
    other = UserFactory(email="jonas@example.lt")
    assert sign_in(client, other.email, PASSWORD, REMOTE_ADDR="198.51.100.2").status_code == 302


def test_failures_across_the_whole_site_pause_every_sign_in(client, db, monkeypatch):
    monkeypatch.setattr(throttles, "SITE_LIMIT", 6)
    for number in range(6):
        sign_in(client, f"v{number}@example.lt", "wrong", REMOTE_ADDR=f"203.0.113.{number}")
    user = UserFactory(email="ona@example.lt")

    response = sign_in(client, user.email, PASSWORD, REMOTE_ADDR="198.51.100.1")

    assert response.status_code == 429
    assert not signed_in(client)


def test_the_pause_page_is_lithuanian_and_points_to_the_password_reset(client, db):
    user = UserFactory(email="ona@example.lt")
    for _ in range(throttles.SIGN_IN_LIMIT):
        sign_in(client, user.email, "wrong")

    response = sign_in(client, user.email, "wrong")

    assert response.status_code == 429
    assert '<html lang="lt">' in response.text
    assert PAUSE in response.text
    assert reverse("accounts:password_reset") in response.text


def test_trusted_proxies_must_be_ip_addresses(tmp_path):
    result = import_settings(tmp_path, TRUSTED_PROXIES="127.0.0.1,nginx.local")

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line and "TRUSTED_PROXIES" in last_line


# 6. The admin's sign-in page


def admin_sign_in(client, email, password):
    return client.post(
        reverse("admin:login"),
        {"username": email, "password": password, "next": reverse("admin:index")},
    )


def test_admin_sign_in_pauses_after_the_same_limit(client, db):
    admin = UserFactory(email="admin@example.lt", is_staff=True, is_superuser=True)
    for attempt in range(15):
        admin_sign_in(client, admin.email if attempt % 2 else f" {admin.email.upper()}", "wrong")

    response = admin_sign_in(client, admin.email, PASSWORD)

    assert response.status_code == 429
    assert PAUSE in response.text
    assert not signed_in(client)


def test_admin_sign_in_still_works_below_the_limit(client, db):
    admin = UserFactory(email="admin@example.lt", is_staff=True, is_superuser=True)
    for _ in range(throttles.SIGN_IN_LIMIT - 1):
        admin_sign_in(client, admin.email, "wrong")

    response = admin_sign_in(client, admin.email, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


# 7. Password reset


def ask_for_reset(client, email, **extra):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **extra)


def test_password_reset_sends_at_most_three_mails_per_address_an_hour(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ona@example.lt")
    with django_capture_on_commit_callbacks(execute=True):
        responses = [ask_for_reset(client, f" {user.email.upper()} ") for _ in range(20)]

    assert len(mailoutbox) == throttles.RESET_PER_ADDRESS == 3
    # Silently: the twentieth answer is the first one's.
    assert {(r.status_code, r["Location"]) for r in responses} == {
        (302, reverse("accounts:password_reset_done"))
    }


def test_password_reset_pauses_a_client_asking_for_many_addresses(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    users = [UserFactory() for _ in range(20)]
    with django_capture_on_commit_callbacks(execute=True):
        for user in users:
            assert ask_for_reset(client, user.email).status_code == 302

    assert len(mailoutbox) == throttles.RESET_PER_CLIENT
    # Another client still gets its mail.
    with django_capture_on_commit_callbacks(execute=True):
        ask_for_reset(client, users[-1].email, REMOTE_ADDR="198.51.100.1")
    assert mailoutbox[-1].to == [users[-1].email]


def test_known_and_unknown_addresses_do_the_same_work_in_the_request(client, db):
    """The request only queues the address; looking it up and writing the e-mail happen in
    the background, so the answer takes as long for an address with a login as without."""
    UserFactory(email="ona@example.lt")
    calls, responses = [], []
    for email in ("ona@example.lt", "niekas@example.lt"):
        with (
            mock.patch.object(tasks, "password_reset_send") as queued,
            mock.patch("django.contrib.auth.forms.PasswordResetForm.send_mail") as send_mail,
        ):
            response = ask_for_reset(client, email)
        queued.enqueue.assert_called_once()
        send_mail.assert_not_called()
        calls.append(queued.enqueue.call_args.kwargs)
        responses.append((response.status_code, response["Location"], response.content))

    known, unknown = calls
    assert (known.pop("email"), unknown.pop("email")) == ("ona@example.lt", "niekas@example.lt")
    assert known == unknown
    assert responses[0] == responses[1]
    assert responses[0][:2] == (302, reverse("accounts:password_reset_done"))


def test_the_queued_reset_reaches_a_known_address_only(db, mailoutbox):
    UserFactory(email="ona@example.lt")
    queued = {
        "domain": "kvalis.example.lt",
        "use_https": True,
        "language": "en",
        "templates": {
            "subject_template_name": "registration/password_reset_subject.txt",
            "email_template_name": "registration/password_reset_email.txt",
            "html_email_template_name": "registration/password_reset_email.html",
        },
    }

    tasks.password_reset_send.call(email="ona@example.lt", **queued)
    tasks.password_reset_send.call(email="niekas@example.lt", **queued)

    (message,) = mailoutbox
    assert message.to == ["ona@example.lt"]
    assert "https://kvalis.example.lt/accounts/reset/" in message.body
    assert message.body.startswith("Hello,")  # in the language the page was asked in
