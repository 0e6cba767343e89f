"""E-mails: the subject and the text part are plain text, not HTML, so nothing in them is
HTML-escaped; the HTML part is."""

from datetime import date, timedelta

import pytest

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


def _built(cls, pdf: bytes):
    message = cls(
        subject="Jūsų pažymėjimas UVB-2014-0001 – „Skaitmeninė raštija“",
        body="Sveiki, Živile,\n\nJūsų pažymėjimas pridėtas.",
        to=["Živilė Čepulytė <zivile@example.lt>"],
        from_email="Kvalis <pranesimai@kvalis.lt>",
        headers={"Message-ID": "<1@kvalis.lt>", "Date": "Mon, 07 Dec 2026 10:00:00 +0000"},
    )
    message.attach_alternative("<p>Sveiki, Živile,</p>", "text/html")
    message.attach("pažymėjimas-UVB-2014-0001.pdf", pdf, "application/pdf")
    message.attach("pastaba.txt", "Ąžuolas – tekstas", "text/plain")
    return message


@pytest.mark.parametrize("length", [0, 1, 56, 57, 58, 114, 52_001])
@pytest.mark.parametrize("policy", ["default", "SMTP", "SMTPUTF8"])
def test_the_quick_message_writes_the_same_bytes_as_djangos(length, policy):
    """`Message` caches header classes and base64-encodes attachments in one call; what it
    writes is byte for byte what Django's own message writes, for any attachment length (a line
    of base64 holds 57 bytes) and for each policy Django sends with."""
    import email
    import random
    import re

    from django.core.mail import EmailMultiAlternatives

    from kvalis.lib.mail import Message

    pdf = random.Random(length).randbytes(length)
    chosen = getattr(email.policy, policy)
    ours = _built(Message, pdf).message(policy=chosen).as_bytes()
    theirs = _built(EmailMultiAlternatives, pdf).message(policy=chosen).as_bytes()

    def unbounded(raw: bytes) -> bytes:  # the MIME boundaries are random
        return re.sub(rb"===============\d+==", b"BOUNDARY", raw)

    assert unbounded(ours) == unbounded(theirs)
    parsed = email.message_from_bytes(ours, policy=email.policy.default)
    attachment = next(
        part for part in parsed.iter_attachments() if part.get_filename().endswith(".pdf")
    )
    assert attachment.get_filename() == "pažymėjimas-UVB-2014-0001.pdf"
    assert attachment.get_content() == pdf
