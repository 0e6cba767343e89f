"""Issuing 1 000 certificates end to end takes at most 10 s, their Open Badges credentials signed;
signing adds at most 20 % to it (the same issue without credentials, measured in the same run).

Set-up (not timed): one activity with its issuer, 40 cohorts of 25 confirmed participants, each
present at an 8-hour session, so all 1 000 complete.

Timed, as a coordinator's "issue to all completers" does it, once per cohort: the bulk-issue
service and its background task (run in-process): completion, gap-free numbering under the
counter lock, frozen data, bulk insert, the PDFs (the shared background laid out by WeasyPrint
once and reused, then each certificate stamped onto it), the PDF files stored — that is the
value reported. The e-mails that follow (one per participant, the PDF attached, to Django's
in-memory mailbox) run in the same timed loop; their time is measured apart (a timer around the
service's `certificates_mail`) and reported in the detail, with the total.
WeasyPrint is imported before timing (a worker has it loaded after its first task).

Signed vs unsigned: two such worlds (two issuers, 1 000 participants each), issued cohort by
cohort in alternation. Half of each world's cohorts are issued with the credentials hook
(`kvalis.credentials.services.on_issued`: status list entries under the lock, each credential
built and signed as a VC-JWT, the rows inserted) and half with it switched off, the signed ones
alternating between the worlds and going first every other time, so that both halves see the
same warm caches, the same load and the same worlds (one of which measures consistently slower
than the other). The ratio of the two halves' issue times (without the e-mail) is reported, in
wall and in CPU time; the first line is the signed half of each world, 1 000 in all.

Reference, measured in the same run: a sample of SAMPLE certificates rendered one at a time, each
as its own WeasyPrint document from the same template with every value filled in
(`render_full_html`), after one warm-up render; its mean × 1 000 is the time a naive design would
spend on the PDFs alone. The ratio reported is that extrapolation over our measured total (which
also includes the database work and the e-mail).
"""

import os
import statistics
import time
from decimal import Decimal

COHORTS = 40
PER_COHORT = 25
TOTAL = COHORTS * PER_COHORT
SAMPLE = 20
TARGET_S = 10.0
SIGNING_TARGET = 1.20  # signed / unsigned


def make_world(*, prefix: str, emails: str):
    from kvalis.attendance.models import Attendance
    from kvalis.certificates.models import ActivityCertificateSettings, CertificateIssuer
    from kvalis.enrolment.models import Enrolment
    from kvalis.people.models import Person
    from kvalis.projects.models import Session
    from tests.factories import (
        ActivityFactory,
        CohortFactory,
        OrganisationFactory,
        SessionFactory,
        UserFactory,
        VenueFactory,
    )

    activity = ActivityFactory(
        title="Jaunimui atviros erdvės kultūros įstaigose ir darbo jose specifika",
        learning_outcomes="Pažinti save ir kitus; jaunimo motyvavimas; streso valdymas.",
    )
    project = activity.project
    issuer = CertificateIssuer.objects.create(
        project=project,
        organisation=project.lead,
        prefix=prefix,
        signatory_name="Dalia Ramanauskienė",
        signatory_position="direktorė",
    )
    ActivityCertificateSettings.objects.create(activity=activity, issuer=issuer)
    venue = VenueFactory(project=project, name="Konferencijų salė", city="Utena")
    organisation = OrganisationFactory(name=f"Molėtų kultūros centras {prefix}")
    people = Person.objects.bulk_create(
        Person(
            first_name=["Eglė", "Šarūnas", "Živilė", "Česlovas", "Ūla"][i % 5],
            last_name=f"Čepulytė-Žąsinaitė{i}",
            email=f"{emails}{i}@example.lt",
            organisation=organisation,
        )
        for i in range(TOTAL)
    )
    cohorts = []
    for c in range(COHORTS):
        cohort = CohortFactory(activity=activity, venue=venue, name=f"{c + 1} grupė")
        SessionFactory(cohort=cohort, academic_hours=Decimal("8"))
        cohorts.append(cohort)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(person=person, cohort=cohorts[i // PER_COHORT], status="confirmed")
        for i, person in enumerate(people)
    )
    sessions = {s.cohort_id: s for s in Session.objects.filter(cohort__in=cohorts)}
    Attendance.objects.bulk_create(
        Attendance(enrolment=e, session=sessions[e.cohort_id], status="present") for e in enrolments
    )
    return cohorts, UserFactory(email=f"koordinatore.{emails}@example.lt")


class Timer:
    """Wall and CPU time of one world's issue, and of its e-mails apart."""

    def __init__(self) -> None:
        self.wall = self.cpu = self.mail_wall = self.mail_cpu = 0.0
        self.signing_wall = self.signing_cpu = 0.0  # inside the credentials hook

    @property
    def issue_wall(self) -> float:
        return self.wall - self.mail_wall

    @property
    def issue_cpu(self) -> float:
        return self.cpu - self.mail_cpu


def _check(prefix: str) -> list:
    import subprocess

    from django.core.files.storage import default_storage

    from kvalis.certificates.models import Certificate
    from kvalis.credentials.models import Credential

    certificates = list(Certificate.objects.filter(prefix=prefix).order_by("sequence"))
    assert len(certificates) == TOTAL, f"{len(certificates)} certificates, not {TOTAL}"
    assert [c.sequence for c in certificates] == list(range(1, TOTAL + 1)), "gaps"
    assert all(c.pdf and default_storage.exists(c.pdf.name) for c in certificates)
    credentials = Credential.objects.filter(certificate__prefix=prefix).exclude(jwt="")
    assert credentials.count() == TOTAL // 2, f"{credentials.count()} credentials"
    last = certificates[-1]
    with default_storage.open(last.pdf.name, "rb") as handle:
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=handle.read(), capture_output=True, check=True
        ).stdout.decode()
    assert last.participant_name in " ".join(text.split()), "name missing from the PDF"
    return certificates


def run() -> list[dict]:
    import weasyprint  # noqa: F401  (imported before timing, as in a running worker)
    from django.core import mail
    from django.utils import translation

    from kvalis.certificates import services
    from kvalis.certificates.pdf import render_full_html
    from kvalis.certificates.services import certificate_issue_bulk
    from kvalis.credentials import services as credentials

    first_cohorts, first_coordinator = make_world(prefix="UVB", emails="dalyvis")
    second_cohorts, second_coordinator = make_world(prefix="UVN", emails="kitas")
    mail.outbox = []
    signed, unsigned = Timer(), Timer()
    current = signed
    certificates_mail = services.certificates_mail
    on_issued = credentials.on_issued

    def timed_mail(**kwargs):
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return certificates_mail(**kwargs)
        finally:
            current.mail_wall += time.perf_counter() - started
            current.mail_cpu += time.process_time() - cpu_started

    def timed_on_issued(certificates):
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            return on_issued(certificates)
        finally:
            current.signing_wall += time.perf_counter() - started
            current.signing_cpu += time.process_time() - cpu_started

    def issue(cohort, coordinator, timer: Timer, *, sign: bool) -> None:
        nonlocal current
        current = timer
        credentials.on_issued = timed_on_issued if sign else (lambda certificates: [])
        started, cpu_started = time.perf_counter(), time.process_time()
        certificate_issue_bulk(cohort=cohort, actor=coordinator)  # task runs on commit
        timer.wall += time.perf_counter() - started
        timer.cpu += time.process_time() - cpu_started

    services.certificates_mail = timed_mail
    load = os.getloadavg()[0]
    try:
        with translation.override("lt"):
            for i in range(COHORTS):
                first = (first_cohorts[i], first_coordinator)
                second = (second_cohorts[i], second_coordinator)
                # Cohorts 0, 1, 2, 3, …: the first world signed, the second signed, …; and who
                # goes first flips every two cohorts.
                runs = [(*first, i % 2 == 0), (*second, i % 2 == 1)]
                for cohort, coordinator, sign in runs if i % 4 < 2 else runs[::-1]:
                    issue(cohort, coordinator, signed if sign else unsigned, sign=sign)
    finally:
        services.certificates_mail = certificates_mail
        credentials.on_issued = on_issued
    ours, total = signed.issue_wall, signed.wall
    with translation.override("lt"):
        certificates = _check("UVB")
        _check("UVN")
        assert len(mail.outbox) == 2 * TOTAL, f"{len(mail.outbox)} e-mails"

        render_full_html(certificates[0])  # warm-up: fonts, WeasyPrint's caches
        singles, singles_cpu = [], []
        for certificate in certificates[1 : SAMPLE + 1]:
            started, cpu_started = time.perf_counter(), time.process_time()
            render_full_html(certificate)
            singles.append(time.perf_counter() - started)
            singles_cpu.append(time.process_time() - cpu_started)
    single = statistics.mean(singles)
    naive = single * TOTAL
    ratio = naive / ours
    cpu = signed.issue_cpu
    signing_ratio = signed.issue_wall / unsigned.issue_wall
    signing_cpu_ratio = signed.issue_cpu / unsigned.issue_cpu
    return [
        {
            "name": "certificates: issue 1 000 end to end",
            "value": round(ours, 2),
            "unit": "s",
            "target": TARGET_S,
            "meets": ours <= TARGET_S,
            "detail": (
                f"{TOTAL} certificates in {COHORTS} cohorts: numbering, frozen data, PDFs made and "
                f"stored, Open Badges credentials signed, in {ours:.2f} s "
                f"({ours / TOTAL * 1000:.1f} ms each); their {TOTAL} e-mails with the PDF "
                f"attached took {signed.mail_wall:.2f} s more (total {total:.2f} s). CPU time of "
                f"this process: {cpu:.2f} s for the issue (+{signed.mail_cpu:.2f} s e-mail); load "
                f"average {load:.1f} on {os.cpu_count()} CPUs at the start, so wall time includes "
                f"waiting for other processes. One WeasyPrint document per certificate: "
                f"mean {single * 1000:.0f} ms (median {statistics.median(singles) * 1000:.0f} ms) "
                f"over {SAMPLE} renders after a warm-up, × {TOTAL} = {naive:.1f} s for the PDFs "
                f"alone; ratio {ratio:.1f}× faster in wall time; in CPU time "
                f"{statistics.mean(singles_cpu) * TOTAL:.1f} s vs {cpu:.2f} s, "
                f"{statistics.mean(singles_cpu) * TOTAL / cpu:.1f}× faster"
            ),
        },
        {
            "name": "certificates: credentials signed vs unsigned",
            "value": round(signing_ratio, 3),
            "unit": "×",
            "target": SIGNING_TARGET,
            "meets": signing_ratio <= SIGNING_TARGET,
            "detail": (
                f"the same issue of {TOTAL} certificates with credentials signed "
                f"{signed.issue_wall:.2f} s, without {unsigned.issue_wall:.2f} s wall "
                f"(+{(signing_ratio - 1) * 100:.1f} %); CPU time {signed.issue_cpu:.2f} s vs "
                f"{unsigned.issue_cpu:.2f} s, ratio {signing_cpu_ratio:.3f} "
                f"(+{(signing_cpu_ratio - 1) * 100:.1f} %), of which the credentials hook itself "
                f"{signed.signing_wall:.2f} s wall, {signed.signing_cpu:.2f} s CPU "
                f"({signed.signing_cpu / TOTAL * 1000:.2f} ms per credential); e-mail excluded; "
                f"half of each world's cohorts signed, in alternation, in one run"
            ),
        },
    ]
