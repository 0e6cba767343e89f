"""Certificates of the demo: issuers, a certificate for every completer, one revoked and reissued.

Assumed (the article says nothing about certificates): the lead library issues the certificates
of the first two modules with the prefix UVB, the education centre (Utenos švietimo centras, a
partner) those of the third, with USC; the signatories are invented names. Certificates are dated
three days after their cohort ends, in cohort order, so numbers run UVB-2014-0001, … in 2014.
One certificate is revoked (a wrong date of issue) and reissued. PDFs are rendered on first
download, not here, to keep `kvalis demo` fast; no e-mail is sent for these historical records.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from kvalis.certificates import services
from kvalis.certificates.models import (
    ActivityCertificateSettings,
    Certificate,
    CertificateIssuer,
    CertificateStatus,
    RevocationStatement,
)
from kvalis.demo import data
from kvalis.lib.collation import lt_sorted
from kvalis.organisations.models import Organisation
from kvalis.projects.models import ActivityKind, Cohort, Project

VILNIUS = ZoneInfo("Europe/Vilnius")
ISSUERS = {
    # organisation key: (prefix, signatory, position)
    "utena-vb": ("UVB", "Dalia Ramanauskienė", "direktorė"),
    "utena-sc": ("USC", "Rimantas Jakštas", "direktorius"),
}
REVOKE_REASON = "Pažymėjime įrašyta neteisinga išdavimo data; išduotas naujas pažymėjimas."


def _organisation(key: str) -> Organisation:
    return Organisation.objects.get(email=f"info@{key}.demo.kvalis.lt")


def load(*, stdout=None) -> dict[str, int]:
    project = Project.objects.get(code=data.PROJECT_CODE)
    coordinator = project.memberships.filter(role="coordinator").first()
    actor = coordinator.user if coordinator else None
    issuers = {}
    for key, (prefix, name, position) in ISSUERS.items():
        issuer = CertificateIssuer.objects.filter(project=project, prefix=prefix).first()
        if issuer is None:
            issuer = services.certificate_issuer_save(
                project=project,
                actor=actor,
                organisation=_organisation(key),
                prefix=prefix,
                signatory_name=name,
                signatory_position=position,
            )
        issuers[prefix] = issuer
    modules = list(project.activities.filter(kind=ActivityKind.MODULE).order_by("position"))
    for index, activity in enumerate(modules):
        if not ActivityCertificateSettings.objects.filter(activity=activity).exists():
            services.activity_certificate_settings_save(
                activity=activity,
                actor=actor,
                issuer=issuers["USC" if index == 2 else "UVB"],
                custom_text=(
                    "Programa įgyvendinta pagal Kultūros specialistų kvalifikacijos "
                    "tobulinimo programą."
                ),
            )

    cohorts = Cohort.objects.filter(activity__in=modules).order_by("start_date", "name")
    for cohort in cohorts:
        issued_at = datetime.combine(cohort.end_date + timedelta(days=3), time(10), VILNIUS)
        chosen, _completion = services._eligible(services._enrolment_qs().filter(cohort=cohort))
        for enrolment in lt_sorted(
            chosen, key=lambda e: f"{e.person.last_name} {e.person.first_name}"
        ):
            services.certificate_issue(
                enrolment=enrolment, actor=actor, issued_at=issued_at, notify=False
            )

    if not Certificate.objects.filter(project=project, replaces__isnull=False).exists():
        first = (
            Certificate.objects.filter(
                project=project, status=CertificateStatus.VALID, prefix="UVB"
            )
            .exclude(person__user__isnull=False)
            .order_by("year", "prefix", "sequence")
            .first()
        )
        if first is not None:
            when = first.issued_at + timedelta(days=5)
            revoked = services.certificate_revoke(
                certificate=first,
                actor=actor,
                reason=REVOKE_REASON,
                statement=RevocationStatement.ISSUED_IN_ERROR,
                when=when,
            )
            services.certificate_reissue(
                certificate=revoked,
                actor=actor,
                reason=REVOKE_REASON,
                notify=False,
                when=when + timedelta(hours=1),
            )
    certificates = Certificate.objects.filter(project=project)
    return {
        "certificates": certificates.count(),
        "valid certificates": certificates.filter(status=CertificateStatus.VALID).count(),
    }
