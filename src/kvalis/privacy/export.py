"""Access and portability (GDPR art. 15 and 20): everything Kvalis holds about one person.

`person_data(person)` gathers it as plain JSON values; `build_zip(person)` packs

- `duomenys.json`: the data, machine-readable. Top-level keys (every one always present):
  `format` (name, version, generated_at), `person`, `login`, `enrolments`, `attendance`,
  `hours`, `certificates`, `survey_participation`, `study_visits`, `trainer_of`, `consents`,
  `audit`. Dates are ISO 8601 (`2014-05-12`), times ISO 8601 with the UTC offset, hours and
  money decimal strings (`"15.3"`); a `*_label` beside a code is the code in Lithuanian words.
- `duomenys.html`: the same, as a Lithuanian page that opens in any browser without a network
  (styles inline, no scripts, no images, no external links);
- `pazymejimai/<number>.pdf`: the PDF of every valid certificate.

Survey answers are anonymous by design (no link from an answer to anyone): the export can only
say which surveys the person answered, never what they answered.

A person with 50 enrolments takes well under a second (benchmarks/privacy_export.py), so the
ZIP is built in the request; certificate PDFs are read from storage, rendered only if missing.
"""

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from kvalis.attendance.models import Attendance
from kvalis.attendance.selectors import completion_for_enrolments, credited_hours, person_ledger
from kvalis.audit.models import AuditEntry
from kvalis.certificates.models import Certificate, CertificateStatus
from kvalis.enrolment.models import Enrolment
from kvalis.people.models import Person
from kvalis.privacy.models import Consent
from kvalis.surveys.models import SurveyParticipation
from kvalis.visits.models import Traveller

FORMAT_NAME = "kvalis-asmens-duomenys"
FORMAT_VERSION = 1
JSON_NAME = "duomenys.json"
HTML_NAME = "duomenys.html"
PDF_FOLDER = "pazymejimai"


def _d(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _t(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value is not None else None


def _n(value) -> str | None:
    return str(Decimal(value).normalize()) if value is not None else None


def person_data(person: Person) -> dict:
    """All of it, as JSON values, labels in Lithuanian. A fixed number of queries."""
    with translation.override("lt"):
        return _person_data(person)


def _person_data(person: Person) -> dict:
    person = Person.objects.select_related("organisation", "user").get(pk=person.pk)
    enrolments = list(
        Enrolment.objects.filter(person=person)
        .select_related("cohort__activity__project", "cohort__venue")
        .order_by("cohort__start_date", "pk")
    )
    enrolment_ids = [e.pk for e in enrolments]
    completions = completion_for_enrolments(Enrolment.objects.filter(pk__in=enrolment_ids))
    certificates = list(
        Certificate.objects.filter(person=person).select_related("project").order_by("issued_at")
    )
    travellers = list(
        Traveller.objects.filter(person=person)
        .select_related("visit__activity__project")
        .prefetch_related("costs__expense")
    )
    consents = list(Consent.objects.filter(person=person).order_by("given_at", "pk"))
    return {
        "format": {
            "name": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "generated_at": _t(timezone.now()),
        },
        "person": _person(person),
        "login": _login(person),
        "enrolments": [_enrolment(e, completions.get(e.pk)) for e in enrolments],
        "attendance": _attendance(enrolment_ids),
        "hours": _hours(person),
        "certificates": [_certificate(c) for c in certificates],
        "survey_participation": _surveys(person),
        "study_visits": [_traveller(t) for t in travellers],
        "trainer_of": _trained(person),
        "consents": [_consent(c) for c in consents],
        "audit": _audit(person, enrolment_ids, certificates, travellers, consents),
    }


def _person(person: Person) -> dict:
    organisation = person.organisation
    return {
        "id": person.pk,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "email_verified": person.email_verified,
        "phone": person.phone,
        "employer": None
        if organisation is None
        else {
            "id": organisation.pk,
            "name": organisation.name,
            "municipality": organisation.municipality,
        },
        "position": person.position,
        "position_category": person.position_category,
        "position_category_label": person.get_position_category_display(),
        "created_at": _t(person.created_at),
        "updated_at": _t(person.updated_at),
    }


def _login(person: Person) -> dict | None:
    user = person.user
    if user is None:
        return None
    return {
        "email": user.email,
        "language": user.language,
        "date_joined": _t(user.date_joined),
        "last_login": _t(user.last_login),
    }


def _enrolment(e: Enrolment, completion) -> dict:
    cohort = e.cohort
    activity = cohort.activity
    return {
        "id": e.pk,
        "project": {"code": activity.project.code, "title": activity.project.title},
        "activity": {
            "title": activity.title,
            "kind": activity.kind,
            "kind_label": activity.get_kind_display(),
            "academic_hours": _n(activity.academic_hours),
        },
        "cohort": {
            "name": cohort.name,
            "start_date": _d(cohort.start_date),
            "end_date": _d(cohort.end_date),
            "venue": str(cohort.venue) if cohort.venue_id else "",
        },
        "status": e.status,
        "status_label": e.get_status_display(),
        "waiting_position": e.waiting_position,
        "employer_at_enrolment": e.organisation_name,
        "position_at_enrolment": e.position,
        "position_category_at_enrolment": e.position_category,
        "enrolled_by_staff": e.enrolled_by_id is not None,
        "completed": completion.completed if completion is not None else False,
        "hours_credited": _n(completion.hours) if completion is not None else "0",
        "created_at": _t(e.created_at),
        "updated_at": _t(e.updated_at),
    }


def _attendance(enrolment_ids: list[int]) -> list[dict]:
    rows = (
        Attendance.objects.filter(enrolment_id__in=enrolment_ids)
        .select_related("session__cohort__activity")
        .order_by("session__starts_at", "pk")
    )
    return [
        {
            "enrolment_id": row.enrolment_id,
            "activity": row.session.cohort.activity.title,
            "session": row.session.title,
            "starts_at": _t(row.session.starts_at),
            "ends_at": _t(row.session.ends_at),
            "status": row.status,
            "status_label": row.get_status_display(),
            "minutes_attended": row.minutes_attended,
            "method": row.method,
            "method_label": row.get_method_display(),
            "academic_hours_credited": _n(
                credited_hours(
                    status=row.status,
                    minutes_attended=row.minutes_attended,
                    session_hours=row.session.academic_hours,
                )
            ),
            "recorded_at": _t(row.recorded_at),
        }
        for row in rows
    ]


def _hours(person: Person) -> dict:
    ledger = person_ledger(person)
    return {
        "total": _n(ledger.total),
        "by_project": [
            {"code": p.code, "title": p.title, "hours": _n(h)} for p, h in ledger.by_project
        ],
        "by_year": [{"year": year, "hours": _n(h)} for year, h in ledger.by_year],
    }


def _pdf_name(certificate: Certificate) -> str:
    return f"{PDF_FOLDER}/{certificate.number}.pdf"


def _certificate(c: Certificate) -> dict:
    return {
        "number": c.number,
        "project": {"code": c.project.code, "title": c.project.title},
        "activity": c.data.get("activity_title", ""),
        "issued_at": _t(c.issued_at),
        "academic_hours": _n(c.hours),
        "status": c.status,
        "status_label": c.get_status_display(),
        "revoked_at": _t(c.revoked_at),
        "revocation_statement": c.get_revocation_statement_display()
        if c.revocation_statement
        else "",
        "verification_code": c.verification_code,
        "verification_url": settings.SITE_URL
        + reverse("certificates:verify", kwargs={"verification_code": c.verification_code}),
        "certified_data": c.data,
        # Only a valid certificate's paper is handed out (as on "My certificates").
        "pdf": _pdf_name(c) if c.status == CertificateStatus.VALID else None,
    }


def _surveys(person: Person) -> list[dict]:
    rows = SurveyParticipation.objects.filter(person=person).select_related(
        "survey__project", "survey__activity"
    )
    return [
        {
            "survey": p.survey.title,
            "project": p.survey.project.code,
            "activity": p.survey.activity.title,
            "closes_on": _d(p.survey.closes_on),
            "answered": True,
        }
        for p in sorted(rows, key=lambda p: (p.survey.closes_on, p.survey.title))
    ]


def _traveller(t: Traveller) -> dict:
    visit = t.visit
    return {
        "visit": str(visit),
        "project": visit.activity.project.code,
        "start_date": _d(visit.start_date),
        "end_date": _d(visit.end_date),
        "status": t.status,
        "status_label": t.get_status_display(),
        "reserve_rank": t.reserve_rank,
        "travel_document_valid_until": _d(t.travel_document_expiry),
        "insurance": t.insurance,
        "consent_received": t.consent,
        "costs": [
            {"expense": str(cost.expense), "amount": _n(cost.amount)} for cost in t.costs.all()
        ],
    }


def _trained(person: Person) -> list[dict]:
    cohorts = person.trained_cohorts.select_related("activity__project").order_by("start_date")
    return [
        {
            "project": c.activity.project.code,
            "activity": c.activity.title,
            "cohort": c.name,
            "start_date": _d(c.start_date),
            "end_date": _d(c.end_date),
        }
        for c in cohorts
    ]


def _consent(c: Consent) -> dict:
    return {
        "purpose": c.purpose,
        "purpose_label": c.get_purpose_display(),
        "kind": "consent" if c.withdrawable else "acknowledged",
        "about": c.about,
        "statement": c.statement,
        "text_version": c.text_version,
        "language": c.language,
        "text_sha256": c.text_sha256,
        "source": c.source,
        "source_label": c.get_source_display(),
        "given_at": _t(c.given_at),
        "withdrawn_at": _t(c.withdrawn_at),
    }


def _audit(person, enrolment_ids, certificates, travellers, consents) -> list[dict]:
    about = Q(object_type="people.person", object_id=str(person.pk))
    for object_type, ids in (
        ("enrolment.enrolment", enrolment_ids),
        ("certificates.certificate", [c.pk for c in certificates]),
        ("visits.traveller", [t.pk for t in travellers]),
        ("privacy.consent", [c.pk for c in consents]),
    ):
        if ids:
            about |= Q(object_type=object_type, object_id__in=[str(pk) for pk in ids])
    if person.user_id is not None:
        about |= Q(object_type="accounts.user", object_id=str(person.user_id))
    entries = (
        AuditEntry.objects.filter(about).select_related("project").order_by("created_at", "pk")
    )
    return [
        {
            "at": _t(entry.created_at),
            "action": entry.action,
            "action_label": entry.action_label,
            "project": entry.project.code if entry.project_id else "",
            "summary": entry.summary,
            # Who acted is staff of the institutions (or the person); only whether it was them.
            "by_the_person": person.user_id is not None and entry.actor_id == person.user_id,
            "details": entry.data,
        }
        for entry in entries
    ]


def certificate_pdfs(person: Person) -> list[tuple[str, bytes]]:
    from kvalis.certificates.services import certificate_pdf_bytes

    valid = Certificate.objects.filter(person=person, status=CertificateStatus.VALID)
    return [(_pdf_name(c), certificate_pdf_bytes(c, language="lt")) for c in valid.order_by("pk")]


def render_html(data: dict) -> str:
    with translation.override("lt"):
        return render_to_string("privacy/export/duomenys.html", {"d": data})


def build_zip(person: Person) -> bytes:
    data = person_data(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr(HTML_NAME, render_html(data))
        for name, content in certificate_pdfs(person):
            archive.writestr(name, content)
    return buffer.getvalue()
