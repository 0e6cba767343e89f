"""Reads of project data that take more than one line (Styleguide's "selectors")."""

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

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


# The overview shows this many cohorts of an activity; the activities page lists them all.
OVERVIEW_COHORTS = 12


def activities_with_first_cohorts(
    project: Project, cohorts: QuerySet[Cohort], limit: int
) -> QuerySet[Activity]:
    """The project's activities, each with `cohort_count` (of `cohorts`) and, prefetched, its
    first `limit` of `cohorts` by start date (with their venue). Two queries whatever the
    size; `cohorts` may carry annotations of its own."""
    visible = cohorts.filter(activity=OuterRef("pk")).order_by().values("activity")
    return project.activities.annotate(
        cohort_count=Coalesce(Subquery(visible.annotate(n=Count("pk")).values("n")), 0)
    ).prefetch_related(
        Prefetch(
            "cohorts",
            queryset=cohorts.select_related("venue")
            .annotate(
                place=Window(
                    RowNumber(), partition_by=F("activity"), order_by=[F("start_date"), F("pk")]
                ),
            )
            .filter(place__lte=limit)
            .order_by("start_date", "pk"),
        ),
    )


def project_overview_tree(project: Project, cohorts: QuerySet[Cohort]):
    """Activities with their first cohorts, each cohort with its sessions summarised (how many,
    first and last, academic hours) instead of listed: a large project's overview listed 4 010
    sessions. Each activity carries `cohort_count` (of `cohorts`). Three queries."""
    summarised = cohorts.prefetch_related("trainers").annotate(
        session_count=Count("sessions"),
        first_session=Min("sessions__starts_at"),
        last_session=Max("sessions__ends_at"),
        session_hours=Sum("sessions__academic_hours"),
    )
    return activities_with_first_cohorts(project, summarised, OVERVIEW_COHORTS)


def activity_counts(project: Project) -> dict[str, int]:
    rows = Activity.objects.filter(project=project).values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows}
