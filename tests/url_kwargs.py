"""How the URL × role test fills each URL kwarg: name -> function(world) -> value.

Every value must point to an object inside `world.project`, so that an outsider who requests it
must get 404. Add an entry for every kwarg a new URL introduces.
"""

URL_KWARGS = {
    "code": lambda w: w.project.code,
    "cohort_pk": lambda w: w.cohort.pk,
    "session_pk": lambda w: w.session.pk,
    "activity_pk": lambda w: w.activity.pk,
    "person_pk": lambda w: w.person_a.pk,
    "partner_pk": lambda w: w.partner_b.pk,
    "venue_pk": lambda w: _venue(w).pk,
    "membership_pk": lambda w: w.project.memberships.get(user=w.bob).pk,
    "survey_pk": lambda w: _survey(w).pk,
    "template_pk": lambda w: _survey(w).template.pk,
    "question_pk": lambda w: _survey(w).template.questions.first().pk,
    "survey_public_id": lambda w: _survey(w).public_id,
    "line_pk": lambda w: _budget_line(w).pk,
    "expense_pk": lambda w: _expense(w).pk,
    "visit_pk": lambda w: _study_visit(w).pk,
    "host_pk": lambda w: _host_visit(w).pk,
    "traveller_pk": lambda w: _traveller(w).pk,
    "cost_pk": lambda w: _traveller_cost(w).pk,
    "certificate_pk": lambda w: _certificate(w).pk,
    "verification_code": lambda w: _certificate(w).verification_code,
    "issuer_pk": lambda w: _certificate(w).issuer_id,
    "batch_pk": lambda w: _certificate_batch(w).pk,
    "cohort_public_id": lambda w: _open_cohort(w).public_id,
    "enrolment_pk": lambda w: _enrolment(w).pk,
    "import_pk": lambda w: _import_batch(w).pk,
    "token_pk": lambda w: _api_token(w).pk,
    "job_pk": lambda w: _export_job(w).pk,
    "answer": lambda w: "accept",
    "organisation_pk": lambda w: w.lead.pk,
    "join_request_pk": lambda w: _join_request(w).pk,
    # A coordinator of w.lead (organisation_pk): the second-factor reset of a colleague.
    "colleague_pk": lambda w: w.alice.pk,
    "erasure_pk": lambda w: _erasure_request(w).pk,
    "consent_pk": lambda w: _photo_consent(w).pk,
    "passkey_pk": lambda w: _passkey_of_alice(w).pk,
    # The issuer of _certificate's Open Badges credential, and its status list.
    "issuer_public_id": lambda w: _credential(w).status_list.identity.public_id,
    "list_number": lambda w: _credential(w).status_list.number,
}

# URL names that anyone may open without signing in (they answer 200 or redirect, never 404
# for the values above).
PUBLIC_URLS = {
    "attendance:checkin_link",
    "home",
    "set_language",
    "accounts:login",
    "accounts:login_verify",
    # Its passkey alternative (POST only), and the passkey script's messages.
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "projects:public",
    "certificates:verify_form",
    "certificates:verify",
    "enrolment:catalogue",
    "enrolment:apply",
    "enrolment:applied",
    "enrolment:cohort_ics",
    "enrolment:confirm",
    "enrolment:privacy",
    "enrolment:calendar_feed",
    "api:certificate_detail",
    "api:schema",
    "organisations:join",
    "organisations:join_sent",
    # What verifiers of the Open Badges credentials fetch.
    "credentials:did",
    "credentials:profile",
    "credentials:status_list",
    # A certificate's credential by its (already public) verification code (credentials.pages).
    "credential_pages:public_json",
    "credential_pages:public_jwt",
    "credential_pages:public_png",
}

# URL names only a site administrator opens: the coordinator test expects 404 for alice there,
# and the page working for a site administrator.
SITE_ADMIN_URLS = {
    "organisations:join_requests",
    "organisations:join_request",
    "organisations:merge",
}


def _reset_uid(world) -> str:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return urlsafe_base64_encode(force_bytes(world.alice.pk))


def _reset_token(world) -> str:
    from django.contrib.auth.tokens import default_token_generator

    return default_token_generator.make_token(world.alice)


# Where a kwarg name means something else in one URL than in URL_KWARGS (a generic `token`),
# give that URL its own values: URL name -> {kwarg: function(world)}. These win over URL_KWARGS.
URL_KWARGS_BY_NAME = {
    "surveys:answer": {"survey_public_id": lambda w: _survey_for_alice(w).public_id},
    "visits:create": {"activity_pk": lambda w: _study_visit_activity(w).pk},
    "attendance:checkin_link": {
        "public_id": lambda w: w.session.public_id,
        "token": lambda w: _checkin_token(w),
    },
    "accounts:password_reset_confirm": {"uidb64": _reset_uid, "token": _reset_token},
    "enrolment:confirm": {"token": lambda w: _confirmation(w).token},
    "accounts:email_confirm": {"token": lambda w: _email_change_token(w)},
    "organisations:partnership_answer": {"partner_pk": lambda w: _invitation_to_alice(w).pk},
    "enrolment:calendar_feed": {"token": lambda w: _calendar_token(w).token},
    "certificates:my_certificate_pdf": {"certificate_pk": lambda w: _certificate_of_alice(w).pk},
    "credential_pages:my_credential": {"certificate_pk": lambda w: _certificate_of_alice(w).pk},
    "credential_pages:my_json": {"certificate_pk": lambda w: _certificate_of_alice(w).pk},
    "credential_pages:my_jwt": {"certificate_pk": lambda w: _certificate_of_alice(w).pk},
    "credential_pages:my_png": {"certificate_pk": lambda w: _certificate_of_alice(w).pk},
    "enrolment:my_cancel": {"enrolment_pk": lambda w: _enrolment_of_alice(w).pk},
    "people:erasure_on_behalf": {"person_pk": lambda w: _person_kept_by_alice(w).pk},
}


def _person_kept_by_alice(world):
    """world.person_a, whose employer (the lead) alice coordinates: she reviews their erasure."""
    from tests.factories import make_coordinator

    make_coordinator(world.lead, world.alice)
    return world.person_a


def _erasure_request(world):
    from kvalis.people.models import ErasureRequest

    person = _person_kept_by_alice(world)
    existing = ErasureRequest.objects.filter(person=person).first()
    return existing or ErasureRequest.objects.create(person=person, reason="Prašau ištrinti")


def _invitation_to_alice(world):
    """A partnership offered to alice's organisation: only its coordinators answer it."""
    from kvalis.projects.models import Partner
    from tests.factories import PartnerFactory

    existing = Partner.objects.filter(project=world.other_project, organisation=world.lead).first()
    return existing or PartnerFactory(
        project=world.other_project, organisation=world.lead, status="invited"
    )


def _email_change_token(world):
    """alice's own link to confirm a new address: only alice may use it."""
    from kvalis.accounts.tokens import email_change_token

    return email_change_token(user=world.alice, new_email="alice.naujas@example.lt")


def _venue(world):
    from tests.factories import VenueFactory

    return world.project.venues.first() or VenueFactory(project=world.project)


# --- budget and visits ------------------------------------------------------------------------


def _budget_line(world):
    from tests.factories import BudgetLineFactory

    line = world.project.budget_lines.first()
    return line or BudgetLineFactory(project=world.project, title="Lektorių honorarai")


def _expense(world):
    """An expense with a scanned PDF, so that its document view answers 200 to the coordinator."""
    from django.core.files.base import ContentFile

    from kvalis.budget.models import Expense
    from tests.factories import ExpenseFactory

    expense = Expense.objects.filter(line__project=world.project).first()
    if expense is None:
        expense = ExpenseFactory(line=_budget_line(world))
        expense.scan.save("scan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        expense.scan_type = "application/pdf"
        expense.save()
    return expense


def _study_visit(world):
    from kvalis.visits.models import StudyVisit
    from tests.factories import StudyVisitFactory

    visit = StudyVisit.objects.filter(activity__project=world.project).first()
    return visit or StudyVisitFactory(project=world.project)


def _host_visit(world):
    from tests.factories import HostVisitFactory

    visit = _study_visit(world)
    return visit.hosts.first() or HostVisitFactory(visit=visit)


def _traveller(world):
    from tests.factories import TravellerFactory

    visit = _study_visit(world)
    return visit.travellers.first() or TravellerFactory(visit=visit, person=world.person_a)


def _traveller_cost(world):
    from tests.factories import TravellerCostFactory

    traveller = _traveller(world)
    return traveller.costs.first() or TravellerCostFactory(
        traveller=traveller, expense=_expense(world)
    )


def _survey(world):
    """An open survey of `world.activity` with one question (surveys app)."""
    from tests.factories import SurveyFactory, SurveyQuestionFactory

    survey = world.activity.surveys.first()
    if survey is None:
        survey = SurveyFactory(activity=world.activity)
        SurveyQuestionFactory(template=survey.template)
    return survey


def _checkin_token(world) -> str:
    from kvalis.attendance.checkin import token_for

    return token_for(world.session)


def _certificate(world):
    from tests.factories import CertificateFactory

    if not hasattr(world, "_certificate"):
        world._certificate = CertificateFactory(
            enrolment__cohort=world.cohort, enrolment__person=world.person_a
        )
    return world._certificate


def _credential(world):
    from kvalis.credentials.services import credential_jwt

    credential_jwt(_certificate(world))  # signed on first request, as for an older certificate
    return _certificate(world).credential


def _certificate_batch(world):
    from tests.factories import CertificateBatchFactory

    return CertificateBatchFactory(cohort=world.cohort)


def _study_visit_activity(world):
    """A study-visit activity with a cohort and no visit yet: its set-up page answers 200."""
    from tests.factories import ActivityFactory, CohortFactory

    activity = ActivityFactory(project=world.project, kind="study_visit", title="Išvyka")
    CohortFactory(activity=activity)
    return activity


# --- enrolment --------------------------------------------------------------------------------


def _open_cohort(world):
    """A cohort of world.project that starts in a month: open in the public catalogue."""
    from datetime import date, timedelta

    from tests.factories import CohortFactory

    if not hasattr(world, "_open_cohort"):
        start = date.today() + timedelta(days=30)
        world._open_cohort = CohortFactory(
            activity=world.activity, start_date=start, end_date=start + timedelta(days=1)
        )
    return world._open_cohort


def _enrolment(world):
    from tests.factories import EnrolmentFactory

    if not hasattr(world, "_enrolment"):
        world._enrolment = EnrolmentFactory(
            cohort=world.cohort, person=world.person_b, status="applied"
        )
    return world._enrolment


def _import_batch(world):
    from tests.factories import ImportBatchFactory

    return ImportBatchFactory(cohort=world.cohort, created_by=world.alice)


def _confirmation(world):
    from tests.factories import EnrolmentConfirmationFactory, PersonFactory

    return EnrolmentConfirmationFactory(
        enrolment__cohort=_open_cohort(world),
        enrolment__person=PersonFactory(organisation=world.lead),
    )


def _calendar_token(world):
    from kvalis.enrolment.models import CalendarToken

    return CalendarToken.objects.get_or_create(person=world.person_a)[0]


def _survey_for_alice(world):
    """The answer page opens only for a participant: enrol alice's own person in the cohort."""
    from tests.factories import EnrolmentFactory

    survey = _survey(world)
    person = _person_of_alice(world)
    if not person.enrolments.filter(cohort=world.cohort).exists():
        EnrolmentFactory(person=person, cohort=world.cohort)
    return survey


def _person_of_alice(world):
    from kvalis.people.models import Person
    from tests.factories import PersonFactory

    existing = Person.objects.filter(user=world.alice).first()
    return existing or PersonFactory(user=world.alice, email=world.alice.email)


def _certificate_of_alice(world):
    """A participant downloads only their own certificate: this one is alice's."""
    from kvalis.certificates.models import Certificate
    from tests.factories import CertificateFactory

    person = _person_of_alice(world)
    existing = Certificate.objects.filter(enrolment__person=person).first()
    return existing or CertificateFactory(enrolment__cohort=world.cohort, enrolment__person=person)


def _enrolment_of_alice(world):
    """A participant cancels only their own enrolment: this one is alice's."""
    from tests.factories import EnrolmentFactory

    person = _person_of_alice(world)
    existing = person.enrolments.filter(cohort=world.cohort).first()
    return existing or EnrolmentFactory(person=person, cohort=world.cohort)


def _api_token(world):
    """Alice's own API token: only she may revoke it (the outsider gets 404)."""
    from kvalis.api.services import api_token_create

    return api_token_create(user=world.alice, name="Ataskaitos")[0]


def _export_job(world):
    """alice's prepared final report, ready to download: only she may open it."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from kvalis.reports.models import ExportJob

    job = ExportJob.objects.filter(project=world.project, requested_by=world.alice).first()
    if job is None:
        job = ExportJob(
            project=world.project,
            requested_by=world.alice,
            kind="final_report",
            parameters={"annex": True},
            filename=f"{world.project.code}-final-report.pdf",
            status="done",
            progress=100,
            expires_at=timezone.now() + timedelta(hours=24),
        )
        job.file.save(job.filename, ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
        job.save()
    return job


def _join_request(world):
    """A pending join request: only site administrators see or answer it."""
    from kvalis.organisations.models import JoinRequest

    return JoinRequest.objects.filter(company_code="300000001").first() or (
        JoinRequest.objects.create(
            name="Kaimo bendruomenės centras",
            type="culture_centre",
            municipality="utenos-r",
            company_code="300000001",
            address="Utena",
            contact_first_name="Rasa",
            contact_last_name="Kaimietė",
            contact_email="rasa.kaimiete@example.lt",
            contact_phone="+37060000001",
            contact_position="direktorė",
        )
    )


def _photo_consent(world):
    """person_a's photo consent for world.project's study visit: only person_a withdraws it."""
    from django.utils import timezone

    from kvalis.privacy.models import Consent

    visit = _traveller(world).visit
    return Consent.objects.filter(study_visit=visit).first() or Consent.objects.create(
        person=world.person_a,
        purpose="study_visit_photos",
        source="consents_page",
        text_version="1",
        text_sha256="0" * 64,
        statement="Sutinku.",
        study_visit=visit,
        about=str(visit),
        given_at=timezone.now(),
    )


def _passkey_of_alice(world):
    """Only its holder removes a passkey: this one is alice's."""
    import os

    from django_otp_webauthn.models import WebAuthnCredential

    existing = WebAuthnCredential.objects.filter(user=world.alice).first()
    return existing or WebAuthnCredential.objects.create(
        user=world.alice,
        credential_id=os.urandom(32),
        public_key=os.urandom(77),
        aaguid="00000000-0000-0000-0000-000000000000",
        confirmed=True,
    )
