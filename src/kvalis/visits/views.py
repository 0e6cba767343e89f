"""Study visit pages for coordinators. Thin: a form, a service, a redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kvalis.access import Perm, get_project_access
from kvalis.budget.selectors import expenses_for
from kvalis.budget.views import add_service_errors
from kvalis.lib.confirm import confirmation_page
from kvalis.lib.grammar import agree
from kvalis.lib.money import format_money
from kvalis.projects.models import ActivityKind
from kvalis.visits import services
from kvalis.visits.forms import (
    AutoSelectForm,
    ChecklistForm,
    CostForm,
    HostVisitForm,
    OutcomesForm,
    PromoteForm,
    SelectForm,
    StudyVisitForm,
)
from kvalis.visits.models import TravellerStatus
from kvalis.visits.selectors import (
    candidates,
    cost_summary,
    get_cost,
    get_host,
    get_traveller,
    get_visit,
    travellers_with_costs,
    visits_for,
)


def _access(request, code):
    return get_project_access(request.user, code, Perm.EDIT)


def _context(access, **extra) -> dict:
    return {"access": access, "project": access.project, "tab": "visits", **extra}


@login_required
def index(request: HttpRequest, code: str) -> HttpResponse:
    access = _access(request, code)
    visits = {visit.activity_id: visit for visit in visits_for(access)}
    activities = access.project.activities.filter(kind=ActivityKind.STUDY_VISIT)
    rows = [(activity, visits.get(activity.pk)) for activity in activities]
    return render(request, "visits/index.html", _context(access, rows=rows))


def _visit_initial(visit) -> dict:
    return {
        "cohort": visit.cohort_id,
        "destination_city": visit.destination_city,
        "destination_country": visit.destination_country,
        "start_date": visit.start_date,
        "end_date": visit.end_date,
        "description": visit.description,
        "places": visit.places,
        "min_completed_modules": visit.min_completed_modules,
        "max_per_partner": visit.max_per_partner,
        "position_categories": visit.position_categories,
    }


@login_required
def visit_create(request: HttpRequest, code: str, activity_pk: int) -> HttpResponse:
    access = _access(request, code)
    activity = access.project.activities.filter(
        kind=ActivityKind.STUDY_VISIT, pk=activity_pk
    ).first()
    if activity is None:
        raise Http404
    if hasattr(activity, "study_visit"):
        return redirect("visits:detail", code=code, visit_pk=activity.study_visit.pk)
    cohort = activity.cohorts.first()
    initial = {"places": cohort.capacity if cohort else 20, "min_completed_modules": 1}
    if cohort:
        initial.update(cohort=cohort.pk, start_date=cohort.start_date, end_date=cohort.end_date)
    form = StudyVisitForm(request.POST or None, activity=activity, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.study_visit_create(
                activity=activity, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The study visit was set up."))
            return redirect("visits:detail", code=code, visit_pk=visit.pk)
    return render(
        request,
        "visits/visit_form.html",
        _context(access, form=form, activity=activity, visit=None),
    )


@login_required
def visit_edit(request: HttpRequest, code: str, visit_pk: int) -> HttpResponse:
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    form = StudyVisitForm(
        request.POST or None, activity=visit.activity, initial=_visit_initial(visit)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.study_visit_update(visit=visit, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The study visit was saved."))
            return redirect("visits:detail", code=code, visit_pk=visit.pk)
    return render(
        request,
        "visits/visit_form.html",
        _context(access, form=form, activity=visit.activity, visit=visit),
    )


@login_required
def visit_detail(request: HttpRequest, code: str, visit_pk: int) -> HttpResponse:
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    travellers = travellers_with_costs(visit)
    return render(
        request,
        "visits/visit_detail.html",
        _context(
            access,
            visit=visit,
            hosts=visit.hosts.all(),
            travellers=[t for t in travellers if t.status == TravellerStatus.TRAVELLER],
            reserves=[t for t in travellers if t.status == TravellerStatus.RESERVE],
            costs=cost_summary(visit, travellers),
            categories=[
                label for value, label in _categories() if value in visit.position_categories
            ],
        ),
    )


def _categories():
    from kvalis.people.models import PositionCategory

    return PositionCategory.choices


def _host_data(host) -> dict:
    return {
        "organisation_name": host.organisation_name,
        "city": host.city,
        "country": host.country,
        "starts_at": host.starts_at,
        "topic": host.topic,
    }


@login_required
def host_create(request: HttpRequest, code: str, visit_pk: int) -> HttpResponse:
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    initial = {"city": visit.destination_city, "country": visit.destination_country}
    form = HostVisitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.host_visit_create(visit=visit, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The host visit was added to the itinerary."))
            return redirect("visits:detail", code=code, visit_pk=visit.pk)
    return render(
        request, "visits/host_form.html", _context(access, form=form, visit=visit, host=None)
    )


@login_required
def host_edit(request: HttpRequest, code: str, visit_pk: int, host_pk: int) -> HttpResponse:
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    host = get_host(visit, host_pk)
    form = HostVisitForm(request.POST or None, initial=_host_data(host))
    if request.method == "POST" and form.is_valid():
        try:
            services.host_visit_update(host=host, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The host visit was saved."))
            return redirect("visits:detail", code=code, visit_pk=visit.pk)
    return render(
        request, "visits/host_form.html", _context(access, form=form, visit=visit, host=host)
    )


def _visit_crumbs(code: str, visit) -> list[tuple[str, str]]:
    return [
        (reverse("visits:index", args=[code]), _("Study visits")),
        (reverse("visits:detail", args=[code, visit.pk]), visit.destination_city),
    ]


@login_required
@require_http_methods(["GET", "POST"])
def host_delete(request: HttpRequest, code: str, visit_pk: int, host_pk: int) -> HttpResponse:
    """GET: what removing the host visit means; POST: remove it from the itinerary."""
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    host = get_host(visit, host_pk)
    if request.method == "POST":
        services.host_visit_delete(host=host, actor=request.user)
        messages.success(request, _("The host visit was removed from the itinerary."))
        return redirect("visits:detail", code=code, visit_pk=visit.pk)
    return confirmation_page(
        request,
        access=access,
        tab="visits",
        heading=_("Remove %(host)s from the itinerary?") % {"host": host.organisation_name},
        points=[
            _("%(when)s · %(city)s · %(topic)s")
            % {
                "when": timezone.localtime(host.starts_at).strftime("%Y-%m-%d %H:%M"),
                "city": host.city,
                "topic": host.topic,
            },
            _(
                "The host visit and the outcomes written for it are deleted; nobody is "
                "notified. The audit log keeps a record of the removal."
            ),
        ],
        submit_label=_("Remove from the itinerary"),
        cancel_url=reverse("visits:host_edit", args=[code, visit.pk, host.pk]),
        crumbs=_visit_crumbs(code, visit),
    )


@login_required
def host_outcomes(request: HttpRequest, code: str, visit_pk: int, host_pk: int) -> HttpResponse:
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    host = get_host(visit, host_pk)
    form = OutcomesForm(request.POST or None, initial={"outcomes": host.outcomes})
    if request.method == "POST" and form.is_valid():
        try:
            services.host_visit_outcomes_save(
                host=host, actor=request.user, outcomes=form.cleaned_data["outcomes"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The outcomes were saved."))
            return redirect("visits:detail", code=code, visit_pk=visit.pk)
    return render(
        request, "visits/outcomes_form.html", _context(access, form=form, visit=visit, host=host)
    )


@login_required
def selection(request: HttpRequest, code: str, visit_pk: int) -> HttpResponse:
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    people = access.people()
    form = SelectForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        try:
            services.traveller_add(
                visit=visit,
                person=person,
                status=form.cleaned_data["status"],
                override_reason=form.cleaned_data["override_reason"],
                actor=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            selected = _("%(person)s was selected.") % {"person": person.full_name}
            messages.success(request, agree(selected, person.full_name))
            return redirect("visits:selection", code=code, visit_pk=visit.pk)
    ranked = candidates(visit, people)
    going = sum(
        1 for c in ranked if c.traveller and c.traveller.status == TravellerStatus.TRAVELLER
    )
    failed_person = form.data.get("person") if form.is_bound and form.errors else None
    return render(
        request,
        "visits/selection.html",
        _context(
            access,
            visit=visit,
            candidates=ranked,
            form=form,
            failed_person=str(failed_person or ""),
            going=going,
            auto_form=AutoSelectForm(
                initial={"travellers": max(0, visit.places - going), "reserves": 3}
            ),
            categories=[
                label for value, label in _categories() if value in visit.position_categories
            ],
        ),
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def selection_auto(request: HttpRequest, code: str, visit_pk: int) -> HttpResponse:
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    form = AutoSelectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the numbers of travellers and reserves to add."))
    else:
        added, reserves = services.selection_auto(
            visit=visit, actor=request.user, people=access.people(), **form.cleaned_data
        )
        messages.success(
            request,
            _("Added %(travellers)s travellers and %(reserves)s reserves who meet the criteria.")
            % {"travellers": added, "reserves": reserves},
        )
    return redirect("visits:selection", code=code, visit_pk=visit.pk)


def _traveller_page(
    request, access, visit, traveller, checklist=None, cost_form=None, promote=None, status=200
):
    expenses = expenses_for(access).order_by("date", "id")
    travellers = [t for t in travellers_with_costs(visit) if t.pk == traveller.pk]
    return render(
        request,
        "visits/traveller.html",
        _context(
            access,
            visit=visit,
            traveller=traveller,
            cost_total=travellers[0].cost_total if travellers else 0,
            costs=traveller.costs.select_related("expense__line").order_by("expense__date"),
            checklist=checklist
            or ChecklistForm(
                initial={
                    "travel_document_expiry": traveller.travel_document_expiry,
                    "insurance": traveller.insurance,
                    "consent": traveller.consent,
                }
            ),
            cost_form=cost_form or CostForm(expenses=expenses, currency=access.project.currency),
            promote_form=promote or PromoteForm(),
            document_ok=traveller.document_valid_for(visit),
        ),
        status=status,
    )


@login_required
def traveller_detail(
    request: HttpRequest, code: str, visit_pk: int, traveller_pk: int
) -> HttpResponse:
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    traveller = get_traveller(visit, traveller_pk)
    if request.method == "POST":
        form = ChecklistForm(request.POST)
        if form.is_valid():
            try:
                services.traveller_checklist_update(
                    traveller=traveller, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The checklist was saved."))
                return redirect(
                    "visits:traveller", code=code, visit_pk=visit.pk, traveller_pk=traveller.pk
                )
        traveller.refresh_from_db()
        return _traveller_page(request, access, visit, traveller, checklist=form, status=400)
    return _traveller_page(request, access, visit, traveller)


@login_required
@require_POST
def traveller_cost_add(
    request: HttpRequest, code: str, visit_pk: int, traveller_pk: int
) -> HttpResponse:
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    traveller = get_traveller(visit, traveller_pk)
    form = CostForm(request.POST, expenses=expenses_for(access), currency=access.project.currency)
    if form.is_valid():
        try:
            services.traveller_cost_add(
                traveller=traveller, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The cost was linked to the traveller."))
            return redirect(
                "visits:traveller", code=code, visit_pk=visit.pk, traveller_pk=traveller.pk
            )
    return _traveller_page(request, access, visit, traveller, cost_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def traveller_cost_remove(
    request: HttpRequest, code: str, visit_pk: int, traveller_pk: int, cost_pk: int
) -> HttpResponse:
    """GET: what unlinking the cost means; POST: unlink it (the expense itself stays)."""
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    traveller = get_traveller(visit, traveller_pk)
    cost = get_cost(traveller, cost_pk)
    traveller_url = reverse("visits:traveller", args=[code, visit.pk, traveller.pk])
    if request.method == "POST":
        services.traveller_cost_remove(cost=cost, actor=request.user)
        messages.success(request, _("The cost was unlinked."))
        return redirect(traveller_url)
    return confirmation_page(
        request,
        access=access,
        tab="visits",
        heading=_("Unlink the cost %(number)s from %(name)s?")
        % {"number": cost.expense.document_number, "name": traveller.person.full_name},
        points=[
            _(
                "The share of %(amount)s no longer counts as this person's cost. The expense "
                "itself stays in the budget, unchanged; nobody is notified."
            )
            % {"amount": format_money(cost.amount, access.project.currency)},
        ],
        submit_label=_("Unlink"),
        cancel_url=traveller_url,
        crumbs=[*_visit_crumbs(code, visit), (traveller_url, traveller.person.full_name)],
    )


@login_required
@require_POST
def traveller_promote(
    request: HttpRequest, code: str, visit_pk: int, traveller_pk: int
) -> HttpResponse:
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    traveller = get_traveller(visit, traveller_pk)
    form = PromoteForm(request.POST)
    if form.is_valid():
        try:
            services.traveller_promote(
                traveller=traveller,
                actor=request.user,
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The person now travels."))
    return redirect("visits:traveller", code=code, visit_pk=visit.pk, traveller_pk=traveller.pk)


@login_required
@require_http_methods(["GET", "POST"])
def traveller_remove(
    request: HttpRequest, code: str, visit_pk: int, traveller_pk: int
) -> HttpResponse:
    """GET: what taking the person off the visit means; POST: do it."""
    access = _access(request, code)
    visit = get_visit(access, visit_pk)
    traveller = get_traveller(visit, traveller_pk)
    traveller_url = reverse("visits:traveller", args=[code, visit.pk, traveller.pk])
    error = None
    if request.method == "POST":
        try:
            services.traveller_remove(traveller=traveller, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("The person was removed from the study visit."))
            return redirect("visits:detail", code=code, visit_pk=visit.pk)
    return confirmation_page(
        request,
        access=access,
        tab="visits",
        heading=_("Remove %(name)s from the study visit?") % {"name": traveller.person.full_name},
        points=[
            _(
                "Their enrolment in the visit's group is cancelled and the reserve list is "
                "renumbered; nobody is moved up and nobody is e-mailed."
            ),
            _("Only a person without linked costs can be removed: unlink the costs first."),
            _("The audit log keeps a record of the removal."),
        ],
        submit_label=_("Remove from the study visit"),
        cancel_url=traveller_url,
        crumbs=[*_visit_crumbs(code, visit), (traveller_url, traveller.person.full_name)],
        error=error,
        status=400 if error else 200,
    )
