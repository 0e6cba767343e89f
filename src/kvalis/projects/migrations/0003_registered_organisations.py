"""Existing data under the ownership model: the organisations whose coordinators run projects
become registered, with those coordinators; an unregistered institution that a partner
nominates for is represented by that partner, and one that is itself a partner is represented by
its project's lead. Existing partnerships were accepted in 0002."""

from django.db import migrations


def register_existing(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    OrganisationCoordinator = apps.get_model("organisations", "OrganisationCoordinator")
    Membership = apps.get_model("projects", "Membership")
    Partner = apps.get_model("projects", "Partner")
    from django.utils import timezone

    now = timezone.now()
    coordinators: set[tuple[int, int]] = set()
    for membership in Membership.objects.filter(
        role__in=["coordinator", "partner_coordinator"]
    ).select_related("project", "partner"):
        if membership.role == "coordinator":
            organisation_id = membership.project.lead_id
        else:
            organisation_id = membership.partner.organisation_id
        coordinators.add((organisation_id, membership.user_id))
    registered = {organisation_id for organisation_id, _user in coordinators}
    Organisation.objects.filter(pk__in=registered, registered_at__isnull=True).update(
        registered_at=now, represented_by=None
    )
    registered |= set(
        Organisation.objects.filter(registered_at__isnull=False).values_list("pk", flat=True)
    )
    for organisation_id, user_id in sorted(coordinators):
        OrganisationCoordinator.objects.get_or_create(
            organisation_id=organisation_id, user_id=user_id
        )

    represented: dict[int, int] = {}
    Covered = Partner.covered_organisations.through
    for organisation_id, partner_org in Covered.objects.order_by("partner_id").values_list(
        "organisation_id", "partner__organisation_id"
    ):
        if organisation_id not in registered and organisation_id != partner_org:
            represented.setdefault(organisation_id, partner_org)
    for organisation_id, lead_id in Partner.objects.exclude(role="lead").order_by(
        "project__start_date", "pk"
    ).values_list("organisation_id", "project__lead_id"):
        if organisation_id not in registered and lead_id in registered:
            represented.setdefault(organisation_id, lead_id)
    for organisation_id, keeper_id in represented.items():
        Organisation.objects.filter(pk=organisation_id, represented_by__isnull=True).update(
            represented_by=keeper_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_registration_and_coordinators"),
        ("projects", "0002_partnership_status"),
    ]

    operations = [
        migrations.RunPython(register_existing, migrations.RunPython.noop),
    ]
