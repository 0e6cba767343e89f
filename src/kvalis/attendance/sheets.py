"""The printed sign-in sheet (pasirašymo lapas): A4, one row per confirmed participant."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kvalis.attendance.selectors import confirmed_roster, employer_name
from kvalis.lib.collation import lt_sorted
from kvalis.lib.pdf import render_pdf
from kvalis.lib.qr import qr_svg
from kvalis.projects.models import Session


def signin_sheet_context(session: Session) -> dict:
    cohort = session.cohort
    project = cohort.activity.project
    form_url = (
        settings.SITE_URL
        + reverse("attendance:session", args=[project.code, session.pk])
        + "?mode=sheet"
    )
    trainers = lt_sorted(cohort.trainers.all(), key=lambda p: f"{p.last_name} {p.first_name}")
    return {
        "project": project,
        "activity": cohort.activity,
        "cohort": cohort,
        "session": session,
        "starts": timezone.localtime(session.starts_at),
        "ends": timezone.localtime(session.ends_at),
        "venue": session.effective_venue,
        "trainers": trainers,
        "rows": [
            {"person": e.person, "employer": employer_name(e)} for e in confirmed_roster(cohort)
        ],
        "form_url": form_url,
        "qr": qr_svg(form_url, scalable=True),
    }


def signin_sheet_pdf(session: Session) -> bytes:
    return render_pdf("attendance/signin_sheet_pdf.html", signin_sheet_context(session))
