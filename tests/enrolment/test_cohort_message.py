"""Message a cohort: a coordinator, or a trainer of the cohort, writes one e-mail to its
confirmed participants or to its waiting list. It is sent by a background task through the
outbox, once per person, in each person's language, and recorded in the audit log."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from kvalis.audit.models import AuditEntry
from kvalis.enrolment.cohort_messages import cohort_message_deliver, cohort_message_send
from kvalis.enrolment.models import CohortMessage
from kvalis.outbox.models import OutboxMessage
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    MembershipFactory,
    PersonFactory,
    UserFactory,
)

BODY = "Primename: rytoj pradedame 9 val.\nAtsineškite savo nešiojamąjį kompiuterį."


@pytest.fixture
def cohort_people(world):
    """Two confirmed participants (one with an English login), one without an address, and
    one on the waiting list."""
    english = UserFactory(email="guest@example.lt", language="en")
    people = {
        "ona": PersonFactory(organisation=world.lead, email="ona@example.lt"),
        "guest": PersonFactory(
            organisation=world.lead, email=english.email, user=english, first_name="Vytautas"
        ),
        "no_address": PersonFactory(organisation=world.lead, email="", email_verified=False),
        "waiting": PersonFactory(
            organisation=world.lead, email="laukia@example.lt", first_name="Jonas"
        ),
    }
    for key in ("ona", "guest", "no_address"):
        EnrolmentFactory(cohort=world.cohort, person=people[key], status="confirmed")
    EnrolmentFactory(
        cohort=world.cohort, person=people["waiting"], status="waiting", waiting_position=1
    )
    return people


def _url(world, cohort=None) -> str:
    cohort = cohort or world.cohort
    return reverse("enrolment:cohort_message", args=[world.project.code, cohort.pk])


def _form(**data) -> dict:
    return {
        "audience": "confirmed",
        "subject": "Rytojaus užsiėmimas",
        "body": BODY,
        "token": str(uuid.uuid4()),
        **data,
    }


def test_the_coordinator_writes_to_the_confirmed_participants_each_in_their_language(
    client, world, cohort_people, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world), _form())
    assert response.status_code == 302
    message = CohortMessage.objects.get()
    assert message.author == world.alice and message.sent_at is not None
    assert (message.recipient_count, message.without_address_count) == (2, 1)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"ona@example.lt", "guest@example.lt"}  # not the waiting list

    lithuanian = by_address["ona@example.lt"]
    assert lithuanian.subject == "Rytojaus užsiėmimas"
    assert BODY in lithuanian.body  # as written
    assert lithuanian.body.startswith("Sveiki, Ona,\n")  # each by their first name
    assert world.project.title in lithuanian.body
    assert "dalyvaujate mokymuose" in lithuanian.body  # why they get it
    assert "alice@example.lt" in lithuanian.body  # where to answer

    english = by_address["guest@example.lt"]
    assert BODY in english.body  # the body stays as written
    assert english.body.startswith("Hello, Vytautas,\n")
    assert "because you take part in" in english.body

    assert AuditEntry.objects.filter(
        action="cohort_message.send", project=world.project, object_id=str(message.pk)
    ).exists()
    assert AuditEntry.objects.filter(action="cohort_message.deliver").exists()


def test_the_waiting_list_gets_its_own_message(
    client, world, cohort_people, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(world), _form(audience="waiting"))
    (message,) = mail.outbox
    assert message.to == ["laukia@example.lt"]
    assert message.body.startswith("Sveiki, Jonai,\n")  # the first name in the vocative
    assert "laukiančiųjų sąrašą" in message.body


def test_the_page_previews_how_many_get_it_and_lists_earlier_messages(
    client, world, cohort_people, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    page = client.get(_url(world))
    assert page.status_code == 200
    assert "patvirtinti dalyviai: 3 asmenys" in page.text
    assert "1 asmuo be el. pašto adreso jo negaus" in page.text
    assert "laukiančiųjų sąrašas: 1 asmuo" in page.text
    assert "Pranešimų dar nėra." in page.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(world), _form(subject="Pirmas laiškas"))
    assert "Pirmas laiškas" in client.get(_url(world)).text


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("body", "", "Parašykite pranešimą: tuščias laiškas nesiunčiamas."),
        ("body", "   \n  ", "Parašykite pranešimą: tuščias laiškas nesiunčiamas."),
        ("subject", "", "Įrašykite pranešimo temą."),
        ("audience", "everyone", "Pasirinkite, kas gaus pranešimą."),
    ],
)
def test_bad_input_is_refused_in_lithuanian_and_sends_nothing(
    client, world, cohort_people, django_capture_on_commit_callbacks, field, value, error
):
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world), _form(**{field: value}))
    assert response.status_code == 400
    assert error in response.text
    assert not CohortMessage.objects.exists()
    assert mail.outbox == [] and not OutboxMessage.objects.exists()


def test_a_message_to_an_empty_waiting_list_is_refused(client, world, cohort_people):
    client.force_login(world.alice)
    cohort_people["waiting"].enrolments.update(status="cancelled", waiting_position=None)
    response = client.post(_url(world), _form(audience="waiting"))
    assert response.status_code == 400
    assert "laukiančiųjų sąrašas tuščias" in response.text
    assert not CohortMessage.objects.exists()


def test_a_form_without_its_token_is_refused(client, world, cohort_people):
    client.force_login(world.alice)
    response = client.post(_url(world), _form(token=""))
    assert response.status_code == 400
    assert "Forma neišsami" in response.text
    assert not CohortMessage.objects.exists()


def test_a_double_submit_sends_the_message_once(
    client, world, cohort_people, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    data = _form()
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_url(world), data)
        second = client.post(_url(world), data, follow=True)
    assert first.status_code == 302
    assert "jau išsiųstas; dar kartą jis nesiunčiamas" in second.text
    assert CohortMessage.objects.count() == 1
    assert len(mail.outbox) == 2


def test_delivering_again_sends_nothing_twice(world, cohort_people):
    message, new = cohort_message_send(
        actor=world.alice,
        cohort=world.cohort,
        audience="confirmed",
        subject="Tema",
        body="Tekstas",
        token=uuid.uuid4(),
    )
    assert new
    assert cohort_message_deliver(message_id=message.pk) == 2
    assert cohort_message_deliver(message_id=message.pk) == 0
    assert OutboxMessage.objects.filter(template="enrolment/emails/cohort_message").count() == 2


def test_a_delivery_that_dies_halfway_queues_nothing_and_the_retry_sends_once(
    world, cohort_people, monkeypatch
):
    """The outbox rows and the message's `sent_at` are written in one transaction."""
    from kvalis.enrolment import cohort_messages

    message, _new = cohort_message_send(
        actor=world.alice,
        cohort=world.cohort,
        audience="confirmed",
        subject="Tema",
        body="Tekstas",
        token=uuid.uuid4(),
    )
    real_queue_mail = cohort_messages.queue_mail
    calls = []

    def dies_on_the_second(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        real_queue_mail(**kwargs)

    monkeypatch.setattr(cohort_messages, "queue_mail", dies_on_the_second)
    with pytest.raises(RuntimeError):
        cohort_message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.sent_at is None
    assert not OutboxMessage.objects.filter(template="enrolment/emails/cohort_message").exists()

    monkeypatch.setattr(cohort_messages, "queue_mail", real_queue_mail)
    assert cohort_messages.cohort_messages_deliver_pending() == 1
    rows = OutboxMessage.objects.filter(template="enrolment/emails/cohort_message")
    assert sorted(row.to[0] for row in rows) == ["guest@example.lt", "ona@example.lt"]


# --- who may write ----------------------------------------------------------------------------


@pytest.fixture
def trainer(world):
    user = UserFactory(email="lektorius@example.lt")
    person = PersonFactory(organisation=world.lead, email=user.email, user=user)
    world.cohort.trainers.add(person)
    return user


def test_a_trainer_writes_to_their_own_cohort(
    client, world, cohort_people, trainer, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    assert client.get(_url(world)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(world), _form())
    assert response.status_code == 302
    assert CohortMessage.objects.get().author == trainer
    assert len(mail.outbox) == 2


def test_a_trainer_of_another_cohort_gets_404(client, world, trainer):
    other = CohortFactory(activity=world.activity)
    EnrolmentFactory(cohort=other, person=PersonFactory(organisation=world.lead))
    client.force_login(trainer)
    assert client.get(_url(world, other)).status_code == 404
    assert client.post(_url(world, other), _form()).status_code == 404
    assert not CohortMessage.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "charlie", "dana", "observer"])
def test_partner_coordinators_observers_and_outsiders_get_404(
    client, world, cohort_people, persona, django_capture_on_commit_callbacks
):
    if persona == "observer":
        user = UserFactory(email="ministerija@example.lt")
        MembershipFactory(project=world.project, user=user, role="funder_observer")
    else:
        user = getattr(world, persona)
    client.force_login(user)
    assert client.get(_url(world)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_url(world), _form()).status_code == 404
    assert not CohortMessage.objects.exists()
    assert mail.outbox == []


def test_the_admin_lists_messages_and_changes_none(client, world, cohort_people):
    cohort_message_send(
        actor=world.alice,
        cohort=world.cohort,
        audience="confirmed",
        subject="Tema administratoriui",
        body="Tekstas",
        token=uuid.uuid4(),
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:enrolment_cohortmessage_changelist"))
    assert page.status_code == 200 and "Tema administratoriui" in page.text
    assert client.get(reverse("admin:enrolment_cohortmessage_add")).status_code == 403
