"""Who owns this, and who may change it? The one place that answers it (beside `access.py`,
which answers "what may this user see").

The trust model (DESIGN.md, "Who owns what"):

- an organisation is *registered* by a site administrator and has its own coordinators
  (`OrganisationCoordinator`); an unregistered institution may be *represented by* a registered
  one, which keeps its staff records;
- only site administrators and coordinators of a registered organisation start projects, with
  their own organisation as lead;
- a partnership is offered by a project and accepted by the partner organisation's keepers; the
  institutions it nominates for are ones it represents;
- a person's shared identity (name, e-mail, phone, employer, position) is changed by the person
  themself or by the keepers of their employer; a project corrects only what is the project's.

A *keeper* of an organisation is a site administrator, a coordinator of it (when registered), or
a coordinator of the registered organisation that represents it.
"""

from django.db.models import Q, QuerySet

from kvalis.organisations.models import Organisation

# A person's fields a project may correct for its own purpose (eligibility) without owning them.
PROJECT_CORRECTABLE_PERSON_FIELDS = frozenset({"position_category"})


def coordinated_organisations(user) -> QuerySet[Organisation]:
    """Registered organisations the user is a coordinator of."""
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        registered_at__isnull=False, coordinators__user=user
    ).distinct()


def kept_organisations(user) -> QuerySet[Organisation]:
    """Organisations whose people the user keeps: those they coordinate and those represented
    by them. A site administrator keeps every organisation."""
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return _coordinated_or_represented(user)


def _coordinated_or_represented(user) -> QuerySet[Organisation]:
    own = coordinated_organisations(user).values("pk")
    return Organisation.objects.filter(Q(pk__in=own) | Q(represented_by__in=own))


def keeps(user, organisation: Organisation | None) -> bool:
    if organisation is None:
        return bool(user is not None and user.is_authenticated and user.is_superuser)
    return kept_organisations(user).filter(pk=organisation.pk).exists()


def keeper_of(organisation: Organisation | None) -> Organisation | None:
    """The registered organisation whose coordinators keep this one's people: itself, or the
    one representing it (None when nobody but a site administrator does)."""
    if organisation is None:
        return None
    if organisation.registered_at is not None:
        return organisation
    return organisation.represented_by


def lead_choices(user) -> QuerySet[Organisation]:
    """Organisations the user may start a project for."""
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.exclude(type="funder")
    return coordinated_organisations(user)


def may_start_project(user) -> bool:
    return lead_choices(user).exists()


def may_lead(user, organisation: Organisation) -> bool:
    return lead_choices(user).filter(pk=organisation.pk).exists()


def may_change_identity(user, person) -> bool:
    """May `user` change the person's name, e-mail, phone, employer and position?"""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or (person.user_id is not None and person.user_id == user.pk):
        return True
    if person.organisation_id is None:
        return False
    return kept_organisations(user).filter(pk=person.organisation_id).exists()


def may_answer_partnership(user, partner) -> bool:
    """May `user` accept, decline or leave this partnership for its organisation?"""
    return kept_organisations(user).filter(pk=partner.organisation_id).exists()


def partnerships_to_answer(user):
    """Partnerships of the organisations the user keeps (a site administrator's own are
    answered in the admin, so they are not listed for every organisation)."""
    from kvalis.projects.models import Partner

    if user is None or not user.is_authenticated:
        return Partner.objects.none()
    kept = _coordinated_or_represented(user).values("pk")
    return Partner.objects.filter(organisation__in=kept).exclude(role="lead")


def partnerships_nobody_answers(partners):
    """Of these partnerships, the invited ones that no coordinator can answer: neither the
    organisation nor one representing it has a coordinator in Kvalis (only a site
    administrator could). Such a partner is accepted once its organisation joins Kvalis."""
    answerable = Organisation.objects.filter(
        Q(registered_at__isnull=False, coordinators__isnull=False)
        | Q(
            represented_by__registered_at__isnull=False,
            represented_by__coordinators__isnull=False,
        )
    ).values("pk")
    return partners.filter(status="invited").exclude(organisation__in=answerable)


def may_cover(partner_organisation: Organisation, organisation: Organisation) -> bool:
    """A partner nominates only for unregistered institutions it represents: a registered
    organisation speaks for itself (it becomes a partner of its own)."""
    return (
        organisation.registered_at is None
        and organisation.represented_by_id == partner_organisation.pk
    )


# --- the organisation directory -------------------------------------------------------------


def is_staff_member(user) -> bool:
    """Does the user work in Kvalis (not only take part)? A site administrator, a coordinator
    of a registered organisation, or a member of a project. They may search the directory and
    add an unregistered organisation (a new funder, a village culture centre)."""
    from kvalis.projects.models import Membership

    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or coordinated_organisations(user).exists():
        return True
    return Membership.objects.filter(user=user).exists()


def editable_organisations(user) -> QuerySet[Organisation]:
    """Organisations whose details (name, code, case forms) the user may correct: the ones they
    keep, and unregistered ones their own organisation added (a funder nobody represents)."""
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    own = coordinated_organisations(user).values("pk")
    return Organisation.objects.filter(
        Q(pk__in=own)
        | Q(represented_by__in=own)
        | Q(registered_at__isnull=True, created_by_organisation__in=own)
    )


def may_edit_organisation(user, organisation: Organisation) -> bool:
    return editable_organisations(user).filter(pk=organisation.pk).exists()


def viewable_organisations(user) -> QuerySet[Organisation]:
    """Organisations whose page the user may open: those they may edit, and those of the
    projects they are a member of (lead, funder, partners, institutions a partner covers).
    Anyone else finds only the name in the directory's search."""
    from kvalis.projects.models import Partner, Project

    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    # Semi-joins, not joins: OR-ing joins would multiply rows (projects × partners × covered).
    projects = Project.objects.filter(memberships__user=user)
    partners = Partner.objects.filter(project__in=projects.values("pk"))
    covered = Partner.covered_organisations.through.objects.filter(partner__in=partners)
    return Organisation.objects.filter(
        Q(pk__in=editable_organisations(user).values("pk"))
        | Q(pk__in=projects.values("lead"))
        | Q(pk__in=projects.exclude(funder=None).values("funder"))
        | Q(pk__in=partners.values("organisation"))
        | Q(pk__in=covered.values("organisation"))
    )


def may_invite_coordinator(user, organisation: Organisation) -> bool:
    """A registered organisation's coordinators (and site administrators) name further ones."""
    if organisation.registered_at is None or user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return coordinated_organisations(user).filter(pk=organisation.pk).exists()
