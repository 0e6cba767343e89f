"""Organisations: their side of partnerships, the directory (find, add, correct, merge),
join requests of new institutions and their approval, and inviting further coordinators.

Partnerships come from `ownership.partnerships_to_answer()`, directory pages from
`ownership.viewable_organisations()` / `editable_organisations()`: anything else is 404, and so
is every page of join requests and merging for anyone but a site administrator.
"""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kvalis import ownership
from kvalis.lib import throttle
from kvalis.lib.collation import lt_order
from kvalis.lib.grammar import agree
from kvalis.organisations import selectors, services
from kvalis.organisations.forms import (
    CoordinatorInviteForm,
    DirectorySearchForm,
    JoinRequestForm,
    MergeForm,
    OrganisationCreateForm,
    OrganisationForm,
    RejectForm,
    SearchQueryForm,
)
from kvalis.organisations.models import (
    JoinRequest,
    JoinRequestStatus,
    Organisation,
    OrganisationType,
)
from kvalis.projects import services as project_services
from kvalis.projects.forms import run_service
from kvalis.projects.models import Partner, PartnerStatus

ANSWERS = {
    "accept": (project_services.partnership_accept, _("You take part in %(project)s.")),
    "decline": (
        project_services.partnership_decline,
        _("You declined to take part in %(project)s."),
    ),
    "leave": (project_services.partnership_leave, _("Your organisation has left %(project)s.")),
}


def _partnerships(user):
    return (
        ownership.partnerships_to_answer(user)
        .select_related("project__lead", "organisation", "responded_by")
        .prefetch_related("covered_organisations")
        .order_by("-project__start_date", "project__code")
    )


@login_required
def partnerships(request: HttpRequest) -> HttpResponse:
    rows = list(_partnerships(request.user))
    return render(
        request,
        "organisations/partnerships.html",
        {
            "invited": [p for p in rows if p.status == PartnerStatus.INVITED],
            "current": [p for p in rows if p.status == PartnerStatus.ACCEPTED],
            "past": [p for p in rows if p.status in (PartnerStatus.DECLINED, PartnerStatus.LEFT)],
            "organisations": ownership.coordinated_organisations(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def partnership_answer(request: HttpRequest, partner_pk: int, answer: str) -> HttpResponse:
    """Accept or decline (a POST from the list), or leave (a page that says what it means,
    then a POST): leaving takes the organisation's people out of the project at once."""
    if answer not in ANSWERS:
        raise Http404
    try:
        partner = _partnerships(request.user).get(pk=partner_pk)
    except Partner.DoesNotExist:
        raise Http404 from None
    if request.method == "GET":
        if answer != "leave" or partner.status != PartnerStatus.ACCEPTED:
            return HttpResponseNotAllowed(["POST"])
        return render(request, "organisations/partnership_leave.html", {"partner": partner})
    service, done = ANSWERS[answer]
    try:
        service(actor=request.user, partner=partner)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"project": partner.project.title})
        if answer == "accept":
            return redirect("projects:detail", code=partner.project.code)
    return redirect("organisations:partnerships")


# --- the directory ---------------------------------------------------------------------------

DIRECTORY_PAGE_SIZE = 50
JOIN_LIMIT = 10  # join requests per client and hour: a real institution sends one
JOIN_WINDOW = 60 * 60


def _staff_only(user) -> None:
    """The directory is for people who work in Kvalis; a participant or an outsider without
    any role does not learn it exists."""
    if not ownership.is_staff_member(user):
        raise Http404


def _admin_only(user) -> None:
    if not user.is_superuser:
        raise Http404


def _get_organisation(queryset, pk) -> Organisation:
    try:
        return queryset.select_related("represented_by").get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Without a search: the organisations the user may correct. With one: every organisation
    that matches (names are public; the pages behind them are not)."""
    _staff_only(request.user)
    form = DirectorySearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if query:
        organisations = selectors.organisation_search(query)
    else:
        organisations = ownership.editable_organisations(request.user).order_by(
            *lt_order("name"), "pk"
        )
    page = Paginator(organisations, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    viewable = set(
        ownership.viewable_organisations(request.user)
        .filter(pk__in=[org.pk for org in page])
        .values_list("pk", flat=True)
    )
    template = "organisations/organisation_list.html"
    if request.htmx and request.htmx.target == "organisation-results":
        template += "#results"
    return render(
        request,
        template,
        {"form": form, "query": query, "page": page, "viewable": viewable},
    )


@login_required
def organisation_search(request: HttpRequest) -> JsonResponse:
    """`?q=` (two letters or more) → at most 20 organisations as {"id", "label"}; the
    progressive search of organisation selects (static/kvalis/org-search.js) asks it."""
    if not ownership.is_staff_member(request.user):
        return JsonResponse({"detail": "Not found."}, status=404)
    form = SearchQueryForm(request.GET)
    results = []
    if form.is_valid() and len(form.cleaned_data["q"].strip()) >= selectors.SEARCH_MIN_LENGTH:
        found = selectors.organisation_search(
            form.cleaned_data["q"], type=form.cleaned_data["type"]
        )[: selectors.SEARCH_LIMIT]
        results = [{"id": org.pk, "label": selectors.label_of(org)} for org in found]
    return JsonResponse({"results": results})


@login_required
def organisation_detail(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    _staff_only(request.user)
    organisation = _get_organisation(
        ownership.viewable_organisations(request.user), organisation_pk
    )
    may_edit = ownership.may_edit_organisation(request.user, organisation)
    coordinators = []
    if may_edit and organisation.is_registered:
        coordinators = organisation.coordinators.select_related("user").order_by(
            *lt_order("user__last_name", "user__first_name"), "pk"
        )
    return render(
        request,
        "organisations/organisation_detail.html",
        {
            "organisation": organisation,
            "may_edit": may_edit,
            "may_invite": ownership.may_invite_coordinator(request.user, organisation),
            # Its own coordinators set the second factor rule (accounts.second_factor_views).
            "may_set_second_factor": ownership.coordinated_organisations(request.user)
            .filter(pk=organisation.pk)
            .exists(),
            "coordinators": coordinators,
        },
    )


def _safe_next(request: HttpRequest, value: str) -> str:
    """A `next` address on this site only (never a redirect to another host)."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _safe_field(value: str) -> str:
    """A form field's name to hand the new organisation to (`funder`), or "" for anything else."""
    return value if _FIELD_NAME.match(value) else ""


def _with_parameter(url: str, name: str, value) -> str:
    """`url` with `?name=value` set (replacing one already there)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    query.append((name, str(value)))
    return urlunsplit(parts._replace(query=urlencode(query)))


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    """Add an unregistered organisation (a funder, a village culture centre). `?type=funder`
    preselects the type; `?next=` (this site only) is where to go back to afterwards, with
    `?<field>=<new pk>` added (`?field=`, by default `funder` for a funder) so that the form
    there preselects the new organisation."""
    _staff_only(request.user)
    own = ownership.coordinated_organisations(request.user).order_by(*lt_order("name"))
    initial = {}
    if request.method == "GET":
        query = SearchQueryForm(request.GET)
        if query.is_valid() and query.cleaned_data["type"]:
            initial["type"] = query.cleaned_data["type"]
        initial["next"] = _safe_next(request, request.GET.get("next", ""))
        initial["field"] = _safe_field(request.GET.get("field", ""))
    form = OrganisationCreateForm(request.POST or None, initial=initial, own_organisations=own)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # A site administrator's new organisation is nobody's to keep but the administrators'.
        creator = None if request.user.is_superuser else data.get("on_behalf_of") or own.first()
        fields = {name: data[name] or "" for name in services.EDITABLE_FIELDS}
        organisation = run_service(
            form,
            lambda: services.organisation_create(
                actor=request.user,
                represented_by=None if data["type"] == OrganisationType.FUNDER else creator,
                created_by_organisation=creator,
                **fields,
            ),
        )
        if organisation is not None:
            next_url = _safe_next(request, data.get("next") or "")
            field = _safe_field(data.get("field") or "") or (
                "funder" if organisation.type == OrganisationType.FUNDER else ""
            )
            if next_url and field:
                # The form we go back to reads `?<field>=<pk>` and preselects the new one.
                messages.success(
                    request,
                    _("%(name)s is added and chosen in the form.") % {"name": organisation.name},
                )
                return redirect(_with_parameter(next_url, field, organisation.pk))
            if next_url:
                messages.success(
                    request,
                    _("%(name)s is added: choose it in the list.") % {"name": organisation.name},
                )
                return redirect(next_url)
            added = _("%(name)s is added.") % {"name": organisation.name}
            messages.success(request, agree(added, organisation.name, institution=True))
            return redirect("organisations:detail", organisation_pk=organisation.pk)
    return render(
        request,
        "organisations/organisation_form.html",
        {"form": form, "organisation": None, "cancel_url": form["next"].value() or ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    _staff_only(request.user)
    organisation = _get_organisation(
        ownership.editable_organisations(request.user), organisation_pk
    )
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] or "" for name in services.EDITABLE_FIELDS}
        changed = run_service(
            form,
            lambda: services.organisation_update(
                actor=request.user, organisation=organisation, **fields
            ),
        )
        if changed is not None:
            messages.success(request, _("The organisation is saved."))
            return redirect("organisations:detail", organisation_pk=organisation.pk)
        organisation.refresh_from_db()
    return render(
        request,
        "organisations/organisation_form.html",
        {"form": form, "organisation": organisation, "cancel_url": ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_merge(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """The duplicate is the organisation of the URL; the form names the one that is kept."""
    _admin_only(request.user)
    duplicate = _get_organisation(Organisation.objects.all(), organisation_pk)
    form = MergeForm(request.POST or None, duplicate=duplicate)
    if request.method == "POST" and form.is_valid():
        kept = run_service(
            form,
            lambda: services.organisation_merge(
                actor=request.user, duplicate=duplicate, kept=form.cleaned_data["kept"]
            ),
        )
        if kept is not None:
            messages.success(
                request,
                _("%(duplicate)s is merged into %(kept)s.")
                % {"duplicate": duplicate.name, "kept": kept.name},
            )
            return redirect("organisations:detail", organisation_pk=kept.pk)
    counts = {
        "staff": duplicate.staff.count(),
        "partnerships": duplicate.partnerships.count(),
        "led": duplicate.led_projects.count(),
        "funded": duplicate.funded_projects.count(),
        "represented": duplicate.represented.count(),
        "coordinators": duplicate.coordinators.count(),
    }
    return render(
        request,
        "organisations/organisation_merge.html",
        {"organisation": duplicate, "form": form, "counts": counts},
    )


@login_required
@require_http_methods(["POST"])
def organisation_register(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """A site administrator registers an organisation from its page."""
    _admin_only(request.user)
    organisation = _get_organisation(Organisation.objects.all(), organisation_pk)
    services.organisation_register(actor=request.user, organisation=organisation)
    messages.success(
        request,
        _("%(name)s is registered: invite its coordinators.") % {"name": organisation.name},
    )
    return redirect("organisations:detail", organisation_pk=organisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def coordinator_invite(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """A coordinator of a registered organisation invites a colleague as a coordinator."""
    _staff_only(request.user)
    organisation = _get_organisation(
        ownership.viewable_organisations(request.user), organisation_pk
    )
    if not ownership.may_invite_coordinator(request.user, organisation):
        raise Http404
    form = CoordinatorInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        coordinator = run_service(
            form,
            lambda: services.organisation_coordinator_invite(
                actor=request.user,
                organisation=organisation,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                language=translation.get_language() or "lt",
            ),
        )
        if coordinator is not None:
            messages.success(
                request,
                _("%(email)s is a coordinator of %(name)s now; the invitation is sent.")
                % {"email": coordinator.user.email, "name": organisation.name},
            )
            return redirect("organisations:detail", organisation_pk=organisation.pk)
    return render(
        request,
        "organisations/coordinator_invite.html",
        {"organisation": organisation, "form": form},
    )


# --- join requests ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """The public request of an institution to join (anyone may send it, within a limit)."""
    form = JoinRequestForm(request.POST or None)
    throttled = False
    if request.method == "POST":
        who = throttle.client_ip(request)
        throttled = throttle.is_blocked("join", who, limit=JOIN_LIMIT)
        if not throttled:
            throttle.record("join", who, window=JOIN_WINDOW)
    if throttled:
        messages.error(request, throttle.TOO_MANY)
    elif request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in JoinRequestForm.Meta.fields}
        join_request = run_service(
            form,
            lambda: services.join_request_create(
                language=translation.get_language() or "lt", **fields
            ),
        )
        if join_request is not None:
            return redirect("organisations:join_sent")
    return render(request, "organisations/join.html", {"form": form})


def join_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/join_sent.html")


@login_required
def join_requests(request: HttpRequest) -> HttpResponse:
    _admin_only(request.user)
    pending_first = Case(When(status=JoinRequestStatus.PENDING, then=0), default=1)
    rows = JoinRequest.objects.select_related("decided_by", "organisation").order_by(
        pending_first, "-created_at", "-pk"
    )
    page = Paginator(rows, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "organisations/join_requests.html", {"page": page})


def _get_join_request(pk) -> JoinRequest:
    try:
        return JoinRequest.objects.select_related("decided_by", "organisation").get(pk=pk)
    except (JoinRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _join_request_page(request, join_request, *, reject_form=None, approve_errors=()):
    same_code = Organisation.objects.filter(company_code=join_request.company_code).first()
    same_name = Organisation.objects.filter(name__iexact=join_request.name).exclude(
        pk=getattr(same_code, "pk", None)
    )[:5]
    return render(
        request,
        "organisations/join_request_detail.html",
        {
            "join_request": join_request,
            "reject_form": reject_form or RejectForm(),
            "approve_errors": approve_errors,
            "same_code": same_code,
            "same_name": same_name,
        },
    )


@login_required
def join_request_detail(request: HttpRequest, join_request_pk: int) -> HttpResponse:
    _admin_only(request.user)
    return _join_request_page(request, _get_join_request(join_request_pk))


@login_required
@require_http_methods(["POST"])
def join_request_approve(request: HttpRequest, join_request_pk: int) -> HttpResponse:
    _admin_only(request.user)
    join_request = _get_join_request(join_request_pk)
    try:
        join_request = services.join_request_approve(actor=request.user, join_request=join_request)
    except ValidationError as error:
        return _join_request_page(request, join_request, approve_errors=error.messages)
    messages.success(
        request,
        # The verb, not a noun, carries the news: Lithuanian "koordinatorius" would have a gender.
        _(
            "%(name)s is registered; %(person)s is its coordinator now. The letter is sent to "
            "%(email)s."
        )
        % {
            "name": join_request.organisation.name,
            "person": join_request.contact_name,
            "email": join_request.contact_email,
        },
    )
    return redirect("organisations:join_request", join_request_pk=join_request.pk)


@login_required
@require_http_methods(["POST"])
def join_request_reject(request: HttpRequest, join_request_pk: int) -> HttpResponse:
    _admin_only(request.user)
    join_request = _get_join_request(join_request_pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        done = run_service(
            form,
            lambda: services.join_request_reject(
                actor=request.user, join_request=join_request, reason=form.cleaned_data["reason"]
            ),
        )
        if done is not None:
            messages.success(request, _("The request is rejected; the requester is told why."))
            return redirect("organisations:join_requests")
    return _join_request_page(request, join_request, reject_form=form)
