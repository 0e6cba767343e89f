"""E-mails: the subject and the text part are plain text, not HTML, so nothing in them is
HTML-escaped; the HTML part is."""

from datetime import date, timedelta

from kvalis.enrolment import services
from tests.factories import CohortFactory, PersonFactory, SessionFactory


def test_an_enrolment_confirmation_keeps_names_as_typed_in_text_and_escapes_html(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    world.activity.title = "Skaitmeninės <script> & paslaugos"
    world.activity.save()
    start = date.today() + timedelta(days=30)
    cohort = CohortFactory(activity=world.activity, start_date=start, end_date=start, capacity=2)
    SessionFactory(cohort=cohort)
    person = PersonFactory(first_name="O'Brien <b>", last_name="Žemaitė", email="obrien@example.lt")
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_nominate(actor=world.alice, cohort=cohort, person=person)
    (mail,) = mailoutbox
    assert "Skaitmeninės <script> & paslaugos" in mail.subject
    # The greeting names the first name in the vocative; a foreign or odd name has no
    # Lithuanian ending to change, so it stays exactly as typed.
    assert "Sveiki, O'Brien <b>," in mail.body
    for escaped in ("&#x27;", "&lt;", "&gt;", "&amp;"):
        assert escaped not in mail.subject and escaped not in mail.body
    html = mail.alternatives[0][0]
    assert "Sveiki, O&#x27;Brien &lt;b&gt;," in html
    assert "O'Brien <b>" not in html
    assert "<script>" not in html
