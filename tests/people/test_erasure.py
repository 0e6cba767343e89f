"""Erasure with what must be kept: the person asks from /my/, the employer's coordinators
review and carry it out; the training record, the certificates and the report's figures stay,
the name, contact data and login go."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from kvalis.accounts.models import User
from kvalis.audit.models import AuditEntry
from kvalis.people import erasure
from kvalis.people.models import ErasureRequest, Person
from kvalis.reports.indicators import indicators_json, project_indicators
from tests.factories import (
    AttendanceFactory,
    CertificateFactory,
    CohortFactory,
    EnrolmentFactory,
    PersonFactory,
    UserFactory,
    make_coordinator,
)


@pytest.fixture
def keeper(world):
    """alice coordinates the lead (the employer of the people below); bob coordinates
    partner B, another organisation."""
    make_coordinator(world.lead, world.alice)
    make_coordinator(world.partner_b.organisation, world.bob)
    return world.alice


@pytest.fixture
def holder(world, keeper):
    """A participant of the lead with a login, a finished training, attendance and a
    certificate."""
    user = UserFactory(email="ruta@example.lt")
    person = PersonFactory(
        organisation=world.lead,
        first_name="Rūta",
        last_name="Žemaitytė",
        email=user.email,
        phone="+37061234567",
        user=user,
    )
    enrolment = EnrolmentFactory(person=person, cohort=world.cohort)
    AttendanceFactory(enrolment=enrolment, session=world.session)
    CertificateFactory(enrolment=enrolment)
    return person


def _request(person, **extra) -> ErasureRequest:
    return ErasureRequest.objects.create(person=person, requested_by=person.user, **extra)


# --- the person asks ------------------------------------------------------------------------


def test_person_asks_from_their_own_pages(client, holder):
    client.force_login(holder.user)
    page = client.get(reverse("people:erasure_request"))
    assert page.status_code == 200
    assert "Erase my data" in page.content.decode() or "Ištrinti" in page.content.decode()

    response = client.post(
        reverse("people:erasure_request"), {"reason": "Išeinu iš darbo", "confirm_erasure": "on"}
    )
    assert response.status_code == 302
    request = ErasureRequest.objects.get(person=holder)
    assert request.status == "requested"
    assert request.requested_by == holder.user
    assert AuditEntry.objects.filter(action="erasure.request", object_id=str(request.pk)).exists()


def test_request_without_the_confirmation_is_refused_and_changes_nothing(client, holder):
    client.force_login(holder.user)
    response = client.post(reverse("people:erasure_request"), {"reason": "x"})
    assert response.status_code == 200
    assert ErasureRequest.objects.count() == 0


def test_a_second_open_request_is_refused(holder):
    erasure.erasure_request_create(actor=holder.user, person=holder)
    with pytest.raises(erasure.ValidationError):
        erasure.erasure_request_create(actor=holder.user, person=holder)
    assert ErasureRequest.objects.filter(person=holder).count() == 1


def test_keeper_records_a_request_on_the_persons_behalf(client, world, keeper, holder):
    client.force_login(keeper)
    url = reverse("people:erasure_on_behalf", args=[holder.pk])
    response = client.post(url, {"reason": "Laiškas 2026-11-30"})
    request = ErasureRequest.objects.get(person=holder)
    assert response.url == reverse("people:erasure_review", args=[request.pk])
    assert request.requested_by == keeper


@pytest.mark.parametrize("persona", ["bob", "charlie", "dana"])
def test_strangers_cannot_ask_on_someones_behalf(client, world, holder, persona):
    client.force_login(getattr(world, persona))
    url = reverse("people:erasure_on_behalf", args=[holder.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    assert ErasureRequest.objects.count() == 0


# --- the review: three personas ---------------------------------------------------------------


def test_coordinator_of_the_employer_sees_the_list_and_the_request(client, keeper, holder):
    request = _request(holder)
    client.force_login(keeper)
    listing = client.get(reverse("people:erasure_requests"))
    assert listing.status_code == 200
    assert "Žemaitytė" in listing.content.decode()
    assert client.get(reverse("people:erasure_review", args=[request.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_partner_coordinator_and_outsider_get_404(client, world, holder, persona):
    """bob coordinates another organisation of the same project; charlie another project's."""
    request = _request(holder)
    client.force_login(getattr(world, persona))
    assert "Žemaitytė" not in client.get(reverse("people:erasure_requests")).content.decode()
    url = reverse("people:erasure_review", args=[request.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "erase"}).status_code == 404
    holder.refresh_from_db()
    assert holder.erased_at is None
    assert holder.last_name == "Žemaitytė"


def test_the_person_themself_does_not_review_their_request(client, holder):
    request = _request(holder)
    client.force_login(holder.user)
    url = reverse("people:erasure_review", args=[request.pk])
    assert client.post(url, {"decision": "erase"}).status_code == 404
    holder.refresh_from_db()
    assert holder.erased_at is None


# --- carrying it out --------------------------------------------------------------------------


def test_erasure_pseudonymises_and_keeps_the_training_record(client, world, keeper, holder):
    request = _request(holder)
    login_pk = holder.user.pk
    certificate = holder.certificates.get()
    client.force_login(keeper)

    response = client.post(
        reverse("people:erasure_review", args=[request.pk]), {"decision": "erase"}
    )

    assert response.status_code == 302
    person = Person.objects.get(pk=holder.pk)
    code = erasure.pseudonym_code(person)
    assert person.full_name == f"Asmuo {code}"
    assert (person.email, person.phone, person.position) == ("", "", "")
    assert person.user is None and person.erased_at is not None
    assert not User.objects.filter(pk=login_pk).exists()
    # The address is free: the person may come back with a new login.
    UserFactory(email="ruta@example.lt")
    # What the report and the certificate need stays.
    enrolment = person.enrolments.get()
    assert enrolment.status == "confirmed"
    assert enrolment.organisation == world.lead
    assert enrolment.attendances.count() == 1
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    assert certificate.participant_name == ""
    assert certificate.data["participant_name"] == ""
    assert certificate.data[erasure.HOLDER_WITHHELD_KEY] is True
    request.refresh_from_db()
    assert request.status == "done" and request.reviewed_by == keeper
    entry = AuditEntry.objects.get(action="person.erase")
    assert entry.actor == keeper and "Žemaitytė" not in entry.summary
    # The audit log's earlier summaries about the person no longer name them.
    assert not AuditEntry.objects.filter(summary__contains="Žemaitytė").exists()


def test_the_pseudonym_is_stable_and_does_not_show_the_id(holder):
    first = erasure.pseudonym_code(holder)
    assert first == erasure.pseudonym_code(Person.objects.get(pk=holder.pk))
    assert len(first) == 8 and first[0].isalpha()
    assert first != erasure.pseudonym_code(PersonFactory())


def test_erasure_is_refused_while_an_enrolment_runs(client, world, keeper, holder):
    """An open enrolment (confirmed or waiting in a cohort that has not ended) blocks it, with
    the reason in Lithuanian; nothing changes."""
    running = CohortFactory(
        activity=world.activity,
        start_date=timezone.localdate() - timedelta(days=1),
        end_date=timezone.localdate() + timedelta(days=10),
    )
    EnrolmentFactory(person=holder, cohort=running, status="waiting", waiting_position=1)
    request = _request(holder)
    client.force_login(keeper)

    with translation.override("lt"):
        response = client.post(
            reverse("people:erasure_review", args=[request.pk]),
            {"decision": "erase"},
            HTTP_ACCEPT_LANGUAGE="lt",
        )

    assert response.status_code == 200
    assert "nepasibaigė" in response.content.decode()
    holder.refresh_from_db()
    assert holder.erased_at is None and holder.user is not None
    assert holder.last_name == "Žemaitytė"
    request.refresh_from_db()
    assert request.status == "requested"
    assert not AuditEntry.objects.filter(action="person.erase").exists()


def test_erasure_goes_through_once_the_enrolment_is_cancelled(world, keeper, holder):
    running = CohortFactory(
        activity=world.activity,
        start_date=timezone.localdate() + timedelta(days=1),
        end_date=timezone.localdate() + timedelta(days=10),
    )
    enrolment = EnrolmentFactory(person=holder, cohort=running, status="confirmed")
    request = erasure.erasure_request_approve(actor=keeper, request=_request(holder))
    with pytest.raises(erasure.ValidationError):
        erasure.erasure_request_carry_out(actor=keeper, request=request)
    enrolment.status = "cancelled"
    enrolment.save()
    erasure.erasure_request_carry_out(actor=keeper, request=request)
    assert Person.objects.get(pk=holder.pk).erased_at is not None


def test_refusal_needs_a_reason_and_the_person_reads_it(client, keeper, holder):
    request = _request(holder)
    client.force_login(keeper)
    url = reverse("people:erasure_review", args=[request.pk])
    assert client.post(url, {"decision": "refuse", "refusal_reason": " "}).status_code == 200
    request.refresh_from_db()
    assert request.status == "requested"

    client.post(url, {"decision": "refuse", "refusal_reason": "Vyksta ginčas dėl mokymų"})
    request.refresh_from_db()
    assert request.status == "refused"
    client.force_login(holder.user)
    page = client.get(reverse("people:erasure_request")).content.decode()
    assert "Vyksta ginčas dėl mokymų" in page


def test_an_erased_person_cannot_be_erased_again(keeper, holder):
    erasure.person_erase(actor=keeper, person=holder)
    with pytest.raises(erasure.ValidationError):
        erasure.person_erase(actor=keeper, person=holder)


# --- verification and the report ---------------------------------------------------------------


def test_verification_after_erasure_says_valid_and_withholds_the_name(client, keeper, holder):
    certificate = holder.certificates.get()
    erasure.person_erase(actor=keeper, person=holder)

    page = client.get(
        reverse("certificates:verify", args=[certificate.verification_code]),
        HTTP_ACCEPT_LANGUAGE="lt",
    ).content.decode()
    assert "Žemaitytė" not in page and "Rūta" not in page
    assert "verify-valid" in page
    assert "Turėtojo vardas ir pavardė nerodomi jo paties prašymu." in page

    api = client.get(reverse("api:certificate_detail", args=[certificate.verification_code])).json()
    assert api["valid"] is True
    assert api["participant_name"] == ""
    assert api["holder_name_withheld"] is True


def test_a_certificate_of_a_person_not_erased_still_shows_the_name(client, holder):
    certificate = holder.certificates.get()
    api = client.get(reverse("api:certificate_detail", args=[certificate.verification_code])).json()
    assert api["participant_name"] == "Rūta Žemaitytė"
    assert api["holder_name_withheld"] is False


def test_report_figures_do_not_change(world, keeper, holder):
    before = indicators_json(project_indicators(world.project))
    erasure.person_erase(actor=keeper, person=holder)
    assert indicators_json(project_indicators(world.project)) == before


def test_erasure_purges_unsent_mail_to_the_erased_address(keeper, holder):
    """Mail still in the outbox would reach the erased address: it goes (to the others only
    when it had other recipients too); mail to others and mail already sent stay."""
    from kvalis.outbox.models import OutboxMessage

    def queue(to, sent=False):
        return OutboxMessage.objects.create(
            to=to,
            template="enrolment/emails/reminder",
            sent_at=timezone.now() if sent else None,
        )

    only_them = queue(["Ruta@Example.lt"])
    shared = queue(["ruta@example.lt", "vadove@example.lt"])
    others = queue(["vadove@example.lt"])
    sent = queue(["ruta@example.lt"], sent=True)

    erasure.person_erase(actor=keeper, person=holder)

    assert not OutboxMessage.objects.filter(pk=only_them.pk).exists()
    assert OutboxMessage.objects.get(pk=shared.pk).to == ["vadove@example.lt"]
    assert OutboxMessage.objects.get(pk=others.pk).to == ["vadove@example.lt"]
    # Sent rows are pruned on their own schedule (outbox.KEEP_SENT_FOR).
    assert OutboxMessage.objects.filter(pk=sent.pk).exists()


# --- where keepers find it ------------------------------------------------------------------------


def _detail(world, person) -> str:
    return reverse("people:detail", args=[world.project.code, person.pk])


def test_the_persons_page_links_keepers_to_record_a_request(client, world, keeper, holder):
    """alice keeps the lead's people; bob keeps partner B's. Each sees the link on their own
    people only; alice sees partner B's person as the project's coordinator, without it."""
    client.force_login(keeper)
    assert (
        reverse("people:erasure_on_behalf", args=[holder.pk])
        in client.get(_detail(world, holder)).content.decode()
    )
    page = client.get(_detail(world, world.person_b))
    assert page.status_code == 200
    assert "erasure-requests/people/" not in page.content.decode()

    client.force_login(world.bob)
    assert client.get(_detail(world, holder)).status_code == 404
    assert (
        reverse("people:erasure_on_behalf", args=[world.person_b.pk])
        in client.get(_detail(world, world.person_b)).content.decode()
    )


def test_an_erased_person_has_no_link_to_record_a_request(client, world, keeper, holder):
    erasure.person_erase(actor=keeper, person=holder)
    client.force_login(keeper)
    page = client.get(_detail(world, holder))
    assert page.status_code == 200
    assert "erasure-requests/people/" not in page.content.decode()


def test_outsider_sees_neither_the_person_nor_the_link(client, world, holder):
    client.force_login(world.charlie)
    assert client.get(_detail(world, holder)).status_code == 404
