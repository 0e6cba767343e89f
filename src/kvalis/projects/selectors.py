"""Reads of project data that take more than one line (Styleguide's "selectors")."""

from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When

from kvalis.projects.models import Activity, Cohort, Partner, PartnerRole, Project, Session


def project_partners(project: Project) -> QuerySet[Partner]:
    """The lead first, then the roles in the order they are declared, each in Lithuanian order."""
    from kvalis.lib.collation import lt_order

    role_rank = Case(
        *(When(role=role, then=Value(rank)) for rank, role in enumerate(PartnerRole.values)),
        output_field=IntegerField(),
    )
    return project.partners.select_related("organisation").order_by(
        role_rank, *lt_order("organisation__name")
    )


def project_activity_tree(project: Project, cohorts: QuerySet[Cohort] | None = None):
    """Activities with their cohorts and sessions, in three queries whatever the size."""
    cohorts = cohorts if cohorts is not None else Cohort.objects.all()
    return project.activities.prefetch_related(
        Prefetch(
            "cohorts",
            queryset=cohorts.select_related("venue")
            .prefetch_related("trainers")
            .annotate(session_count=Count("sessions")),
        ),
        Prefetch("cohorts__sessions", queryset=Session.objects.select_related("venue")),
    )


def activity_counts(project: Project) -> dict[str, int]:
    rows = Activity.objects.filter(project=project).values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows}
