"""Which hours a certificate states is chosen per activity: those attended (the default) or the
programme's academic hours. The record and the PDF state them; English has its plurals and its
quotes, Lithuanian its own."""

from decimal import Decimal

from django.core import mail
from django.urls import reverse

from kvalis.certificates import services
from kvalis.certificates.models import ActivityCertificateSettings, HoursRule
from kvalis.certificates.pdf import academic_hours_text, render_certificate
from tests.certificates.conftest import completer
from tests.certificates.test_pdf import pdf_text


def _rule(world, rule: str) -> None:
    ActivityCertificateSettings.objects.filter(activity=world.activity).update(hours_rule=rule)


def test_by_default_the_certificate_states_the_hours_attended(world, issuer):
    # world.activity is a 16-hour programme; its cohort's one session gave 8 hours
    certificate = services.certificate_issue(enrolment=completer(world), actor=world.alice)
    assert certificate.hours == Decimal("8")
    assert certificate.data["hours_rule"] == HoursRule.ATTENDED
    assert "8 ak. val." in pdf_text(render_certificate(certificate))


def test_with_the_programme_rule_it_states_the_programmes_hours(world, issuer):
    _rule(world, HoursRule.PROGRAMME)
    certificate = services.certificate_issue(enrolment=completer(world), actor=world.alice)
    certificate.refresh_from_db()
    assert certificate.hours == Decimal("16")
    assert Decimal(certificate.data["hours"]) == Decimal("16")
    assert Decimal(certificate.data["hours_attended"]) == Decimal(
        "8"
    )  # what the ledger counted stays recorded
    text = pdf_text(render_certificate(certificate))
    assert "16 ak. val." in text and "8 ak. val." not in text


def test_a_reissued_certificate_follows_the_rule_in_force(world, issuer):
    certificate = services.certificate_issue(enrolment=completer(world), actor=world.alice)
    _rule(world, HoursRule.PROGRAMME)
    new = services.certificate_reissue(
        certificate=certificate, actor=world.alice, reason="Pasirinktos programos valandos"
    )
    assert new.hours == Decimal("16")


def test_english_plurals_and_quotes_on_the_english_certificate(world, issuer):
    world.activity.title = "Projektų valdymas"
    world.activity.academic_hours = Decimal("1")
    world.activity.save()
    _rule(world, HoursRule.PROGRAMME)
    certificate = services.certificate_issue(enrolment=completer(world), actor=world.alice)
    english = pdf_text(render_certificate(certificate, language="en"))
    assert "1 academic hour " in english + " " and "1 academic hours" not in english
    assert "“Projektų valdymas”" in english and "„" not in english
    assert f"Project “{world.project.title}”" in english
    lithuanian = pdf_text(render_certificate(certificate))
    assert "„Projektų valdymas“" in lithuanian and "“Projektų valdymas”" not in lithuanian
    assert "1 ak. val." in lithuanian


def test_hours_in_words_in_either_language():
    from django.utils import translation

    with translation.override("en"):
        assert academic_hours_text(Decimal("1")) == "1 academic hour"
        assert academic_hours_text(Decimal("16")) == "16 academic hours"
        assert academic_hours_text(Decimal("15.3")) == "15.3 academic hours"
    with translation.override("lt"):
        assert academic_hours_text(Decimal("15.3")) == "15,3 ak. val."
        assert academic_hours_text(Decimal("1")) == "1 ak. val."


def test_the_e_mail_states_the_hours_in_the_participants_language(world, issuer):
    from tests.factories import UserFactory

    world.activity.academic_hours = Decimal("1")
    world.activity.save()
    _rule(world, HoursRule.PROGRAMME)
    english = UserFactory(email="jonas@example.lt", language="en")
    with_login = completer(world, user=english)
    certificate = services.certificate_issue(enrolment=with_login, actor=world.alice, notify=False)
    services.certificates_mail(certificate_ids=[certificate.pk])
    (message,) = mail.outbox
    assert "(1 academic hour)" in message.body
    assert message.attachments[0][0] == f"certificate-{certificate.number}.pdf"


# --- the activity's settings page -------------------------------------------------------------


def _settings_url(world) -> str:
    return reverse("certificates:activity_settings", args=[world.project.code, world.activity.pk])


def test_the_coordinator_chooses_the_rule_on_the_activitys_settings_page(client, world, issuer):
    client.force_login(world.alice)
    page = client.get(_settings_url(world))
    assert "programos akademinės valandos" in page.text
    response = client.post(
        _settings_url(world), {"issuer": issuer.pk, "hours_rule": HoursRule.PROGRAMME}
    )
    assert response.status_code == 302
    settings_ = ActivityCertificateSettings.objects.get(activity=world.activity)
    assert settings_.hours_rule == HoursRule.PROGRAMME
    again = client.get(_settings_url(world))
    assert again.context["form"].initial["hours_rule"] == HoursRule.PROGRAMME


def test_a_rule_not_offered_is_refused_and_changes_nothing(client, world, issuer):
    client.force_login(world.alice)
    response = client.post(_settings_url(world), {"issuer": issuer.pk, "hours_rule": "both"})
    assert response.status_code == 400
    assert "Nurodykite tinkamą reikšmę. both nėra galimas pasirinkimas." in response.text
    settings_ = ActivityCertificateSettings.objects.get(activity=world.activity)
    assert settings_.hours_rule == HoursRule.ATTENDED


def test_partner_coordinator_and_outsider_get_404(client, world, issuer):
    for user in (world.bob, world.charlie):
        client.force_login(user)
        response = client.post(
            _settings_url(world), {"issuer": issuer.pk, "hours_rule": HoursRule.PROGRAMME}
        )
        assert response.status_code == 404
    assert (
        ActivityCertificateSettings.objects.get(activity=world.activity).hours_rule
        == HoursRule.ATTENDED
    )
