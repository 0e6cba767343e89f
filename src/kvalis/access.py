"""What may this user see or change? The one place that answers it.

Every view reaches project data through `get_project_access()` (or the `*_for_user` helpers) and
then through the querysets of the returned `ProjectAccess`, which start from the user's scope.
What a user may not see answers 404, never 403: they should not learn that it exists.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.http import Http404

from kvalis.lib.compiled import CompiledQuery, Stand
from kvalis.people.models import Person
from kvalis.projects.models import (
    Cohort,
    Membership,
    MembershipRole,
    Partner,
    PartnerStatus,
    Project,
)


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    PARTNER_COORDINATOR = "partner_coordinator"
    FUNDER_OBSERVER = "funder_observer"
    TRAINER = "trainer"


class Perm(StrEnum):
    VIEW = "view"  # the project overview
    EDIT = "edit"  # set-up, approvals, everything in the project
    VIEW_PEOPLE = "view_people"  # people lists (scoped: a partner sees only its own)
    ENROL = "enrol"  # nominate / enrol people (scoped)
    VIEW_BUDGET = "view_budget"
    VIEW_REPORTS = "view_reports"  # indicators (scoped for partners)
    VIEW_AUDIT = "view_audit"
    TEACH = "teach"  # attendance and materials of one's own cohorts


GRANTS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    Role.COORDINATOR: frozenset(Perm),
    Role.PARTNER_COORDINATOR: frozenset(
        {Perm.VIEW, Perm.VIEW_PEOPLE, Perm.ENROL, Perm.VIEW_REPORTS}
    ),
    Role.FUNDER_OBSERVER: frozenset({Perm.VIEW, Perm.VIEW_BUDGET, Perm.VIEW_REPORTS}),
    Role.TRAINER: frozenset({Perm.VIEW, Perm.TEACH}),
}


def _person_of(user) -> Person | None:
    if not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def projects_for_user(user) -> QuerySet[Project]:
    """Projects the user takes part in as staff (not as a participant)."""
    if not user.is_authenticated:
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    person = _person_of(user)
    condition = Q(memberships__user=user)
    if person is not None:
        condition |= Q(activities__cohorts__trainers=person)
    return Project.objects.filter(
        pk__in=Project.objects.filter(condition).values("pk")
    ).select_related("lead", "funder")


@dataclass(frozen=True)
class ProjectAccess:
    """A user's view of one project: their role and the querysets they may start from."""

    user: object
    project: Project
    role: Role
    partner: Partner | None = None
    person: Person | None = None  # a trainer's (whose cohorts are theirs); None for members

    def can(self, perm: Perm) -> bool:
        return perm in GRANTS[self.role]

    def require(self, perm: Perm) -> "ProjectAccess":
        if not self.can(perm):
            raise Http404
        return self

    @property
    def viewer_key(self) -> tuple:
        """What sets this user's view of the project apart from another's: the role, the
        partner (a partner coordinator's scope) and the person (a trainer's own cohorts). The
        key of a page part kept for everyone who sees the same (kvalis.lib.kept)."""
        return (
            self.role,
            self.partner.pk if self.partner else 0,
            self.person.pk if self.person else 0,
        )

    @property
    def is_coordinator(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.ADMIN)

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER_COORDINATOR

    def partner_organisation_ids(self) -> QuerySet:
        """The partner's own organisation and the institutions it nominates for; nothing until
        the partner organisation has accepted the partnership (or after it has left)."""
        assert self.partner is not None
        from kvalis.organisations.models import Organisation

        if self.partner.status != PartnerStatus.ACCEPTED:
            return Organisation.objects.none().values("pk")
        own = Q(pk=self.partner.organisation_id)
        covered = Q(covering_partners=self.partner)
        return Organisation.objects.filter(own | covered).values("pk")

    def people(self) -> QuerySet[Person]:
        """People of the project this user may see.

        Coordinators (and admins) see everyone employed by an organisation that accepted the
        partnership or an institution such a partner nominates for, and everyone enrolled in a
        cohort of the project (what happened stays on record, also after a partner left).
        A partner coordinator sees only their own organisation's and covered institutions' people.
        """
        if self.is_coordinator:
            return _consortium_people(self.project.pk)
        if self.is_partner:
            return Person.objects.filter(organisation__in=self.partner_organisation_ids())
        return Person.objects.none()

    def people_sql(self) -> tuple[str, list] | None:
        """`people()` as the SQL of its (pk, sort_key) rows and its parameters, for a coordinator
        compiled once (kvalis.lib.compiled: building and compiling the scope was 0.7 ms of the
        people list's CPU); None for the others (their scope is made by `people()`)."""
        if not self.is_coordinator:
            return None
        return _CONSORTIUM_PEOPLE.sql(project_id=self.project.pk)

    def cohorts(self) -> QuerySet[Cohort]:
        qs = Cohort.objects.filter(activity__project=self.project)
        if self.role == Role.TRAINER:
            qs = qs.filter(trainers=self.person)
        return qs

    def get_person(self, pk) -> Person:
        return _get_or_404(self.people(), pk=pk)

    def get_cohort(self, pk) -> Cohort:
        return _get_or_404(self.cohorts(), pk=pk)


def _consortium_people(project_id) -> QuerySet[Person]:
    """A coordinator's people (see `ProjectAccess.people`).

    Three independent semi-joins: OR-ing the joins themselves multiplies rows (partners ×
    covered institutions × enrolments), which PostgreSQL can take minutes over when the tables
    have no statistics yet."""
    from kvalis.enrolment.models import Enrolment

    consortium = Partner.objects.filter(
        project_id=project_id, status=PartnerStatus.ACCEPTED
    ).values("organisation")
    covered = Partner.covered_organisations.through.objects.filter(
        partner__project_id=project_id, partner__status=PartnerStatus.ACCEPTED
    ).values("organisation")
    enrolled = Enrolment.objects.filter(cohort__activity__project_id=project_id).values("person")
    return Person.objects.filter(
        Q(organisation__in=consortium) | Q(organisation__in=covered) | Q(pk__in=enrolled)
    )


_CONSORTIUM_PEOPLE = CompiledQuery(
    lambda project_id: _consortium_people(project_id).order_by().values_list("pk", "sort_key"),
    project_id=Stand(int),
)


def _get_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def project_access_for(user, project: Project) -> ProjectAccess | None:
    """The user's access to `project`, or None when they may not know it exists."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ProjectAccess(user=user, project=project, role=Role.ADMIN)
    membership = (
        Membership.objects.filter(project=project, user=user).select_related("partner").first()
    )
    if membership is not None:
        return _member_access(user, membership)
    person = _person_of(user)
    if (
        person is not None
        and Cohort.objects.filter(activity__project=project, trainers=person).exists()
    ):
        return ProjectAccess(user=user, project=project, role=Role.TRAINER, person=person)
    return None


def _member_access(user, membership: Membership) -> ProjectAccess:
    return ProjectAccess(
        user=user,
        project=membership.project,
        role=Role(membership.role),
        partner=membership.partner,
    )


def _attnames(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


# A member's membership, project and partner in one row: their columns in this order.
_MEMBER_MODELS = ((Membership, ""), (Project, "project__"), (Partner, "partner__"))
_MEMBER = CompiledQuery(
    lambda code, user_id: (
        Membership.objects.filter(project__code=code, user_id=user_id)
        .order_by("pk")
        .values_list(
            *(prefix + name for model, prefix in _MEMBER_MODELS for name in _attnames(model))
        )[:1]
    ),
    code=Stand(str),
    user_id=Stand(int),
)


def _membership(user, code: str) -> Membership | None:
    """The user's membership of the project `code`, its project and partner attached."""
    rows = _MEMBER.rows(code=code, user_id=user.pk)
    if not rows:
        return None
    row, start, made = rows[0], 0, []
    for model, _ in _MEMBER_MODELS:
        names = _attnames(model)
        values = row[start : start + len(names)]
        start += len(names)
        made.append(model.from_db("default", names, values) if values[0] is not None else None)
    membership, project, partner = made
    membership.project = project
    membership.partner = partner
    return membership


def get_project_access(user, code: str, perm: Perm = Perm.VIEW) -> ProjectAccess:
    """Look up a project by code for this user; 404 unless they hold `perm` in it.

    A member's project, membership and partner come in one query (every signed-in project page
    starts here), compiled once (kvalis.lib.compiled: building its SQL was 0.4 ms of every
    page's CPU); anyone else's access is worked out by `project_access_for`. The project's
    lead and funder are read when a page uses them (joining them here cost every page 0.6 ms
    of CPU, most pages never show them)."""
    if user.is_authenticated and not user.is_superuser:
        membership = _membership(user, code)
        if membership is not None:
            return _member_access(user, membership).require(perm)
    project = _get_or_404(Project.objects.all(), code=code)
    access = project_access_for(user, project)
    if access is None:
        raise Http404
    return access.require(perm)


def role_label(role: Role) -> str:
    from django.utils.translation import gettext as _

    return {
        Role.ADMIN: _("site administrator"),
        Role.COORDINATOR: MembershipRole.COORDINATOR.label,
        Role.PARTNER_COORDINATOR: MembershipRole.PARTNER_COORDINATOR.label,
        Role.FUNDER_OBSERVER: MembershipRole.FUNDER_OBSERVER.label,
        Role.TRAINER: _("trainer"),
    }[role]
