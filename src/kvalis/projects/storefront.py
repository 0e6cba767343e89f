"""Reads for the public storefront: `/` and the public project page `/p/<code>/`.

What is "open" is the catalogue's rule (`enrolment.selectors.open_cohorts`): a cohort of a
public project that has not started and whose registration is not closed. The seats are the
catalogue's too: those a partner's quota still reserves are not free for a public applicant.
Every function runs a fixed number of queries whatever the number of cohorts or projects.
"""

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from kvalis.enrolment.rules import audience_summary
from kvalis.enrolment.selectors import open_cohorts, seats_of_cohorts
from kvalis.projects.models import Activity, Cohort, Project
from kvalis.projects.selectors import activities_with_first_cohorts

# What `/` shows before the visitor goes on to the catalogue.
HOME_COHORTS = 6
HOME_PROJECTS = 12
# What a public project page lists at most: a page of its open cohorts, the first dates of each
# activity and the first partners, each with how many more there are (a national project has
# thousands of cohorts; the page listed every one, with its sessions).
PUBLIC_OPEN_COHORTS = 12
PUBLIC_COHORT_DATES = 6
PUBLIC_PARTNERS = 40


def with_public_seats(cohorts: QuerySet[Cohort]) -> list[Cohort]:
    """The cohorts as a list, each with `free` (seats a public applicant could take now) and
    `audience` (who it is for, one line), as the catalogue shows them."""
    cohorts = list(cohorts)
    seats = seats_of_cohorts(cohorts)
    for cohort in cohorts:
        cohort.free = seats[cohort.pk].free_for(None)
        cohort.audience = audience_summary(cohort.activity)
    return cohorts


def soonest_open_cohorts(limit: int = HOME_COHORTS) -> list[Cohort]:
    """The open cohorts that start first, with their seats."""
    return with_public_seats(open_cohorts()[:limit])


def open_cohort_count() -> int:
    return open_cohorts().count()


def catalogue_activities() -> list[tuple[int, str]]:
    """(pk, title) of the activities that have an open cohort: the catalogue filter's choices."""
    return list(
        Activity.objects.filter(cohorts__in=open_cohorts())
        .distinct()
        .order_by("title")
        .values_list("pk", "title")
    )


def catalogue_months() -> list[tuple[int, int]]:
    """(year, month) in which an open cohort starts, the soonest first: the month filter's
    choices on `/` (the catalogue filters by the cohort's start)."""
    starts = open_cohorts().order_by().values_list("start_date", flat=True).distinct()
    return sorted({(start.year, start.month) for start in starts if start is not None})


def public_projects(limit: int = HOME_PROJECTS) -> list[Project]:
    """Public projects, the latest first, each with `open_count`: its cohorts open now."""
    projects = list(Project.objects.filter(is_public=True).select_related("lead")[:limit])
    # order_by() drops open_cohorts()' ordering, which would split the groups.
    counts = dict(
        open_cohorts()
        .filter(activity__project__in=[project.pk for project in projects])
        .order_by()
        .values("activity__project")
        .annotate(n=Count("id"))
        .values_list("activity__project", "n")
    )
    for project in projects:
        project.open_count = counts.get(project.pk, 0)
    return projects


def project_open_cohort_page(project: Project, number) -> Page:
    """One page of the project's open cohorts, the soonest first, each with its seats (an
    invalid or too large `number` gives the nearest page, as `Paginator.get_page` does)."""
    cohorts = open_cohorts().filter(activity__project=project)
    page = Paginator(cohorts, PUBLIC_OPEN_COHORTS).get_page(number)
    page.object_list = with_public_seats(page.object_list)
    return page


def public_activity_tree(project: Project) -> QuerySet[Activity]:
    """The project's activities, each with `cohort_count` and its first PUBLIC_COHORT_DATES
    cohorts (with their venue) for the dates it shows."""
    return activities_with_first_cohorts(project, Cohort.objects.all(), PUBLIC_COHORT_DATES)
