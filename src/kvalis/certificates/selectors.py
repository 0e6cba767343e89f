"""Reads about certificates: what a user may see, a cohort's completers, a person's CPD record."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404

from kvalis.access import ProjectAccess, Role
from kvalis.attendance.selectors import completion_for_enrolments
from kvalis.certificates.models import (
    ActivityCertificateSettings,
    Certificate,
    CertificateStatus,
)
from kvalis.enrolment.models import Enrolment, EnrolmentStatus
from kvalis.lib.collation import lt_order


def can_view_register(access: ProjectAccess) -> bool:
    """Coordinators manage certificates; the funder's observer reads the register."""
    return access.is_coordinator or access.role == Role.FUNDER_OBSERVER


def require_register(access: ProjectAccess) -> ProjectAccess:
    if not can_view_register(access):
        raise Http404
    return access


def project_certificates(access: ProjectAccess) -> QuerySet[Certificate]:
    require_register(access)
    return Certificate.objects.filter(project=access.project).select_related(
        "issuer__organisation", "replaces", "replaced_by"
    )


def other_valid_certificate(certificate: Certificate) -> Certificate | None:
    """Another valid certificate of the same enrolment, when `certificate` is not the valid one
    (a revoked certificate then cannot be reissued: that one is reissued instead)."""
    if certificate.status == CertificateStatus.VALID:
        return None
    return (
        Certificate.objects.filter(
            enrolment_id=certificate.enrolment_id, status=CertificateStatus.VALID
        )
        .exclude(pk=certificate.pk)
        .first()
    )


def mailable(certificates: QuerySet[Certificate]) -> QuerySet[Certificate]:
    """The certificates that are e-mailed to their holders: valid ones of people with an
    e-mail address."""
    return certificates.filter(status=CertificateStatus.VALID).exclude(person__email="")


@dataclass
class BatchMailCounts:
    mailed: int  # the backend took their message (`mailed_at`), counted per recipient
    total: int  # those e-mailed and those still to be
    no_address: int  # valid certificates of people without an e-mail address


def batch_mail_counts(batch) -> BatchMailCounts:
    """What a batch's page says about its e-mails: only what its certificates record."""
    certificates = batch.certificates.all()
    mailed = certificates.filter(mailed_at__isnull=False).count()
    waiting = mailable(certificates.filter(mailed_at__isnull=True)).count()
    no_address = certificates.filter(status=CertificateStatus.VALID, person__email="").count()
    return BatchMailCounts(mailed=mailed, total=mailed + waiting, no_address=no_address)


@dataclass
class CohortRow:
    enrolment: Enrolment
    completion: object | None
    certificate: Certificate | None  # the valid one
    earlier: Certificate | None = None  # the latest revoked or replaced one, when no valid one


def cohort_rows(cohort) -> list[CohortRow]:
    """Confirmed enrolments of a cohort in Lithuanian order, with completion and certificate."""
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.CONFIRMED)
        .select_related("person")
        .order_by(*lt_order("person__last_name", "person__first_name"))
    )
    completion = completion_for_enrolments(
        Enrolment.objects.filter(pk__in=[e.pk for e in enrolments])
    )
    valid: dict[int, Certificate] = {}
    earlier: dict[int, Certificate] = {}
    for c in Certificate.objects.filter(enrolment__in=[e.pk for e in enrolments]).order_by(
        "issued_at", "pk"
    ):
        if c.status == CertificateStatus.VALID:
            valid[c.enrolment_id] = c
        else:
            earlier[c.enrolment_id] = c
    return [
        CohortRow(
            e,
            completion.get(e.pk),
            valid.get(e.pk),
            None if e.pk in valid else earlier.get(e.pk),
        )
        for e in enrolments
    ]


@dataclass
class CpdLine:
    year: int
    start_date: date
    end_date: date
    activity_title: str
    project_title: str
    project_code: str
    issuer_name: str
    hours: Decimal
    number: str  # empty when completed without a certificate (yet)
    certificate: Certificate | None


@dataclass
class CpdRecord:
    lines: list[CpdLine]
    total_hours: Decimal
    hours_by_year: list[tuple[int, Decimal]]


def cpd_record(person, *, project=None) -> CpdRecord:
    """Every completed activity of a person across projects and years; with `project`, only that
    project's (what its back office may show: the person's other projects are not its business).

    Valid certificates speak with their frozen data; confirmed enrolments that completed but hold
    no valid certificate are listed from the live data, without a number."""
    lines: list[CpdLine] = []
    certified: set[int] = set()
    certificates = Certificate.objects.filter(person=person, status=CertificateStatus.VALID)
    enrolments = Enrolment.objects.filter(person=person, status=EnrolmentStatus.CONFIRMED)
    if project is not None:
        certificates = certificates.filter(project=project)
        enrolments = enrolments.filter(cohort__activity__project=project)
    for c in certificates:
        d = c.data
        start = date.fromisoformat(d["start_date"])
        lines.append(
            CpdLine(
                year=start.year,
                start_date=start,
                end_date=date.fromisoformat(d["end_date"]),
                activity_title=d["activity_title"],
                project_title=d["project_title"],
                project_code=d["project_code"],
                issuer_name=d["issuer_name"],
                hours=c.hours,
                number=c.number,
                certificate=c,
            )
        )
        certified.add(c.enrolment_id)
    completion = completion_for_enrolments(enrolments.exclude(pk__in=certified))
    done = list(
        Enrolment.objects.filter(
            pk__in=[pk for pk, c in completion.items() if c.completed]
        ).select_related("cohort__activity__project__lead")
    )
    # Who will issue the certificate: the activity's issuer when chosen, else the project lead.
    issuers = dict(
        ActivityCertificateSettings.objects.filter(
            activity_id__in={e.cohort.activity_id for e in done}
        ).values_list("activity_id", "issuer__organisation__name")
    )
    for e in done:
        cohort = e.cohort
        lines.append(
            CpdLine(
                year=cohort.start_date.year,
                start_date=cohort.start_date,
                end_date=cohort.end_date,
                activity_title=cohort.activity.title,
                project_title=cohort.activity.project.title,
                project_code=cohort.activity.project.code,
                issuer_name=issuers.get(cohort.activity_id) or cohort.activity.project.lead.name,
                hours=completion[e.pk].hours,
                number="",
                certificate=None,
            )
        )
    lines.sort(key=lambda line: (line.start_date, line.activity_title))
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        by_year[line.year] += line.hours
    return CpdRecord(
        lines=lines,
        total_hours=sum((line.hours for line in lines), Decimal("0")),
        hours_by_year=sorted(by_year.items()),
    )
