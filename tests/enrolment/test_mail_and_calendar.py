"""Reminders, the e-mail language, and the iCalendar text."""

from datetime import UTC, datetime, timedelta

from django.core.management import call_command

from kvalis.enrolment import ical
from kvalis.enrolment.models import Reminder
from tests.factories import EnrolmentFactory, SessionFactory, UserFactory


def test_send_reminders_queues_one_reminder_per_enrolment(
    world, future_cohort, mailoutbox, django_capture_on_commit_callbacks, capsys
):
    soon = EnrolmentFactory(cohort=future_cohort)
    english = UserFactory(language="en")
    EnrolmentFactory(cohort=future_cohort, person__user=english, person__email=english.email)
    EnrolmentFactory(cohort=future_cohort, status="waiting", waiting_position=1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", days=30)
    assert Reminder.objects.count() == 2
    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert subjects[soon.person.email].startswith("Priminimas: netrukus prasideda")
    assert subjects[english.email].startswith("Reminder: your training starts soon")
    assert "2 reminders queued" in capsys.readouterr().out
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", days=30)
    assert len(mailoutbox) == 2  # never twice


def test_send_reminders_ignores_cohorts_further_away(world, future_cohort, mailoutbox):
    EnrolmentFactory(cohort=future_cohort)
    call_command("send_reminders", days=3)
    assert Reminder.objects.count() == 0


def test_emails_have_text_and_html_in_the_recipients_language(
    world, future_cohort, mailoutbox, django_capture_on_commit_callbacks
):
    from kvalis.enrolment import services

    user = UserFactory(language="en")
    world.person_a.user = user
    world.person_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_nominate(actor=world.alice, cohort=future_cohort, person=world.person_a)
        services.enrolment_nominate(actor=world.alice, cohort=future_cohort, person=world.person_b)
        late = services.enrolment_nominate(
            actor=world.alice,
            cohort=future_cohort,
            person=world.person_b.__class__.objects.create(
                first_name="V", last_name="W", email="w@example.lt"
            ),
        )
    english, lithuanian, waiting = mailoutbox
    assert english.subject.startswith("Your place is confirmed")
    assert lithuanian.subject.startswith("Jūsų vieta patvirtinta")
    assert waiting.subject.startswith("Esate laukiančiųjų sąraše")
    assert "1-as (-a) laukiančiųjų sąraše" in waiting.body and late.waiting_position == 1
    html = waiting.alternatives[0][0]
    assert 'lang="lt"' in html and future_cohort.activity.title in html


def test_ical_escapes_text_and_folds_long_lines():
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "Jaunimui atviros erdvės kultūros įstaigose ir darbo jose specifika" * 2
    folded = ical.fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_ical_events_are_in_utc_with_stable_uids(world):
    session = SessionFactory(cohort=world.cohort, starts_at=datetime(2014, 4, 7, 6, 0, tzinfo=UTC))
    session.ends_at = session.starts_at + timedelta(hours=7)
    text = ical.calendar([session], name="Mano mokymai")
    assert "DTSTART:20140407T060000Z" in text
    assert f"UID:{session.public_id}@kvalis" in text
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")


def test_rejected_applicant_is_told_in_their_language_after_commit(
    world, future_cohort, mailoutbox, django_capture_on_commit_callbacks
):
    from kvalis.enrolment import services

    lithuanian = EnrolmentFactory(cohort=future_cohort, status="applied")
    english = UserFactory(language="en")
    waiting = EnrolmentFactory(
        cohort=future_cohort,
        status="waiting",
        waiting_position=1,
        person__user=english,
        person__email=english.email,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.enrolment_reject(actor=world.alice, enrolment=lithuanian)
        services.enrolment_reject(actor=world.alice, enrolment=waiting)
    # Queued, sent only after the commit (the other callbacks refresh the public pages' cache).
    assert mailoutbox == [] and len(callbacks) >= 2
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 2
    by_recipient = {m.to[0]: m for m in mailoutbox}
    lt = by_recipient[lithuanian.person.email]
    assert lt.subject.startswith("Jūsų paraiška nepriimta")
    assert "koordinatori" in lt.body and "<p>" in lt.alternatives[0][0]
    en = by_recipient[english.email]
    assert en.subject.startswith("Your application was not accepted")
    assert "contact the coordinator" in en.body


def test_a_nominated_person_without_a_login_gets_one_and_a_link_to_choose_a_password(
    client, world, future_cohort, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    from kvalis.enrolment import services

    assert world.person_b.user is None
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_nominate(actor=world.alice, cohort=future_cohort, person=world.person_b)
    world.person_b.refresh_from_db()
    assert world.person_b.user.email == world.person_b.email.lower()
    (mail,) = mailoutbox
    assert "Kad matytumėte savo mokymus, susikurkite prisijungimo slaptažodį:" in mail.body
    link = re.search(r"https?://\S+/accounts/reset/\S+", mail.body).group(0)
    page = client.get(link[link.index("/accounts/") :], follow=True)
    assert page.status_code == 200
    assert "new_password1" in page.text

    # Once they have signed in, a later confirmation carries no such link.
    user = world.person_b.user
    user.last_login = user.date_joined
    user.save()
    other = future_cohort.__class__.objects.create(
        activity=future_cohort.activity,
        name="Kita grupė",
        start_date=future_cohort.start_date,
        end_date=future_cohort.end_date,
        capacity=5,
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_nominate(actor=world.alice, cohort=other, person=world.person_b)
    assert "/accounts/reset/" not in mailoutbox[0].body


def test_mail_and_the_set_password_link_go_to_the_logins_address_not_the_persons(
    world, future_cohort, mailoutbox, django_capture_on_commit_callbacks
):
    """The login's address is the identity: a Person.email changed to another address (by
    anyone who may edit the record) never receives the link that sets the login's password."""
    from kvalis.enrolment import services

    login = UserFactory(email="ona.tikra@example.lt")
    assert login.last_login is None  # exists, never used
    person = world.person_b
    person.user = login
    person.email = "kazkas.kitas@example.lt"
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_nominate(actor=world.alice, cohort=future_cohort, person=person)
    (mail,) = mailoutbox
    assert mail.to == ["ona.tikra@example.lt"]
    assert "/accounts/reset/" in mail.body
    assert all("kazkas.kitas@example.lt" not in m.to for m in mailoutbox)
