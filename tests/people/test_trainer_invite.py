"""Trainers get logins: making someone a trainer of a cohort invites them once (a login linked
to their person, a set-password link naming the cohort), the person page invites or re-invites
them, and the password reset reaches a login that has no password yet."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kvalis.accounts.models import User
from kvalis.audit.models import AuditEntry
from kvalis.outbox.models import OutboxMessage
from kvalis.people.models import Person
from kvalis.projects.models import Cohort
from kvalis.projects.services import TRAINER_INVITE_ACTION, cohort_update
from tests.factories import CohortFactory, PersonFactory, UserFactory


def _cohort_form(cohort: Cohort, trainers) -> dict:
    return {
        "name": cohort.name,
        "venue": "",
        "start_date": cohort.start_date.isoformat(),
        "end_date": cohort.end_date.isoformat(),
        "capacity": cohort.capacity,
        "trainers": [person.pk for person in trainers],
        "notes": "",
    }


def _save_cohort(client, world, trainers, cohort=None):
    cohort = cohort or world.cohort
    url = reverse("projects:cohort_edit", args=[world.project.code, cohort.pk])
    return client.post(url, _cohort_form(cohort, trainers))


def _invite_url(world, person) -> str:
    return reverse("people:invite", args=[world.project.code, person.pk])


@pytest.fixture
def trainer(world):
    """A lecturer of partner B's organisation, with an address and no login."""
    return PersonFactory(
        organisation=world.partner_b.organisation,
        first_name="Rasa",
        last_name="Lektorė",
        email="rasa.lektore@example.lt",
    )


def _link(message) -> str:
    url = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_making_someone_a_trainer_invites_them_with_a_link_naming_the_cohort(
    client, world, trainer, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = _save_cohort(client, world, [trainer])
    assert response.status_code == 302
    trainer.refresh_from_db()
    user = trainer.user
    assert user is not None and user.email == "rasa.lektore@example.lt"
    assert not user.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["rasa.lektore@example.lt"]
    assert "kvietimas vesti mokymus" in message.subject
    assert message.body.startswith("Sveiki, Rasa,\n")  # the greeting names the trainer
    assert world.cohort.name in message.body and world.activity.title in message.body
    assert "/accounts/reset/" in message.body
    assert AuditEntry.objects.filter(
        action=TRAINER_INVITE_ACTION, object_id=str(trainer.pk), project=world.project
    ).exists()


def test_the_invited_trainer_chooses_a_password_signs_in_and_opens_their_cohort(
    client, world, trainer, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        _save_cohort(client, world, [trainer])
    client.logout()

    page = client.get(_link(mail.outbox[0]), follow=True)
    assert page.status_code == 200 and "new_password1" in page.text
    saved = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "Lektores-slaptazodis-9", "new_password2": "Lektores-slaptazodis-9"},
    )
    assert saved.status_code == 302
    signed_in = client.post(
        reverse("accounts:login"),
        {"username": "Rasa.Lektore@example.lt", "password": "Lektores-slaptazodis-9"},
    )
    assert signed_in.status_code == 302
    hub = client.get(reverse("projects:cohort", args=[world.project.code, world.cohort.pk]))
    assert hub.status_code == 200
    assert reverse("attendance:session", args=[world.project.code, world.session.pk]) in hub.text


def test_a_trainer_of_a_second_cohort_or_a_cohort_saved_again_gets_no_second_invitation(
    client, world, trainer, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    second = CohortFactory(activity=world.activity)
    with django_capture_on_commit_callbacks(execute=True):
        _save_cohort(client, world, [trainer])
        _save_cohort(client, world, [trainer])  # saved twice: nothing more
        _save_cohort(client, world, [trainer], cohort=second)
    templates = list(OutboxMessage.objects.order_by("pk").values_list("template", flat=True))
    assert templates == ["projects/emails/trainer_invitation", "projects/emails/trainer_added"]
    assert len(mail.outbox) == 2
    notice = mail.outbox[1]
    assert second.name in notice.body
    assert "/accounts/reset/" not in notice.body  # a notice, not a second invitation
    assert User.objects.filter(email="rasa.lektore@example.lt").count() == 1
    assert AuditEntry.objects.filter(action=TRAINER_INVITE_ACTION).count() == 1


def test_a_trainer_who_already_signs_in_is_told_of_the_cohort_not_invited(
    client, world, django_capture_on_commit_callbacks
):
    user = UserFactory(email="jonas.lektorius@example.lt")
    person = PersonFactory(organisation=world.lead, email=user.email, user=user, first_name="Jonas")
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        _save_cohort(client, world, [person])
    (message,) = mail.outbox
    assert message.body.startswith("Sveiki, Jonai,\n")  # the first name in the vocative
    assert "/accounts/reset/" not in message.body.split("\n\n")[1]
    assert OutboxMessage.objects.get().template == "projects/emails/trainer_added"


def test_an_address_that_is_another_persons_login_stops_the_save_with_the_reason(
    client, world, trainer
):
    """The login is the address's holder's: it cannot also become the trainer's."""
    holder = UserFactory(email="bendras@example.lt")
    PersonFactory(organisation=world.lead, email="kitas@example.lt", user=holder)
    Person.objects.filter(pk=trainer.pk).update(email="bendras@example.lt")
    client.force_login(world.alice)
    response = _save_cohort(client, world, [trainer])
    assert response.status_code == 200
    assert "yra kito asmens prisijungimas" in response.text
    assert not world.cohort.trainers.exists()  # nothing saved
    trainer.refresh_from_db()
    assert trainer.user is None
    assert OutboxMessage.objects.count() == 0


def test_a_trainer_without_an_address_is_saved_and_the_hub_says_they_cannot_be_invited(
    client, world
):
    person = PersonFactory(organisation=world.lead, email="", email_verified=False)
    client.force_login(world.alice)
    assert _save_cohort(client, world, [person]).status_code == 302
    assert list(world.cohort.trainers.all()) == [person]
    assert OutboxMessage.objects.count() == 0
    hub = client.get(reverse("projects:cohort", args=[world.project.code, world.cohort.pk]))
    assert "nėra el. pašto adreso" in hub.text


# --- the person page --------------------------------------------------------------------------


def _make_trainer_without_invitation(world, person):
    """As before logins for trainers existed: a trainer with no login."""
    world.cohort.trainers.add(person)


def test_the_person_page_offers_to_invite_a_trainer_without_a_login(
    client, world, trainer, django_capture_on_commit_callbacks
):
    _make_trainer_without_invitation(world, trainer)
    client.force_login(world.alice)
    page = client.get(reverse("people:detail", args=[world.project.code, trainer.pk]))
    assert _invite_url(world, trainer) in page.text
    assert "Pakviesti prisijungti" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_invite_url(world, trainer))
    assert response.status_code == 302
    trainer.refresh_from_db()
    assert trainer.user.email == trainer.email
    (message,) = mail.outbox
    assert "/accounts/reset/" in message.body and world.cohort.name in message.body
    entry = AuditEntry.objects.get(action=TRAINER_INVITE_ACTION)
    assert entry.actor == world.alice and entry.data["again"] is False


def test_a_trainer_invited_twice_the_same_day_is_refused_and_a_day_later_invited_again(
    client, world, trainer, django_capture_on_commit_callbacks
):
    _make_trainer_without_invitation(world, trainer)
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_invite_url(world, trainer))
        again = client.post(_invite_url(world, trainer), follow=True)
    assert "Kvietimas jau išsiųstas" in again.text
    assert len(mail.outbox) == 1
    assert "Siųsti kvietimą dar kartą" not in again.text

    AuditEntry.objects.filter(action=TRAINER_INVITE_ACTION).update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    page = client.get(reverse("people:detail", args=[world.project.code, trainer.pk]))
    assert "Siųsti kvietimą dar kartą" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_invite_url(world, trainer))
    assert len(mail.outbox) == 2
    assert "/accounts/reset/" in mail.outbox[1].body
    assert User.objects.filter(email=trainer.email).count() == 1


def test_the_person_page_refuses_an_address_that_is_another_persons_login(client, world, trainer):
    _make_trainer_without_invitation(world, trainer)
    holder = UserFactory(email="bendras@example.lt")
    PersonFactory(organisation=world.lead, email="kitas@example.lt", user=holder)
    Person.objects.filter(pk=trainer.pk).update(email="bendras@example.lt")
    client.force_login(world.alice)
    response = client.post(_invite_url(world, trainer), follow=True)
    assert "bendras@example.lt yra kito asmens prisijungimas" in response.text
    trainer.refresh_from_db()
    assert trainer.user is None
    assert OutboxMessage.objects.count() == 0
    assert not AuditEntry.objects.filter(action=TRAINER_INVITE_ACTION).exists()


def test_only_trainers_of_the_project_are_invited_from_the_person_page(client, world):
    client.force_login(world.alice)
    response = client.post(_invite_url(world, world.person_a), follow=True)
    assert "neveda nė vienos šio projekto grupės" in response.text
    world.person_a.refresh_from_db()
    assert world.person_a.user is None


@pytest.mark.parametrize("persona", ["bob", "charlie", "dana"])
def test_nobody_but_the_coordinator_invites(client, world, trainer, persona):
    """bob (partner coordinator of the trainer's own organisation) sees the person but is not
    the project's coordinator; charlie and dana are strangers: 404 for all, nothing made."""
    _make_trainer_without_invitation(world, trainer)
    client.force_login(getattr(world, persona))
    assert client.post(_invite_url(world, trainer)).status_code == 404
    trainer.refresh_from_db()
    assert trainer.user is None
    assert OutboxMessage.objects.count() == 0


def test_the_invitation_is_a_post(client, world, trainer):
    _make_trainer_without_invitation(world, trainer)
    client.force_login(world.alice)
    assert client.get(_invite_url(world, trainer)).status_code == 405
    trainer.refresh_from_db()
    assert trainer.user is None


# --- the password reset -----------------------------------------------------------------------


def test_the_password_reset_reaches_an_invited_trainer_who_lost_the_e_mail(client, world, trainer):
    cohort_update(actor=world.alice, cohort=world.cohort, trainers=[trainer])
    mail.outbox.clear()
    response = client.post(reverse("accounts:password_reset"), {"email": "RASA.lektore@example.lt"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["rasa.lektore@example.lt"]
    assert "/accounts/reset/" in message.body


def test_the_reset_page_answers_alike_for_an_unknown_address(client, world, trainer):
    known = client.post(reverse("accounts:password_reset"), {"email": trainer.email})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "niekas@example.lt"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The trainer has no login yet: nobody gets a mail, and the page does not tell.
    assert mail.outbox == []


def test_an_address_a_stranger_typed_gets_no_invitation(
    client, world, django_capture_on_commit_callbacks
):
    """Person.email_verified: an invitation goes only to an address the employer recorded or
    the person confirmed. The cohort is saved; the person page says why there is no button."""
    typed = PersonFactory(organisation=world.lead, email="ivesta@example.lt", email_verified=False)
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert _save_cohort(client, world, [typed]).status_code == 302
    assert list(world.cohort.trainers.all()) == [typed]
    assert mail.outbox == []
    page = client.get(reverse("people:detail", args=[world.project.code, typed.pk]))
    assert "adreso neįrašė darbdavys" in page.text
    assert _invite_url(world, typed) not in page.text
    response = client.post(_invite_url(world, typed), follow=True)
    assert "neįrašė darbdavys ir nepatvirtino" in response.text
    typed.refresh_from_db()
    assert typed.user is None
    assert not OutboxMessage.objects.exists()
