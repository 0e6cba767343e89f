"""The read-only JSON API and the page where a signed-in user manages their API tokens.

Every project read goes through `kvalis.access`, with the same permission and scope as the
matching page: a project the caller may not see answers 404, as do its people without
Perm.VIEW_PEOPLE. Each endpoint runs a fixed number of queries whatever the project's size.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kvalis.access import Perm, Role, get_project_access, projects_for_user, role_label
from kvalis.api import serializers, services
from kvalis.api.auth import api_endpoint, error
from kvalis.api.forms import ApiTokenForm
from kvalis.api.models import ApiToken
from kvalis.api.schema import openapi_schema
from kvalis.certificates.models import Certificate
from kvalis.certificates.services import normalise_code
from kvalis.lib.confirm import confirmation_page
from kvalis.people.selectors import person_page
from kvalis.projects.models import Membership
from kvalis.projects.selectors import project_activity_tree, project_partners
from kvalis.reports.forms import ReportFilterForm
from kvalis.reports.indicators import kept_indicators_json

PAGE_SIZE = 50
NEW_TOKEN_KEY = "api_new_token"


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _role(access) -> str:
    return str(access.role)


# --- endpoints ------------------------------------------------------------------------------------


@api_endpoint()
def project_list(request: HttpRequest) -> HttpResponse:
    projects = list(projects_for_user(request.user).order_by("-start_date", "code"))
    roles = dict(
        Membership.objects.filter(user=request.user, project__in=projects).values_list(
            "project_id", "role"
        )
    )

    def role(project) -> str:
        if request.user.is_superuser:
            return str(Role.ADMIN)
        return roles.get(project.pk, str(Role.TRAINER))

    return _json(
        {
            "count": len(projects),
            "results": [serializers.project_summary(p, role=role(p)) for p in projects],
        }
    )


@api_endpoint()
def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW)
    project = access.project
    data = serializers.project_detail(
        project,
        role=_role(access),
        partners=project_partners(project),
        activities=project_activity_tree(project, access.cohorts()),
    )
    data["role_label"] = role_label(access.role)
    return _json(data)


@api_endpoint()
def project_indicators_view(request: HttpRequest, code: str) -> HttpResponse:
    # As reports.views.report_json: the same permission, filters and scope.
    access = get_project_access(request.user, code, Perm.VIEW_REPORTS)
    bound = any(request.GET.get(name) for name in ReportFilterForm.base_fields)
    form = (
        ReportFilterForm(request.GET, project=access.project, show_partner=not access.is_partner)
        if bound
        else None
    )
    return HttpResponse(kept_indicators_json(access, form), content_type="application/json")


@api_endpoint()
def project_people(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.VIEW_PEOPLE)
    try:
        page = person_page(
            access.people(), request.GET.get("page") or 1, per_page=PAGE_SIZE, strict=True
        )
    except InvalidPage:
        raise Http404 from None
    paginator = page.paginator
    base = reverse("api:project_people", args=[access.project.code])
    return _json(
        {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "page_size": PAGE_SIZE,
            "next": f"{base}?page={page.next_page_number()}" if page.has_next() else None,
            "previous": (
                f"{base}?page={page.previous_page_number()}" if page.has_previous() else None
            ),
            "results": [serializers.person(p) for p in page.object_list],
        }
    )


@api_endpoint(public=True)
def certificate_detail(request: HttpRequest, verification_code: str) -> HttpResponse:
    # As certificates.views.verify: the same lookup and the same facts as the public page.
    code = normalise_code(verification_code)
    certificate = (
        Certificate.objects.select_related("replaced_by").filter(verification_code=code).first()
    )
    if certificate is None:
        raise Http404
    replacement = getattr(certificate, "replaced_by", None)
    return _json(serializers.certificate(certificate, replacement))


@api_endpoint(public=True)
def schema(request: HttpRequest) -> HttpResponse:
    # The server is the site's root, at SITE_URL (not the Host header): the paths begin /api/.
    return _json(openapi_schema(settings.SITE_URL + reverse("home")))


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """Every other path under /api/ (an unknown path, a code no URL can hold): JSON 404 for any
    method and anyone, not the site's HTML page. An endpoint asked for without its trailing
    slash is redirected to it, as APPEND_SLASH does on the rest of the site."""
    if (
        request.method in ("GET", "HEAD")
        and not request.path_info.endswith("/")
        and resolve(request.path_info + "/").url_name != "not_found"
    ):
        return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return error(404, _("Not found."))


# --- token management (a page for a signed-in browser) -------------------------------------------


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("name", message)
        else:
            request.session[NEW_TOKEN_KEY] = {"name": token.name, "token": raw}
            return redirect("api:tokens")
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "new_token": request.session.pop(NEW_TOKEN_KEY, None),
            "tokens": ApiToken.objects.filter(user=request.user),
            # /api/ is the path of the catch-all JSON 404, the root every endpoint hangs off.
            "api_root": settings.SITE_URL + reverse("api:not_found"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request: HttpRequest, token_pk: int) -> HttpResponse:
    """GET: what revoking the token means; POST: revoke it."""
    token = ApiToken.objects.filter(user=request.user, pk=token_pk).first()
    if token is None:
        raise Http404
    if request.method == "POST":
        services.api_token_revoke(token=token, actor=request.user)
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
        return redirect("api:tokens")
    return confirmation_page(
        request,
        heading=_("Revoke the token “%(name)s”?") % {"name": token.name},
        points=[
            _(
                "Programs that use it (%(prefix)s…) are refused from now on; it cannot be "
                "turned back on. Make a new token for them if they still need access."
            )
            % {"prefix": token.prefix},
            _("The token stays in your list as revoked."),
        ],
        submit_label=pgettext_lazy("API token", "Revoke"),
        cancel_url=reverse("api:tokens"),
        crumbs=[(reverse("api:tokens"), _("API tokens"))],
    )
