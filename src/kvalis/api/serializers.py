"""Plain dicts for the JSON API, with stable keys. Dates are ISO 8601 (the JSON encoder writes
them), money is a decimal string with its currency, hours are decimal strings."""

from decimal import Decimal

from django.utils import timezone

from kvalis.certificates.models import HOLDER_WITHHELD_KEY


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def money(amount: Decimal, currency: str) -> dict:
    return {"amount": f"{amount:.2f}", "currency": currency}


def decimal(value: Decimal | None, places: int = 1) -> str | None:
    return None if value is None else f"{value:.{places}f}"


def organisation(org) -> dict | None:
    if org is None:
        return None
    return {"id": org.pk, "name": org.name, "short_name": org.short_name, "type": org.type}


def project_summary(project, *, role: str) -> dict:
    return {
        "code": project.code,
        "title": project.title,
        "role": role,
        "lead": organisation(project.lead),
        "funder": organisation(project.funder),
        "funding_programme": project.funding_programme,
        "grant": money(project.grant_amount, project.currency),
        "start_date": project.start_date,
        "end_date": project.end_date,
    }


def project_detail(project, *, role: str, partners, activities) -> dict:
    return {
        **project_summary(project, role=role),
        "description": project.description,
        "planned": {
            "participants": project.planned_participants,
            "academic_hours": project.planned_academic_hours,
            "certificates": project.planned_certificates,
        },
        "partners": [
            {
                "organisation": organisation(p.organisation),
                "role": p.role,
                "role_label": p.get_role_display(),
            }
            for p in partners
        ],
        "activities": [activity(a) for a in activities],
    }


def activity(a) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "title": a.title,
        "academic_hours": decimal(a.academic_hours),
        "completion_percent": a.completion_percent,
        "cohorts": [cohort(c) for c in a.cohorts.all()],
    }


def cohort(c) -> dict:
    return {
        "id": c.pk,
        "public_id": str(c.public_id),
        "name": c.name,
        "start_date": c.start_date,
        "end_date": c.end_date,
        "capacity": c.capacity,
        "venue": c.venue.name if c.venue_id else None,
        "trainers": sorted(f"{t.first_name} {t.last_name}" for t in c.trainers.all()),
        "sessions": [session(s) for s in c.sessions.all()],
    }


def session(s) -> dict:
    return {
        "id": s.pk,
        "public_id": str(s.public_id),
        "title": s.title,
        "starts_at": s.starts_at,
        "ends_at": s.ends_at,
        "academic_hours": decimal(s.academic_hours),
        "venue": s.venue.name if s.venue_id else None,
    }


def person(p) -> dict:
    return {
        "id": p.pk,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "email": p.email,
        "position": p.position,
        "position_category": p.position_category,
        "organisation": organisation(p.organisation),
    }


def certificate(c, replacement) -> dict:
    """The facts of the public verification page (certificates/verify.html), no more."""
    d = c.data or {}
    return {
        "number": c.number,
        "verification_code": c.verification_code,
        "status": c.status,
        "valid": c.status == "valid",
        # Blank once the holder had their data erased; the certificate stays valid.
        "participant_name": "" if d.get(HOLDER_WITHHELD_KEY) else c.participant_name,
        "holder_name_withheld": bool(d.get(HOLDER_WITHHELD_KEY)),
        "activity_title": d.get("activity_title", ""),
        "project_title": d.get("project_title", ""),
        "academic_hours": decimal(c.hours),
        "start_date": d.get("start_date") or None,
        "end_date": d.get("end_date") or None,
        "issuer_name": d.get("issuer_name", ""),
        "issued_on": _local_date(c.issued_at),
        "revoked_on": _local_date(c.revoked_at),
        # Never the internal reason: only the statement chosen for the public.
        "revocation_statement": c.revocation_statement or None,
        "revocation_statement_text": (
            c.get_revocation_statement_display() if c.revocation_statement else ""
        ),
        "replaced_by": (
            {"number": replacement.number, "verification_code": replacement.verification_code}
            if replacement is not None
            else None
        ),
    }
