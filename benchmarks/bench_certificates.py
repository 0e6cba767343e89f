"""1 000 certificates issued, PDFs and e-mails, against WeasyPrint done the simple ways.

What each line times (all in one run, in one process; CPU time is `time.process_time()` of this
process, so on SQLite it includes the database's work and on PostgreSQL it leaves the server's
out):

- "issue 1 000 (PDFs, no e-mail)", target 10 s wall: as a coordinator's "issue to all completers"
  does it, once per cohort, the bulk-issue service and its background task (run in-process):
  completion, gap-free numbering under the counter lock, frozen data, bulk insert, Open Badges
  credentials signed, the PDFs (the shared background laid out by WeasyPrint once and reused,
  then each certificate stamped onto it), the PDF files stored. The e-mails run in the same timed
  loop; a timer around the service's `certificates_mail` takes them out of this line.
- "end to end (PDFs and e-mails)": the same loop with the e-mails in (one per participant, the PDF
  attached, into Django's in-memory outbox). Its value is CPU time; its target is the most CPU
  time that meets both ratio targets below (the lower of the two baselines divided by its ratio
  target), and its detail gives the wall time.
- The two ratio lines: a baseline's CPU time over that end-to-end CPU time (PDFs + e-mails + the
  database), targets ≥ 20× and ≥ 3×. The baselines make the PDFs only (no database, no e-mail):
  - one WeasyPrint document per certificate: SAMPLE certificates rendered one at a time with
    `render_full_html` (the same template with every value filled in), after one warm-up
    render; their mean × 1 000;
  - one WeasyPrint document of 1 000 pages: the same template with every value filled in for
    1 000 certificates, in ONE HTML (`full_document_html`, a page break after each), rendered
    once with `write_pdf()`; the HTML's making is timed with it. With KVALIS_BENCH_QUICK=1 it
    has 100 pages and its time × 10 stands for 1 000 (the detail says so).
- The same three lines for a case with several activities: one project's 10 activities, each
  with its own title, learning outcomes, certificate text, venue and hours, 4 cohorts of 25
  each, issued cohort by cohort in turn across the activities (10 backgrounds, not one).
- "credentials signed vs unsigned", target ≤ 1.20: the issue's cost of signing.

Set-up (not timed): each world is a project with its issuer and 1 000 confirmed participants,
each present at their cohort's one session, so all complete. The process is then warmed as a
worker is after its first task, and as the baselines are by their warm-up render (`warm_up`):
WeasyPrint imported and one small document made with it, pypdf and fontTools imported, the
URLconf loaded (credentials and QR codes link to pages). Nothing of the measured worlds is made
then: each background is laid out, and each font subset made, in the timed loop.

Signed vs unsigned: two single-activity worlds (two issuers, 40 cohorts of 25 each), issued
cohort by cohort in alternation. Half of each world's cohorts are issued with the credentials
hook (`kvalis.credentials.services.on_issued`: status list entries under the lock, each
credential built and signed as a VC-JWT, the rows inserted) and half with it switched off, the
signed ones alternating between the worlds and going first every other time, so that both halves
see the same warm caches, the same load and the same worlds (one of which measures consistently
slower than the other). The ratio of the two halves' issue times (without the e-mail) is
reported, in wall and in CPU time. The first lines are the signed half of each world, 1 000 in
all; the several-activities world is issued after them, all signed.
"""

import os
import statistics
import time
from decimal import Decimal

COHORTS = 40
PER_COHORT = 25
TOTAL = COHORTS * PER_COHORT
ACTIVITY_COHORTS = 4  # per activity in the several-activities world: 10 × 4 × 25 = 1 000
SAMPLE = 20
QUICK_PAGES = 100
TARGET_S = 10.0
SIGNING_TARGET = 1.20  # signed / unsigned
SINGLE_TARGET = 20.0  # one WeasyPrint document per certificate / ours, CPU
LONG_TARGET = 3.0  # one WeasyPrint document of 1 000 pages / ours, CPU

# The several-activities world: each activity prints its own background and its own hours.
ACTIVITIES = [
    {
        "title": "Jaunimui atviros erdvės kultūros įstaigose ir darbo jose specifika",
        "learning_outcomes": "Pažinti save ir kitus; jaunimo motyvavimas; streso valdymas.",
        "certificate_title": "",
        "custom_text": "",
        "hours": "8",
        "venue": "Konferencijų salė",
        "city": "Utena",
    },
    {
        "title": "Skaitmeninis raštingumas bibliotekose",
        "learning_outcomes": "Saugus naršymas; e. paslaugos; duomenų apsauga.",
        "certificate_title": "Skaitmeninių kompetencijų pažymėjimas",
        "custom_text": "",
        "hours": "16",
        "venue": "Kompiuterių klasė",
        "city": "Molėtai",
    },
    {
        "title": "Projektų valdymas ir paraiškų rengimas",
        "learning_outcomes": "Problemų medis; loginė matrica; biudžeto sudarymas ir pagrindimas.",
        "certificate_title": "",
        "custom_text": "",
        "hours": "24",
        "venue": "Mažoji salė",
        "city": "Zarasai",
    },
    {
        "title": "Bendravimas su sunkiais lankytojais",
        "learning_outcomes": "Konfliktų atpažinimas ir valdymas; aktyvus klausymasis.",
        "certificate_title": "",
        "custom_text": "Programa parengta pagal ministerijos rekomendacijas.",
        "hours": "4.5",
        "venue": "Skaitykla",
        "city": "Anykščiai",
    },
    {
        "title": "Vietos bendruomenės įtraukimas į kultūrinę veiklą",
        "learning_outcomes": "Savanorių paieška; renginių planavimas; partnerystė su mokyklomis.",
        "certificate_title": "",
        "custom_text": "",
        "hours": "12",
        "venue": "Bendruomenės namai",
        "city": "Ignalina",
    },
    {
        "title": "Lietuvos kultūros paveldo pažinimas ir sklaida",
        "learning_outcomes": "Paveldo objektų tyrimas; edukacinės programos; ekskursijų vedimas.",
        "certificate_title": "",
        "custom_text": "",
        "hours": "6",
        "venue": "Krašto muziejus",
        "city": "Rokiškis",
    },
    {
        "title": "Vaikų ir jaunimo skaitymo skatinimas",
        "learning_outcomes": "Skaitymo klubai; knygų pristatymai; bendradarbiavimas su tėvais.",
        "certificate_title": "",
        "custom_text": "Pažymėjimas išduotas baigus visą programą.",
        "hours": "10",
        "venue": "Vaikų literatūros skyrius",
        "city": "Visaginas",
    },
    {
        "title": "Viešasis kalbėjimas ir prezentacijų rengimas",
        "learning_outcomes": "Kalbos struktūra; balsas ir laikysena; vaizdinės priemonės.",
        "certificate_title": "Viešojo kalbėjimo kursų pažymėjimas",
        "custom_text": "",
        "hours": "3",
        "venue": "Aktų salė",
        "city": "Kupiškis",
    },
    {
        "title": "Šiuolaikinės edukacinės metodikos suaugusiųjų mokyme",
        "learning_outcomes": "Patirtinis mokymasis; grįžtamasis ryšys; rezultatų vertinimas.",
        "certificate_title": "",
        "custom_text": "",
        "hours": "18",
        "venue": "Švietimo centras",
        "city": "Biržai",
    },
    {
        "title": "Finansinis raštingumas ir viešieji pirkimai kultūros įstaigose",
        "learning_outcomes": "Pirkimų planavimas; sutarčių valdymas; atskaitomybė steigėjui.",
        "certificate_title": "",
        "custom_text": "Mokymai finansuoti iš projekto lėšų.",
        "hours": "8",
        "venue": "Posėdžių salė",
        "city": "Pasvalys",
    },
]
SINGLE = ACTIVITIES[:1]  # the shared-background best case: one activity


def make_world(*, prefix: str, emails: str, activities: list[dict], cohorts_each: int):
    """A project with its issuer and activities, `cohorts_each` cohorts of PER_COHORT people per
    activity, everyone present at their cohort's one session. Returns the cohorts in the order
    they are issued (in turn across the activities) and a coordinator."""
    from kvalis.attendance.models import Attendance
    from kvalis.certificates.models import ActivityCertificateSettings, CertificateIssuer
    from kvalis.enrolment.models import Enrolment
    from kvalis.people.models import Person
    from kvalis.projects.models import Session
    from tests.factories import (
        ActivityFactory,
        CohortFactory,
        OrganisationFactory,
        ProjectFactory,
        SessionFactory,
        UserFactory,
        VenueFactory,
    )

    project = ProjectFactory()
    issuer = CertificateIssuer.objects.create(
        project=project,
        organisation=project.lead,
        prefix=prefix,
        signatory_name="Dalia Ramanauskienė",
        signatory_position="direktorė",
    )
    per_activity = []
    for spec in activities:
        hours = Decimal(spec["hours"])
        activity = ActivityFactory(
            project=project,
            title=spec["title"],
            learning_outcomes=spec["learning_outcomes"],
            academic_hours=hours,
        )
        ActivityCertificateSettings.objects.create(
            activity=activity,
            issuer=issuer,
            title=spec["certificate_title"],
            custom_text=spec["custom_text"],
        )
        venue = VenueFactory(project=project, name=spec["venue"], city=spec["city"])
        cohorts = []
        for c in range(cohorts_each):
            cohort = CohortFactory(activity=activity, venue=venue, name=f"{c + 1} grupė")
            SessionFactory(cohort=cohort, academic_hours=hours)
            cohorts.append(cohort)
        per_activity.append(cohorts)
    cohorts = [cohort for turn in zip(*per_activity, strict=True) for cohort in turn]
    organisation = OrganisationFactory(name=f"Molėtų kultūros centras {prefix}")
    people = Person.objects.bulk_create(
        Person(
            first_name=["Eglė", "Šarūnas", "Živilė", "Česlovas", "Ūla"][i % 5],
            last_name=f"Čepulytė-Žąsinaitė{i}",
            email=f"{emails}{i}@example.lt",
            organisation=organisation,
        )
        for i in range(len(cohorts) * PER_COHORT)
    )
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
    """Wall and CPU time of one half's issue, its e-mails and its credentials hook apart."""

    def __init__(self) -> None:
        self.wall = self.cpu = self.mail_wall = self.mail_cpu = 0.0
        self.signing_wall = self.signing_cpu = 0.0

    @property
    def issue_wall(self) -> float:
        return self.wall - self.mail_wall

    @property
    def issue_cpu(self) -> float:
        return self.cpu - self.mail_cpu


def _check(prefix: str, *, signed: int) -> list:
    """Every certificate numbered without gaps, its PDF stored, `signed` credentials; the last
    PDF names its holder. Returns the certificates in order."""
    import subprocess

    from django.core.files.storage import default_storage

    from kvalis.certificates.models import Certificate
    from kvalis.credentials.models import Credential

    certificates = list(Certificate.objects.filter(prefix=prefix).order_by("sequence"))
    assert len(certificates) == TOTAL, f"{len(certificates)} certificates, not {TOTAL}"
    assert [c.sequence for c in certificates] == list(range(1, TOTAL + 1)), "gaps"
    assert all(c.pdf and default_storage.exists(c.pdf.name) for c in certificates)
    credentials = Credential.objects.filter(certificate__prefix=prefix).exclude(jwt="")
    assert credentials.count() == signed, f"{credentials.count()} credentials, not {signed}"
    last = certificates[-1]
    with default_storage.open(last.pdf.name, "rb") as handle:
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=handle.read(), capture_output=True, check=True
        ).stdout.decode()
    assert last.participant_name in " ".join(text.split()), "name missing from the PDF"
    return certificates


def _baselines(certificates: list, *, pages: int) -> dict:
    """CPU and wall time of the two simple ways to make the PDFs of `certificates`."""
    from io import BytesIO

    from pypdf import PdfReader

    from kvalis.certificates.pdf import full_document_html, render_full_html
    from kvalis.lib.pdf import render_html_to_pdf

    render_full_html(certificates[0])  # warm-up: fonts, WeasyPrint's caches
    singles, singles_cpu = [], []
    for certificate in certificates[1 : SAMPLE + 1]:
        started, cpu_started = time.perf_counter(), time.process_time()
        render_full_html(certificate)
        singles.append(time.perf_counter() - started)
        singles_cpu.append(time.process_time() - cpu_started)

    started, cpu_started = time.perf_counter(), time.process_time()
    html = full_document_html(certificates[:pages])
    html_cpu = time.process_time() - cpu_started
    pdf = render_html_to_pdf(html)
    long_wall = time.perf_counter() - started
    long_cpu = time.process_time() - cpu_started
    assert len(PdfReader(BytesIO(pdf)).pages) == pages, "one page per certificate"
    scale = TOTAL / pages
    return {
        "single_ms": statistics.mean(singles) * 1000,
        "single_median_ms": statistics.median(singles) * 1000,
        "single_cpu": statistics.mean(singles_cpu) * TOTAL,
        "single_wall": statistics.mean(singles) * TOTAL,
        "long_cpu": long_cpu * scale,
        "long_wall": long_wall * scale,
        "long_html_cpu": html_cpu * scale,
        "long_mb": len(pdf) * scale / 1e6,
        "long_note": (
            f"one document of {pages} pages (KVALIS_BENCH_QUICK), its time × {scale:g}"
            if pages != TOTAL
            else f"one document of {pages} pages"
        ),
    }


def _case_lines(label: str, timer: Timer, base: dict, *, what: str) -> list[dict]:
    """The end-to-end line and the two ratio lines of one case."""
    single_ratio = base["single_cpu"] / timer.cpu
    long_ratio = base["long_cpu"] / timer.cpu
    budget = min(base["single_cpu"] / SINGLE_TARGET, base["long_cpu"] / LONG_TARGET)
    measured = f"end to end {timer.cpu:.2f} s CPU ({what})"
    return [
        {
            "name": f"certificates{label}: 1 000 end to end, e-mails in",
            "value": round(timer.cpu, 2),
            "unit": "s CPU",
            "target": round(budget, 2),
            "meets": timer.cpu <= budget,
            "detail": (
                f"{what}; issue (numbering, frozen data, credentials, PDFs made and stored) "
                f"{timer.issue_cpu:.2f} s CPU, {timer.issue_wall:.2f} s wall; the {TOTAL} "
                f"e-mails with the PDF attached {timer.mail_cpu:.2f} s CPU, "
                f"{timer.mail_wall:.2f} s wall; in all {timer.cpu:.2f} s CPU, "
                f"{timer.wall:.2f} s wall ({timer.cpu / TOTAL * 1000:.1f} ms CPU each). Target: "
                f"the most CPU that meets both ratio targets, min({base['single_cpu']:.1f} / "
                f"{SINGLE_TARGET:g}, {base['long_cpu']:.1f} / {LONG_TARGET:g}) s"
            ),
        },
        {
            "name": f"certificates{label}: vs one WeasyPrint doc each",
            "value": round(single_ratio, 1),
            "unit": "×",
            "target": SINGLE_TARGET,
            "meets": single_ratio >= SINGLE_TARGET,
            "detail": (
                f"CPU time, higher is better: one WeasyPrint document per certificate, mean "
                f"{base['single_ms']:.0f} ms wall (median {base['single_median_ms']:.0f} ms) over "
                f"{SAMPLE} renders after a warm-up, × {TOTAL} = {base['single_cpu']:.1f} s CPU "
                f"({base['single_wall']:.1f} s wall) for the PDFs alone, over our {measured}; "
                f"in wall time {base['single_wall'] / timer.wall:.1f}×"
            ),
        },
        {
            "name": f"certificates{label}: vs one 1 000-page WeasyPrint doc",
            "value": round(long_ratio, 1),
            "unit": "×",
            "target": LONG_TARGET,
            "meets": long_ratio >= LONG_TARGET,
            "detail": (
                f"CPU time, higher is better: {base['long_note']}, every value filled in, "
                f"rendered once with write_pdf(): {base['long_cpu']:.1f} s CPU (of which the "
                f"HTML {base['long_html_cpu']:.1f} s), {base['long_wall']:.1f} s wall, "
                f"{base['long_mb']:.1f} MB, for the PDFs alone, over our {measured}; "
                f"in wall time {base['long_wall'] / timer.wall:.1f}×"
            ),
        },
    ]


def warm_up() -> None:
    """What a worker has done by its second task (see the module's docstring)."""
    import fontTools.subset  # noqa: F401
    import pypdf  # noqa: F401
    import weasyprint  # noqa: F401
    from django.urls import get_resolver

    from kvalis.lib.pdf import render_html_to_pdf

    get_resolver().url_patterns  # noqa: B018  (imports every app's URLs and views)
    render_html_to_pdf("<p>Šiltas paleidimas</p>")


def run() -> list[dict]:
    from django.core import mail
    from django.utils import translation

    from kvalis.certificates import services
    from kvalis.certificates.services import certificate_issue_bulk
    from kvalis.credentials import services as credentials

    pages = QUICK_PAGES if os.environ.get("KVALIS_BENCH_QUICK") == "1" else TOTAL
    first_cohorts, first_coordinator = make_world(
        prefix="UVB", emails="dalyvis", activities=SINGLE, cohorts_each=COHORTS
    )
    second_cohorts, second_coordinator = make_world(
        prefix="UVN", emails="kitas", activities=SINGLE, cohorts_each=COHORTS
    )
    many_cohorts, many_coordinator = make_world(
        prefix="UVM", emails="kursai", activities=ACTIVITIES, cohorts_each=ACTIVITY_COHORTS
    )
    warm_up()
    mail.outbox = []
    signed, unsigned, many = Timer(), Timer(), Timer()
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
            for cohort in many_cohorts:
                issue(cohort, many_coordinator, many, sign=True)
    finally:
        services.certificates_mail = certificates_mail
        credentials.on_issued = on_issued
    with translation.override("lt"):
        certificates = _check("UVB", signed=TOTAL // 2)
        _check("UVN", signed=TOTAL // 2)
        _check("UVM", signed=TOTAL)
        assert len(mail.outbox) == 3 * TOTAL, f"{len(mail.outbox)} e-mails"
        base = _baselines(certificates, pages=pages)

    ours = signed.issue_wall
    signing_ratio = signed.issue_wall / unsigned.issue_wall
    signing_cpu_ratio = signed.issue_cpu / unsigned.issue_cpu
    return [
        {
            "name": "certificates: issue 1 000 (PDFs, no e-mail)",
            "value": round(ours, 2),
            "unit": "s",
            "target": TARGET_S,
            "meets": ours <= TARGET_S,
            "detail": (
                f"{TOTAL} certificates of one activity in {COHORTS} cohorts: numbering, frozen "
                f"data, PDFs made and stored, Open Badges credentials signed, in {ours:.2f} s "
                f"wall ({ours / TOTAL * 1000:.1f} ms each), {signed.issue_cpu:.2f} s CPU; the "
                f"e-mails are not in this line (see end to end); load average {load:.1f} on "
                f"{os.cpu_count()} CPUs at the start, so wall time includes waiting for other "
                f"processes"
            ),
        },
        *_case_lines(
            "",
            signed,
            base,
            what=f"one activity, {COHORTS} cohorts of {PER_COHORT}, one shared background",
        ),
        *_case_lines(
            ", 10 activities",
            many,
            base,
            what=(
                f"{len(ACTIVITIES)} activities × {ACTIVITY_COHORTS} cohorts × {PER_COHORT}, "
                f"{len(ACTIVITIES)} backgrounds, hours "
                + "/".join(spec["hours"] for spec in ACTIVITIES)
            ),
        ),
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
