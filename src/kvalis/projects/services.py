"""Writes of a project's set-up: the project, its partners, activities, venues, cohorts, sessions
and memberships. Each checks what cannot be (with a specific, translated message), calls
`full_clean()`, saves and writes an audit entry."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kvalis import ownership
from kvalis.accounts.models import User
from kvalis.accounts.services import set_password_url, user_get_or_invite
from kvalis.audit.services import audit_log
from kvalis.lib import public_cache
from kvalis.lib.mail import queue_mail
from kvalis.lib.money import Currency
from kvalis.organisations.models import Organisation, OrganisationCoordinator
from kvalis.people.models import Person
from kvalis.projects.models import (
    Activity,
    Cohort,
    Membership,
    MembershipRole,
    Partner,
    PartnerRole,
    PartnerStatus,
    Project,
    Session,
    Venue,
)
from kvalis.reports import figures

PROJECT_FIELDS = {
    "title",
    "description",
    "funder",
    "funding_programme",
    "grant_amount",
    "currency",
    "start_date",
    "end_date",
    "planned_participants",
    "planned_academic_hours",
    "planned_certificates",
    "is_public",
}
PARTNER_FIELDS = {"role", "contact_name", "contact_email", "contact_phone"}
ACTIVITY_FIELDS = {
    "kind",
    "title",
    "description",
    "learning_outcomes",
    "audience_description",
    "audience_position_categories",
    "audience_organisation_types",
    "audience_counties",
    "academic_hours",
    "completion_percent",
    "position",
}
VENUE_FIELDS = {"name", "address", "city", "country", "organisation"}
COHORT_FIELDS = {"name", "venue", "start_date", "end_date", "capacity", "notes"}
SESSION_FIELDS = {"title", "starts_at", "ends_at", "academic_hours", "venue"}
MINUTES_PER_ACADEMIC_HOUR = Decimal(45)


def _assign(obj, fields: dict[str, Any], allowed: set[str]) -> list[str]:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields for {type(obj).__name__}: {sorted(unknown)}")
    changed = []
    for name, value in fields.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _raise(errors: dict[str, list[str]]) -> None:
    errors = {field: messages for field, messages in errors.items() if messages}
    if errors:
        raise ValidationError(errors)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


# --- Project -----------------------------------------------------------------------------------


def _validate_project(project: Project) -> None:
    errors: dict[str, list[str]] = {"grant_amount": [], "currency": [], "end_date": []}
    if project.grant_amount is not None and project.grant_amount < 0:
        errors["grant_amount"].append(_("The grant cannot be negative."))
    if project.currency not in Currency.values:
        errors["currency"].append(
            _("Unknown currency “%(currency)s”: choose litas (LTL) or euro (EUR).")
            % {"currency": project.currency}
        )
    if project.start_date and project.end_date and project.end_date < project.start_date:
        errors["end_date"].append(_("The project cannot end before it starts."))
    if project.pk and project.start_date and project.end_date:
        span = Cohort.objects.filter(activity__project=project).aggregate(
            first=Min("start_date"), last=Max("end_date")
        )
        if (span["first"] and span["first"] < project.start_date) or (
            span["last"] and span["last"] > project.end_date
        ):
            errors["end_date"].append(
                _("The period must include all cohorts of the project (%(first)s – %(last)s).")
                % {"first": span["first"].isoformat(), "last": span["last"].isoformat()}
            )
    _raise(errors)


@transaction.atomic
def project_create(
    *,
    actor,
    code: str,
    title: str,
    lead: Organisation,
    start_date,
    end_date,
    funder: Organisation | None = None,
    funding_programme: str = "",
    grant_amount: Decimal = Decimal("0"),
    currency: str = Currency.EUR,
    description: str = "",
    planned_participants: int = 0,
    planned_academic_hours: int = 0,
    planned_certificates: int = 0,
    is_public: bool = True,
) -> Project:
    """Create a project; its lead becomes the lead partner and the creator its coordinator.

    Only a site administrator or a coordinator of a registered organisation starts a project,
    and only with their own organisation as lead (`actor=None` is the demo and the shell).
    """
    code = code.strip().upper()
    if actor is not None and not ownership.may_lead(actor, lead):
        raise ValidationError(
            {
                "lead": _(
                    "A project is led by your own registered organisation: choose it from the "
                    "list, or ask a site administrator to register your organisation."
                )
            }
        )
    project = Project(
        code=code,
        title=title,
        lead=lead,
        funder=funder,
        funding_programme=funding_programme,
        grant_amount=grant_amount,
        currency=currency,
        start_date=start_date,
        end_date=end_date,
        description=description,
        planned_participants=planned_participants,
        planned_academic_hours=planned_academic_hours,
        planned_certificates=planned_certificates,
        is_public=is_public,
    )
    _validate_project(project)
    if Project.objects.filter(code__iexact=code).exists():
        raise ValidationError({"code": _("Another project already uses the code %s.") % code})
    project.full_clean()
    project.save()
    lead_partner = Partner(
        project=project, organisation=lead, role=PartnerRole.LEAD, status=PartnerStatus.ACCEPTED
    )
    lead_partner.full_clean()
    lead_partner.save()
    figures.project_created(project=project)
    if actor is not None and actor.is_authenticated:
        membership = Membership(project=project, user=actor, role=MembershipRole.COORDINATOR)
        membership.full_clean()
        membership.save()
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="project.create",
        obj=project,
        project=project,
        summary=project.title,
    )
    return project


@transaction.atomic
def project_update(*, actor, project: Project, **fields: Any) -> Project:
    changed = _assign(project, fields, PROJECT_FIELDS)
    _validate_project(project)
    project.full_clean()
    project.save()
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="project.update",
        obj=project,
        project=project,
        summary=project.title,
        data={"changed": changed},
    )
    return project


# --- Partners ----------------------------------------------------------------------------------


def _validate_partner(partner: Partner, covered: list[Organisation] | None) -> None:
    errors: dict[str, list[str]] = {"organisation": [], "role": [], "covered_organisations": []}
    duplicate = Partner.objects.filter(
        project_id=partner.project_id, organisation_id=partner.organisation_id
    ).exclude(pk=partner.pk)
    if duplicate.exists():
        errors["organisation"].append(_("This organisation is already a partner of the project."))
    if partner.role == PartnerRole.LEAD:
        other_lead = Partner.objects.filter(
            project_id=partner.project_id, role=PartnerRole.LEAD
        ).exclude(pk=partner.pk)
        if other_lead.exists():
            errors["role"].append(_("A project has only one lead; choose another role."))
    if covered and any(org.pk == partner.organisation_id for org in covered):
        errors["covered_organisations"].append(
            _("A partner cannot nominate for itself: leave its own organisation out.")
        )
    elif covered:
        organisation = partner.organisation
        already = (
            set(partner.covered_organisations.values_list("pk", flat=True)) if partner.pk else set()
        )
        for org in covered:
            if org.pk not in already and not ownership.may_cover(organisation, org):
                errors["covered_organisations"].append(
                    _(
                        "%(partner)s does not represent %(institution)s, so it cannot nominate "
                        "its staff: a registered organisation takes part as a partner of its own."
                    )
                    % {"partner": organisation.name, "institution": org.name}
                )
    _raise(errors)


@transaction.atomic
def partner_add(
    *,
    actor,
    project: Project,
    organisation: Organisation,
    role: str,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    covered_organisations: list[Organisation] | None = None,
    notify: bool = True,
) -> Partner:
    """Offer the organisation a partnership (with the institutions it would nominate for).

    The partner organisation's keepers accept it; until then the project sees none of its
    people. When the actor keeps that organisation themself, it is accepted at once. Its keepers
    are told by e-mail unless `notify` is false (the demo, which accepts at once).
    """
    partner = Partner(
        project=project,
        organisation=organisation,
        role=role,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone,
        status=PartnerStatus.INVITED,
    )
    covered = list(covered_organisations or [])
    _validate_partner(partner, covered)
    if role == PartnerRole.LEAD:
        raise ValidationError({"role": _("A project has only one lead; choose another role.")})
    if ownership.keeps(actor, organisation):
        partner.status = PartnerStatus.ACCEPTED
        partner.responded_at = timezone.now()
        partner.responded_by = actor
    partner.full_clean()
    partner.save()
    partner.covered_organisations.set(covered)
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="partner.add",
        obj=partner,
        project=project,
        data={"covered_organisations": [org.pk for org in covered], "status": partner.status},
    )
    if partner.status == PartnerStatus.INVITED and notify:
        _mail_partnership_invitation(partner, actor=actor)
    return partner


def _mail_partnership_invitation(partner: Partner, *, actor) -> None:
    """Tell the keepers of the invited organisation (its coordinators, or those of the
    organisation that represents it) that a partnership awaits their answer."""
    organisation = partner.organisation
    keeper_org = organisation if organisation.is_registered else organisation.represented_by
    if keeper_org is None:
        return
    inviter = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        inviter = actor.get_full_name() or actor.email
    for coordinator in OrganisationCoordinator.objects.filter(
        organisation=keeper_org
    ).select_related("user"):
        queue_mail(
            to=coordinator.user.email,
            template="projects/emails/partnership_invitation",
            context={
                "first_name": coordinator.user.first_name,  # the greeting
                "project_title": partner.project.title,
                "project_code": partner.project.code,
                "lead": partner.project.lead.name,
                "organisation": organisation.name,
                "role": partner.get_role_display(),
                "covered": [org.name for org in partner.covered_organisations.all()],
                "inviter": inviter,
                "answer_url": _absolute("organisations:partnerships"),
            },
            language=coordinator.user.language,
        )


@transaction.atomic
def partner_update(
    *,
    actor,
    partner: Partner,
    covered_organisations: list[Organisation] | None = None,
    **fields: Any,
) -> Partner:
    if partner.role == PartnerRole.LEAD and fields.get("role", PartnerRole.LEAD) != (
        PartnerRole.LEAD
    ):
        raise ValidationError(
            {"role": _("The lead organisation keeps the lead role; edit the project instead.")}
        )
    changed = _assign(partner, fields, PARTNER_FIELDS)
    covered = list(covered_organisations) if covered_organisations is not None else None
    covered_changes = covered is not None and {org.pk for org in covered} != set(
        partner.covered_organisations.values_list("pk", flat=True)
    )
    # The institutions a partner nominates for are its own to name: the project only proposes
    # them with the invitation.
    if (
        covered_changes
        and partner.status != PartnerStatus.INVITED
        and not ownership.keeps(actor, partner.organisation)
    ):
        raise ValidationError(
            {
                "covered_organisations": _(
                    "Only the partner organisation's own coordinators change the "
                    "institutions it nominates for."
                )
            }
        )
    _validate_partner(partner, covered)
    partner.full_clean()
    partner.save()
    if covered is not None:
        partner.covered_organisations.set(covered)
        changed.append("covered_organisations")
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="partner.update",
        obj=partner,
        project=partner.project,
        data={"changed": changed},
    )
    return partner


@transaction.atomic
def partner_remove(*, actor, partner: Partner) -> None:
    """Remove a partner from the project. The lead stays; so does a partner with enrolments."""
    if partner.role == PartnerRole.LEAD:
        raise ValidationError(_("The lead organisation cannot be removed from its project."))
    if hasattr(partner, "enrolments") and partner.enrolments.exists():
        raise ValidationError(
            _("This partner has enrolled people; it stays so that their records stay complete.")
        )
    project = partner.project
    summary = str(partner)
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="partner.remove",
        obj=partner,
        project=project,
        summary=summary,
        data={"organisation": partner.organisation_id},
    )
    partner.delete()


def _partner_to_answer(actor, partner: Partner) -> Partner:
    """The partnership, locked, if `actor` answers for its organisation."""
    partner = (
        Partner.objects.select_for_update()
        .select_related("project", "organisation")
        .get(pk=partner.pk)
    )
    if not ownership.may_answer_partnership(actor, partner):
        raise ValidationError(
            _("Only the coordinators of %(name)s answer for it.") % {"name": partner.organisation}
        )
    return partner


def _record_answer(partner: Partner, *, actor, status: str, action: str, data=None) -> Partner:
    partner.status = status
    partner.responded_at = timezone.now()
    partner.responded_by = actor
    partner.full_clean()
    partner.save(update_fields=["status", "responded_at", "responded_by"])
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action=action,
        obj=partner,
        project=partner.project,
        organisation=partner.organisation,
        data=data,
    )
    return partner


def _check_invited(partner: Partner) -> None:
    if partner.status != PartnerStatus.INVITED:
        raise ValidationError(_("This invitation has already been answered."))


@transaction.atomic
def partnership_accept(*, actor, partner: Partner) -> Partner:
    """The partner organisation takes part: the project now sees its people, and the one who
    accepted becomes the partner's coordinator in the project."""
    partner = _partner_to_answer(actor, partner)
    _check_invited(partner)
    _record_answer(partner, actor=actor, status=PartnerStatus.ACCEPTED, action="partner.accept")
    if not Membership.objects.filter(project=partner.project, user=actor).exists():
        membership = Membership(
            project=partner.project,
            user=actor,
            role=MembershipRole.PARTNER_COORDINATOR,
            partner=partner,
        )
        membership.full_clean()
        membership.save()
    return partner


@transaction.atomic
def partnership_decline(*, actor, partner: Partner) -> Partner:
    partner = _partner_to_answer(actor, partner)
    _check_invited(partner)
    return _record_answer(
        partner, actor=actor, status=PartnerStatus.DECLINED, action="partner.decline"
    )


@transaction.atomic
def partnership_leave(*, actor, partner: Partner) -> Partner:
    """The partner organisation leaves: the project no longer sees its people, its coordinators
    lose their role; what its people did in the project (enrolments, hours, certificates) stays."""
    partner = _partner_to_answer(actor, partner)
    if partner.role == PartnerRole.LEAD:
        raise ValidationError(_("The lead organisation cannot leave its own project."))
    if partner.status != PartnerStatus.ACCEPTED:
        raise ValidationError(_("Only a partner that takes part can leave."))
    removed = list(partner.memberships.values_list("user__email", flat=True))
    partner.memberships.all().delete()
    return _record_answer(
        partner,
        actor=actor,
        status=PartnerStatus.LEFT,
        action="partner.leave",
        data={"memberships_removed": removed},
    )


# --- Activities and venues ---------------------------------------------------------------------


def _validate_activity(activity: Activity) -> None:
    from kvalis.organisations.geo import County
    from kvalis.organisations.models import OrganisationType
    from kvalis.people.models import PositionCategory

    errors: dict[str, list[str]] = {
        "academic_hours": [],
        "completion_percent": [],
        "audience_position_categories": [],
        "audience_organisation_types": [],
        "audience_counties": [],
    }
    if activity.academic_hours is not None and activity.academic_hours < 0:
        errors["academic_hours"].append(_("Academic hours cannot be negative."))
    if activity.completion_percent is not None and not 1 <= activity.completion_percent <= 100:
        errors["completion_percent"].append(_("The completion threshold is between 1 and 100 %."))
    for field, choices in [
        ("audience_position_categories", PositionCategory.values),
        ("audience_organisation_types", OrganisationType.values),
        ("audience_counties", County.values),
    ]:
        unknown = [value for value in getattr(activity, field) or [] if value not in choices]
        if unknown:
            errors[field].append(_("Unknown value: %s.") % ", ".join(map(str, unknown)))
    _raise(errors)


@transaction.atomic
def activity_create(
    *,
    actor,
    project: Project,
    kind: str,
    title: str,
    academic_hours: Decimal = Decimal("0"),
    completion_percent: int = 80,
    description: str = "",
    learning_outcomes: str = "",
    audience_description: str = "",
    audience_position_categories: list[str] | None = None,
    audience_organisation_types: list[str] | None = None,
    audience_counties: list[str] | None = None,
    position: int | None = None,
) -> Activity:
    if position is None:
        position = (project.activities.aggregate(m=Max("position"))["m"] or 0) + 1
    activity = Activity(
        project=project,
        kind=kind,
        title=title,
        academic_hours=academic_hours,
        completion_percent=completion_percent,
        description=description,
        learning_outcomes=learning_outcomes,
        audience_description=audience_description,
        audience_position_categories=list(audience_position_categories or []),
        audience_organisation_types=list(audience_organisation_types or []),
        audience_counties=list(audience_counties or []),
        position=position,
    )
    _validate_activity(activity)
    activity.full_clean()
    activity.save()
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(actor=actor, action="activity.create", obj=activity, project=project)
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, **fields: Any) -> Activity:
    changed = _assign(activity, fields, ACTIVITY_FIELDS)
    _validate_activity(activity)
    activity.full_clean()
    activity.save()
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="activity.update",
        obj=activity,
        project=activity.project,
        data={"changed": changed},
    )
    return activity


def _validate_venue(venue: Venue) -> None:
    duplicate = Venue.objects.filter(project_id=venue.project_id, name=venue.name).exclude(
        pk=venue.pk
    )
    if duplicate.exists():
        raise ValidationError({"name": _("The project already has a venue with this name.")})


@transaction.atomic
def venue_create(
    *,
    actor,
    project: Project,
    name: str,
    address: str = "",
    city: str = "",
    country: str = "Lietuva",
    organisation: Organisation | None = None,
) -> Venue:
    venue = Venue(
        project=project,
        name=name,
        address=address,
        city=city,
        country=country,
        organisation=organisation,
    )
    _validate_venue(venue)
    venue.full_clean()
    venue.save()
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(actor=actor, action="venue.create", obj=venue, project=project)
    return venue


@transaction.atomic
def venue_update(*, actor, venue: Venue, **fields: Any) -> Venue:
    changed = _assign(venue, fields, VENUE_FIELDS)
    _validate_venue(venue)
    venue.full_clean()
    venue.save()
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="venue.update",
        obj=venue,
        project=venue.project,
        data={"changed": changed},
    )
    return venue


# --- Cohorts and sessions ----------------------------------------------------------------------


def _validate_cohort(cohort: Cohort, trainers: list[Person] | None) -> None:
    project = cohort.activity.project
    errors: dict[str, list[str]] = {"start_date": [], "end_date": [], "venue": [], "capacity": []}
    if cohort.start_date and cohort.end_date:
        if cohort.end_date < cohort.start_date:
            errors["end_date"].append(_("The cohort cannot end before it starts."))
        elif cohort.start_date < project.start_date or cohort.end_date > project.end_date:
            errors["start_date"].append(
                _("The cohort must fall within the project's period, %(start)s – %(end)s.")
                % {"start": project.start_date.isoformat(), "end": project.end_date.isoformat()}
            )
        elif cohort.pk:
            outside = [
                session
                for session in cohort.sessions.all()
                if not _session_within(session, cohort.start_date, cohort.end_date)
            ]
            if outside:
                errors["start_date"].append(
                    _("Sessions of this cohort fall outside these dates; move them first.")
                )
    if cohort.venue_id and cohort.venue.project_id != project.pk:
        errors["venue"].append(_("Choose a venue of this project."))
    if cohort.capacity is not None and cohort.capacity < 1:
        errors["capacity"].append(_("A cohort has at least one place."))
    _raise(errors)


@transaction.atomic
def cohort_create(
    *,
    actor,
    activity: Activity,
    name: str,
    start_date,
    end_date,
    capacity: int = 25,
    venue: Venue | None = None,
    trainers: list[Person] | None = None,
    notes: str = "",
) -> Cohort:
    cohort = Cohort(
        activity=activity,
        name=name,
        start_date=start_date,
        end_date=end_date,
        capacity=capacity,
        venue=venue,
        notes=notes,
    )
    trainer_list = list(trainers or [])
    _validate_cohort(cohort, trainer_list)
    cohort.full_clean()
    cohort.save()
    cohort.trainers.set(trainer_list)
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="cohort.create",
        obj=cohort,
        project=activity.project,
        data={"trainers": [person.pk for person in trainer_list]},
    )
    _trainers_added(actor=actor, cohort=cohort, people=trainer_list)
    return cohort


@transaction.atomic
def cohort_update(
    *, actor, cohort: Cohort, trainers: list[Person] | None = None, **fields: Any
) -> Cohort:
    changed = _assign(cohort, fields, COHORT_FIELDS)
    trainer_list = list(trainers) if trainers is not None else None
    _validate_cohort(cohort, trainer_list)
    cohort.full_clean()
    cohort.save()
    added: list[Person] = []
    if trainer_list is not None:
        before = set(cohort.trainers.values_list("pk", flat=True))
        added = [person for person in trainer_list if person.pk not in before]
        cohort.trainers.set(trainer_list)
        changed.append("trainers")
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="cohort.update",
        obj=cohort,
        project=cohort.activity.project,
        data={"changed": changed},
    )
    _trainers_added(actor=actor, cohort=cohort, people=added)
    return cohort


def _session_within(session: Session, first, last) -> bool:
    start = timezone.localtime(session.starts_at).date()
    end = timezone.localtime(session.ends_at).date()
    return first <= start and end <= last


def academic_hours_between(starts_at, ends_at) -> Decimal:
    """Academic hours (45 min) of a meeting, rounded to 0.1."""
    minutes = Decimal((ends_at - starts_at).total_seconds()) / 60
    return (minutes / MINUTES_PER_ACADEMIC_HOUR).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _validate_session(session: Session) -> None:
    cohort = session.cohort
    errors: dict[str, list[str]] = {"starts_at": [], "ends_at": [], "academic_hours": []}
    errors["venue"] = []
    if session.starts_at and session.ends_at:
        if session.ends_at <= session.starts_at:
            errors["ends_at"].append(_("The session must end after it starts."))
        elif not _session_within(session, cohort.start_date, cohort.end_date):
            errors["starts_at"].append(
                _("The session must fall within its cohort's dates, %(start)s – %(end)s.")
                % {"start": cohort.start_date.isoformat(), "end": cohort.end_date.isoformat()}
            )
    if session.academic_hours is not None:
        # SQLite stores a decimal as written ("8" and "8.0" alike): one form, so that sums
        # compare equal. A value with more places is left for full_clean to refuse.
        hours = Decimal(session.academic_hours)
        if hours == hours.quantize(Decimal("0.1")):
            session.academic_hours = hours.quantize(Decimal("0.1"))
    if session.academic_hours is not None and session.academic_hours <= 0:
        errors["academic_hours"].append(_("A session lasts more than zero academic hours."))
    if session.venue_id and session.venue.project_id != cohort.activity.project_id:
        errors["venue"].append(_("Choose a venue of this project."))
    _raise(errors)


@transaction.atomic
def session_create(
    *,
    actor,
    cohort: Cohort,
    starts_at,
    ends_at,
    academic_hours: Decimal | None = None,
    title: str = "",
    venue: Venue | None = None,
) -> Session:
    """Add a session; without `academic_hours` they are counted from its length (45 min each)."""
    if academic_hours is None and starts_at and ends_at and ends_at > starts_at:
        academic_hours = academic_hours_between(starts_at, ends_at)
    session = Session(
        cohort=cohort,
        starts_at=starts_at,
        ends_at=ends_at,
        academic_hours=academic_hours,
        title=title,
        venue=venue,
    )
    _validate_session(session)
    session.full_clean()
    session.save()
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(actor=actor, action="session.create", obj=session, project=cohort.activity.project)
    return session


@transaction.atomic
def session_update(*, actor, session: Session, **fields: Any) -> Session:
    if fields.get("academic_hours", 0) is None:
        starts_at = fields.get("starts_at", session.starts_at)
        ends_at = fields.get("ends_at", session.ends_at)
        if starts_at and ends_at and ends_at > starts_at:
            fields["academic_hours"] = academic_hours_between(starts_at, ends_at)
    changed = _assign(session, fields, SESSION_FIELDS)
    _validate_session(session)
    session.full_clean()
    session.save()
    figures.session_changed(session_id=session.pk)
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="session.update",
        obj=session,
        project=session.cohort.activity.project,
        data={"changed": changed},
    )
    return session


@transaction.atomic
def session_delete(*, actor, session: Session) -> None:
    """Delete a session that nobody has been marked at yet."""
    if hasattr(session, "attendances") and session.attendances.exists():
        raise ValidationError(
            _("Attendance has been recorded for this session; it cannot be deleted.")
        )
    public_cache.changed(public_cache.CATALOGUE)
    audit_log(
        actor=actor,
        action="session.delete",
        obj=session,
        project=session.cohort.activity.project,
        summary=str(session),
    )
    session.delete()


# --- Memberships and invitations ---------------------------------------------------------------


@transaction.atomic
def membership_invite(
    *,
    actor,
    project: Project,
    email: str,
    role: str,
    partner: Partner | None = None,
    first_name: str = "",
    last_name: str = "",
    language: str = "lt",
) -> Membership:
    """Give someone a role in the project and e-mail them the invitation.

    A new address gets a login without a password, and the e-mail carries a link to choose one.
    Only a partner coordinator is tied to a partner; for other roles `partner` is ignored.
    """
    email = email.strip().lower()
    errors: dict[str, list[str]] = {"role": [], "partner": [], "email": []}
    if role not in MembershipRole.values:
        errors["role"].append(_("Choose a role from the list."))
    if role == MembershipRole.PARTNER_COORDINATOR:
        if partner is None:
            errors["partner"].append(_("A partner coordinator needs the partner they speak for."))
        elif partner.project_id != project.pk:
            errors["partner"].append(_("Choose a partner of this project."))
    else:
        partner = None
    if partner is not None and partner.status != PartnerStatus.ACCEPTED:
        errors["partner"].append(
            _("%(name)s has not accepted the partnership: it gets coordinators once it has.")
            % {"name": partner.organisation.name}
        )
    if not email:
        errors["email"].append(_("Enter the e-mail address of the person to invite."))
    elif Membership.objects.filter(project=project, user__email__iexact=email).exists():
        errors["email"].append(_("This person already has a role in the project."))
    _raise(errors)

    user, created = user_get_or_invite(
        email=email, first_name=first_name, last_name=last_name, language=language
    )
    membership = Membership(project=project, user=user, role=role, partner=partner)
    membership.full_clean()
    membership.save()
    person = Person.objects.filter(email__iexact=email, user__isnull=True).first()
    if person is not None and not Person.objects.filter(user=user).exists():
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    audit_log(
        actor=actor,
        action="membership.invite",
        obj=membership,
        project=project,
        summary=f"{email} — {membership.get_role_display()}",
        data={"role": role, "partner": partner.pk if partner else None, "new_user": created},
    )
    mail_language = user.language or language
    with translation.override(mail_language):
        role_label = str(MembershipRole(role).label)
    inviter = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        inviter = actor.get_full_name() or actor.email
    queue_mail(
        to=user.email,
        template="accounts/emails/invitation",
        context={
            "first_name": user.first_name,  # the greeting: "Laba diena," for a new login
            "project_title": project.title,
            "project_code": project.code,
            "role": role_label,
            "partner": str(partner.organisation) if partner else "",
            "inviter": inviter,
            "set_password_url": set_password_url(user) if not user.has_usable_password() else "",
            "login_url": _absolute("accounts:login"),
            "project_url": _absolute("projects:detail", project.code),
        },
        language=mail_language,
    )
    return membership


def _absolute(name: str, *args) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.SITE_URL + reverse(name, args=args)


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    """Take a role away. The last coordinator of a project stays."""
    if membership.role == MembershipRole.COORDINATOR:
        others = Membership.objects.filter(
            project_id=membership.project_id, role=MembershipRole.COORDINATOR
        ).exclude(pk=membership.pk)
        if not others.exists():
            raise ValidationError(_("A project keeps at least one coordinator."))
    audit_log(
        actor=actor,
        action="membership.remove",
        obj=membership,
        project=membership.project,
        summary=f"{membership.user.email} — {membership.get_role_display()}",
    )
    membership.delete()


# --- Trainers' logins --------------------------------------------------------------------------

# An invitation is sent again, on the person page, only once the last one is this old: a
# second click the same day would only bury the first link.
TRAINER_INVITATION_RESEND_AFTER = timedelta(days=1)
TRAINER_INVITE_ACTION = "trainer.invite"


def trainer_last_invitation(person: Person):
    """When `person` was last invited to sign in as a trainer (None: never)."""
    from kvalis.audit.models import AuditEntry

    return (
        AuditEntry.objects.filter(
            action=TRAINER_INVITE_ACTION, object_type="people.person", object_id=str(person.pk)
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def login_is_unused(user) -> bool:
    """An invited login whose holder has not chosen a password nor signed in yet."""
    return user.last_login is None and not user.has_usable_password()


@dataclass(frozen=True)
class TrainerLogin:
    """Where a trainer stands with their login: `state` is "active" (signs in), "invited"
    (a login not used yet), "not_invited", "no_address" or "unconfirmed_address"."""

    state: str
    invited_at: object = None  # datetime of the last invitation
    may_invite: bool = False  # the person page offers to (re)send the invitation


def trainer_login_state(person: Person) -> TrainerLogin:
    user = person.user
    if user is not None and not login_is_unused(user):
        return TrainerLogin(state="active")
    last = trainer_last_invitation(person)
    if user is not None:
        due = last is None or timezone.now() - last >= TRAINER_INVITATION_RESEND_AFTER
        return TrainerLogin(state="invited", invited_at=last, may_invite=due)
    if not person.email:
        return TrainerLogin(state="no_address", invited_at=last)
    if not person.email_verified:
        return TrainerLogin(state="unconfirmed_address", invited_at=last)
    return TrainerLogin(state="not_invited", invited_at=last, may_invite=True)


def _login_of_another_person(person: Person, email: str) -> bool:
    user = User.objects.filter(email__iexact=email).first()
    return user is not None and Person.objects.filter(user=user).exclude(pk=person.pk).exists()


def _check_invitable(person: Person) -> None:
    """Refuse what cannot become this person's login, with what to do about it."""
    if not person.email:
        raise ValidationError(
            _("%(name)s has no e-mail address: add one on their page to invite them.")
            % {"name": person.full_name}
        )
    if not person.email_verified:
        # Person.email_verified: an invitation goes only to an address the employer recorded
        # or the person confirmed, never to one a stranger typed (it would hand them the login).
        raise ValidationError(
            _(
                "The address of %(name)s was recorded neither by their employer nor confirmed "
                "by them, so no invitation goes to it. Ask their employer to record it."
            )
            % {"name": person.full_name}
        )
    if _login_of_another_person(person, person.email):
        raise ValidationError(
            _(
                "%(email)s is the login of another person, so %(name)s cannot be invited with "
                "it. Ask their employer to correct %(name)s's address."
            )
            % {"email": person.email, "name": person.full_name}
        )


def _trainer_mail(
    *, actor, person: Person, project: Project, template: str, set_password: bool
) -> None:
    """The invitation (with a link to choose a password) or the notice of a new cohort, to the
    login's own address, in its language, naming the cohorts of `project` the person trains."""
    user = person.user
    language = user.language or settings.LANGUAGE_CODE
    cohorts = (
        Cohort.objects.filter(activity__project=project, trainers=person)
        .select_related("activity")
        .order_by("start_date", "name")
    )
    inviter = ""
    if actor is not None and getattr(actor, "is_authenticated", False):
        inviter = actor.get_full_name() or actor.email
    queue_mail(
        to=user.email,
        template=template,
        context={
            "first_name": person.first_name,  # the greeting: "Sveiki, Vytautai,"
            "project_title": project.title,
            "cohorts": [
                {
                    "title": f"{cohort.activity.title} — {cohort.name}",
                    "dates": f"{cohort.start_date.isoformat()} – {cohort.end_date.isoformat()}",
                    "url": _absolute("projects:cohort", project.code, cohort.pk),
                }
                for cohort in cohorts
            ],
            "inviter": inviter,
            "set_password_url": set_password_url(user) if set_password else "",
            "login_url": _absolute("accounts:login"),
            "password_reset_url": _absolute("accounts:password_reset"),
        },
        language=language,
    )


@transaction.atomic
def trainer_invite(*, actor, person: Person, project: Project) -> None:
    """Give a trainer of `project` a login linked to their person, and mail them a link to
    choose a password, naming the cohorts they train.

    The login is their e-mail address's: an existing login with it that has no person becomes
    theirs; one that is another person's is refused. A login already in use needs no
    invitation; an unused one is invited again only a day after the last invitation.
    """
    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
    if not Cohort.objects.filter(activity__project=project, trainers=person).exists():
        raise ValidationError(
            _("%(name)s trains no cohort of this project.") % {"name": person.full_name}
        )
    user = person.user
    if user is not None and not login_is_unused(user):
        raise ValidationError(
            _("%(name)s already signs in with their login.") % {"name": person.full_name}
        )
    again = user is not None
    if again:
        last = trainer_last_invitation(person)
        if last is not None and timezone.now() - last < TRAINER_INVITATION_RESEND_AFTER:
            resend_from = timezone.localtime(last + TRAINER_INVITATION_RESEND_AFTER)
            raise ValidationError(
                _(
                    "%(name)s was already invited on %(when)s. The invitation can be sent again "
                    "from %(again)s."
                )
                % {
                    "name": person.full_name,
                    "when": timezone.localtime(last).strftime("%Y-%m-%d %H:%M"),
                    "again": resend_from.strftime("%Y-%m-%d %H:%M"),
                }
            )
    else:
        _check_invitable(person)
        user, _new = user_get_or_invite(
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            # The product's language until they choose theirs, not the inviter's.
            language=settings.LANGUAGE_CODE,
        )
        person.user = user
        person.save(update_fields=["user", "updated_at"])
    _trainer_mail(
        actor=actor,
        person=person,
        project=project,
        template="projects/emails/trainer_invitation",
        set_password=login_is_unused(user),
    )
    audit_log(
        actor=actor,
        action=TRAINER_INVITE_ACTION,
        obj=person,
        project=project,
        organisation=person.organisation,
        summary=f"{person.full_name} — {user.email}",
        data={"user": user.pk, "again": again},
    )


def _trainers_added(*, actor, cohort: Cohort, people: list[Person]) -> None:
    """Invite each new trainer of `cohort` who has no login; tell one who has that they train
    one more cohort. Only the people just added: saving a cohort again mails nobody.

    A trainer without an address is left for the person page (which says so); one whose
    address is another person's login stops the save with the reason.
    """
    project = cohort.activity.project
    for person in people:
        person = (
            Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
        )
        if person.user is None:
            if not person.email or not person.email_verified:
                continue  # the hub and the person page say why
            try:
                _check_invitable(person)
            except ValidationError as error:
                raise ValidationError({"trainers": error.messages}) from None
            trainer_invite(actor=actor, person=person, project=project)
        else:
            _trainer_mail(
                actor=actor,
                person=person,
                project=project,
                template="projects/emails/trainer_added",
                set_password=False,
            )
            audit_log(
                actor=actor,
                action="trainer.notify",
                obj=person,
                project=project,
                summary=f"{person.full_name} — {cohort}",
                data={"cohort": cohort.pk},
            )
