from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kvalis.access import get_project_access, projects_for_user, role_label
from kvalis.projects.models import ActivityKind, Project
from kvalis.projects.selectors import activity_counts, project_activity_tree, project_partners


def home(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.filter(is_public=True).select_related("lead")[:20]
    return render(request, "projects/home.html", {"projects": projects})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    projects = projects_for_user(request.user).order_by("-start_date", "code")
    return render(request, "projects/dashboard.html", {"projects": projects})


@login_required
def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code)
    project = access.project
    counts = activity_counts(project)
    return render(
        request,
        "projects/project_detail.html",
        {
            "access": access,
            "project": project,
            "role_label": role_label(access.role),
            "partners": project_partners(project),
            "activities": project_activity_tree(project, access.cohorts()),
            "module_count": counts.get(ActivityKind.MODULE, 0),
            "study_visit_count": counts.get(ActivityKind.STUDY_VISIT, 0),
            "tab": "overview",
        },
    )
