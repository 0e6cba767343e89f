"""Onboarding: an institution asks to join, a site administrator approves (or rejects) it, and
its contact person sets a password through the e-mailed link and starts a project."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from kvalis.accounts.models import User
from kvalis.audit.models import AuditEntry
from kvalis.organisations.models import JoinRequest, Organisation, OrganisationCoordinator
from kvalis.projects.models import Project
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

CODE = "302456789"


def _form(**changes) -> dict:
    data = {
        "name": "Kauno miesto muziejus",
        "type": "museum",
        "municipality": "kauno-m",
        "company_code": CODE,
        "address": "Rotušės a. 1, Kaunas",
        "contact_first_name": "Eglė",
        "contact_last_name": "Kaunietė",
        "contact_email": "egle@muziejus.lt",
        "contact_phone": "+37060012345",
        "contact_position": "direktorė",
    }
    return {**data, **changes}


@pytest.fixture
def admin(db):
    return UserFactory(email="admin@kvalis.lt", is_superuser=True, is_staff=True)


def _send(client, **changes):
    with_callbacks = client.post(reverse("organisations:join"), _form(**changes))
    return with_callbacks


def _link(message) -> str:
    return re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_join_approve_set_password_and_start_a_project(
    client, admin, django_capture_on_commit_callbacks
):
    """The whole way in: the request, both e-mails, the approval, the link, a project."""
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:join_sent")
    join_request = JoinRequest.objects.get()
    assert join_request.status == "pending"
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@kvalis.lt", "egle@muziejus.lt"]
    received = next(m for m in mail.outbox if m.to == ["egle@muziejus.lt"])
    assert received.body.startswith("Sveiki, Egle,\n")  # the contact's first name, vocative
    notice = next(m for m in mail.outbox if m.to == ["admin@kvalis.lt"])
    assert "Kauno miesto muziejus" in notice.subject
    assert reverse("organisations:join_request", args=[join_request.pk]) in notice.body

    mail.outbox.clear()
    client.force_login(admin)
    page = client.get(reverse("organisations:join_request", args=[join_request.pk]))
    assert page.status_code == 200 and "egle@muziejus.lt" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:join_request_approve", args=[join_request.pk])
        )
    assert response.status_code == 302
    join_request.refresh_from_db()
    organisation = join_request.organisation
    assert join_request.status == "approved" and join_request.decided_by == admin
    assert organisation.is_registered and organisation.company_code == CODE
    user = User.objects.get(email="egle@muziejus.lt")
    assert not user.has_usable_password()
    assert OrganisationCoordinator.objects.filter(organisation=organisation, user=user).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "join_request.approve",
        "organisation.register",
        "organisation.coordinator_add",
        "organisation.create",
    } <= actions
    [approved] = mail.outbox
    assert approved.to == ["egle@muziejus.lt"]
    assert approved.body.startswith("Sveiki, Egle,\n")

    # The coordinator chooses a password through the link and may start a project.
    client.logout()
    link = _path(_link(approved))
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Saugus-slaptažodis-2027", "new_password2": "Saugus-slaptažodis-2027"},
    )
    assert response.status_code == 302
    assert client.login(email="egle@muziejus.lt", password="Saugus-slaptažodis-2027")
    response = client.post(
        reverse("projects:create"),
        {
            "code": "KAUNAS-2027",
            "title": "Kauno muziejų konsorciumas",
            "lead": organisation.pk,
            "start_date": "2027-01-01",
            "end_date": "2027-12-31",
            "currency": "EUR",
            "grant_amount": "7240.50",
            "planned_participants": "40",
            "planned_academic_hours": "0",
            "planned_certificates": "0",
        },
    )
    assert response.status_code == 302
    assert Project.objects.get(code="KAUNAS-2027").lead == organisation


def test_approval_registers_the_unregistered_organisation_with_the_same_code(
    client, admin, django_capture_on_commit_callbacks
):
    existing = OrganisationFactory(name="Kauno m. muziejus", company_code=CODE)
    with django_capture_on_commit_callbacks(execute=True):
        _send(client)
    client.force_login(admin)
    join_request = JoinRequest.objects.get()
    client.post(reverse("organisations:join_request_approve", args=[join_request.pk]))
    existing.refresh_from_db()
    assert existing.is_registered
    assert Organisation.objects.filter(company_code=CODE).count() == 1
    assert existing.coordinators.get().user.email == "egle@muziejus.lt"


def test_reject_needs_a_reason_and_mails_it(client, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send(client)
    mail.outbox.clear()
    join_request = JoinRequest.objects.get()
    client.force_login(admin)
    url = reverse("organisations:join_request_reject", args=[join_request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "Įrašykite priežastį" in response.text
    join_request.refresh_from_db()
    assert join_request.status == "pending" and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Įstaiga nėra kultūros įstaiga."})
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert join_request.status == "rejected" and join_request.reason
    [rejected] = mail.outbox
    assert rejected.to == ["egle@muziejus.lt"]
    assert rejected.body.startswith("Sveiki, Egle,\n")
    assert "Įstaiga nėra kultūros įstaiga." in rejected.body
    assert not Organisation.objects.filter(company_code=CODE).exists()
    assert AuditEntry.objects.filter(action="join_request.reject").count() == 1


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["12345678", "1234567890", "30245678A", "²02456789"])
def test_a_malformed_company_code_is_refused(client, code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, company_code=code)
    assert response.status_code == 200
    assert "Juridinio asmens kodą sudaro 9 skaitmenys" in response.text
    assert not JoinRequest.objects.exists() and mail.outbox == []


def test_spaces_in_the_code_are_ignored(client):
    _send(client, company_code="302 456 789")
    assert JoinRequest.objects.get().company_code == CODE


def test_the_code_of_a_registered_organisation_is_refused(
    client, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    OrganisationFactory(company_code=CODE, registered_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client)
    assert response.status_code == 200
    assert "jau dirba Kvalis sistemoje" in response.text
    assert not JoinRequest.objects.exists() and mail.outbox == []


def test_a_second_open_request_for_the_code_is_refused(
    client, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _send(client)
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, contact_email="kitas@muziejus.lt")
    assert response.status_code == 200
    assert "jau laukia svetainės administratoriaus atsakymo" in response.text
    assert JoinRequest.objects.count() == 1 and len(mail.outbox) == sent


def test_a_name_with_invisible_characters_is_refused(client):
    response = _send(client, name="Kauno\u202e muziejus")
    assert response.status_code == 200
    assert not JoinRequest.objects.exists()


def test_join_requests_are_throttled(client, settings):
    from kvalis.organisations.views import JOIN_LIMIT

    for number in range(JOIN_LIMIT):
        _send(client, company_code=f"30000{number:04d}")
    response = _send(client, company_code="399999999")
    assert response.status_code == 200 and "Per daug bandymų" in response.text
    assert not JoinRequest.objects.filter(company_code="399999999").exists()


def _pending(client, django_capture_on_commit_callbacks, **changes) -> JoinRequest:
    with django_capture_on_commit_callbacks(execute=True):
        _send(client, **changes)
    mail.outbox.clear()
    return JoinRequest.objects.get()


def test_approving_twice_is_refused_and_mails_once(
    client, admin, django_capture_on_commit_callbacks
):
    join_request = _pending(client, django_capture_on_commit_callbacks)
    client.force_login(admin)
    url = reverse("organisations:join_request_approve", args=[join_request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        response = client.post(url)
    assert response.status_code == 200
    assert "į prašymą atsakoma tik vieną kartą" in response.text
    assert len(mail.outbox) == 1
    assert OrganisationCoordinator.objects.count() == 1
    assert AuditEntry.objects.filter(action="join_request.approve").count() == 1


def test_rejecting_an_approved_request_is_refused(
    client, admin, django_capture_on_commit_callbacks
):
    join_request = _pending(client, django_capture_on_commit_callbacks)
    client.force_login(admin)
    client.post(reverse("organisations:join_request_approve", args=[join_request.pk]))
    response = client.post(
        reverse("organisations:join_request_reject", args=[join_request.pk]), {"reason": "Ne"}
    )
    assert response.status_code == 200
    join_request.refresh_from_db()
    assert join_request.status == "approved"


@pytest.mark.parametrize("holder", ["login", "person"])
def test_an_address_of_another_persons_login_is_refused(
    client, admin, holder, django_capture_on_commit_callbacks
):
    """The request names egle@muziejus.lt, whose login (or person) is someone else's."""
    if holder == "login":
        UserFactory(email="egle@muziejus.lt", first_name="Jonas", last_name="Jonaitis")
    else:
        PersonFactory(email="egle@muziejus.lt", first_name="Jonas", last_name="Jonaitis")
    join_request = _pending(client, django_capture_on_commit_callbacks)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("organisations:join_request_approve", args=[join_request.pk])
        )
    assert response.status_code == 200
    assert "Šis adresas priklauso kito asmens paskyrai" in response.text
    join_request.refresh_from_db()
    assert join_request.status == "pending"
    assert not Organisation.objects.filter(company_code=CODE).exists()
    assert not OrganisationCoordinator.objects.exists() and mail.outbox == []
    assert not AuditEntry.objects.filter(action__startswith="organisation.").exists()


def test_an_existing_login_of_the_same_person_becomes_the_coordinator(
    client, admin, django_capture_on_commit_callbacks
):
    """No second login: her own login is named, and she is told to sign in as usual."""
    egle = UserFactory(email="egle@muziejus.lt", first_name="Eglė", last_name="Kaunietė")
    join_request = _pending(client, django_capture_on_commit_callbacks)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisations:join_request_approve", args=[join_request.pk]))
    assert OrganisationCoordinator.objects.get().user == egle
    [approved] = mail.outbox
    assert "/accounts/reset/" not in approved.body
    assert "/accounts/login/" in approved.body


def test_a_forged_join_request_pk_is_404(client, admin):
    client.force_login(admin)
    for name in ("organisations:join_request", "organisations:join_request_approve"):
        assert client.get(reverse(name, args=[999999])).status_code in (404, 405)
        assert client.post(reverse(name, args=[999999])).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "dana"])
def test_only_site_administrators_reach_join_requests(
    client, world, persona, django_capture_on_commit_callbacks
):
    join_request = _pending(client, django_capture_on_commit_callbacks)
    client.force_login(getattr(world, persona))
    assert client.get(reverse("organisations:join_requests")).status_code == 404
    assert (
        client.get(reverse("organisations:join_request", args=[join_request.pk])).status_code == 404
    )
    for name in ("organisations:join_request_approve", "organisations:join_request_reject"):
        response = client.post(reverse(name, args=[join_request.pk]), {"reason": "x"})
        assert response.status_code == 404
    join_request.refresh_from_db()
    assert join_request.status == "pending" and mail.outbox == []


def test_the_list_shows_pending_requests_first(client, admin, django_capture_on_commit_callbacks):
    first = _pending(client, django_capture_on_commit_callbacks)
    client.force_login(admin)
    client.post(reverse("organisations:join_request_approve", args=[first.pk]))
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        _send(
            client,
            company_code="302456780",
            name="Vilniaus kultūros centras",
            contact_email="vilnius@centras.lt",
        )
    client.force_login(admin)
    text = client.get(reverse("organisations:join_requests")).text
    assert text.index("Vilniaus kultūros centras") < text.index("Kauno miesto muziejus")


def test_an_unregistered_namesake_without_the_code_is_not_duplicated(
    client, admin, django_capture_on_commit_callbacks
):
    """The administrator is told to give the listed one its code: then approval registers it."""
    listed = OrganisationFactory(name="Kauno miesto muziejus", municipality="kauno-m")
    join_request = _pending(client, django_capture_on_commit_callbacks)
    client.force_login(admin)
    url = reverse("organisations:join_request_approve", args=[join_request.pk])
    response = client.post(url)
    assert "jau yra šios savivaldybės sąraše" in response.text
    assert Organisation.objects.filter(name="Kauno miesto muziejus").count() == 1
    listed.company_code = CODE
    listed.save()
    client.post(url)
    listed.refresh_from_db()
    assert listed.is_registered
