"""Erasure requests: the person asks from their own pages; their employer's coordinators
(`ownership.keeps`) review the requests and carry them out (`people.erasure`). Anyone else
gets 404 for a request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kvalis import ownership
from kvalis.certificates.models import Certificate
from kvalis.people import erasure
from kvalis.people.erasure_forms import (
    ErasureDecisionForm,
    ErasureOnBehalfForm,
    ErasureRequestForm,
)
from kvalis.people.models import OPEN_ERASURE_STATUSES, Person
from kvalis.projects.forms import run_service


def _my_person(request: HttpRequest) -> Person | None:
    return getattr(request.user, "person", None)


@login_required
@require_http_methods(["GET", "POST"])
def my_erasure(request: HttpRequest) -> HttpResponse:
    """The participant's "Erase my data": what it means, the request, and its answer."""
    person = _my_person(request)
    requests = person.erasure_requests.all() if person is not None else []
    open_request = next((r for r in requests if r.status in OPEN_ERASURE_STATUSES), None)
    form = ErasureRequestForm(request.POST or None)
    may_ask = person is not None and open_request is None
    if request.method == "POST" and may_ask and form.is_valid():
        created = run_service(
            form,
            lambda: erasure.erasure_request_create(
                actor=request.user, person=person, reason=form.cleaned_data["reason"]
            ),
        )
        if created is not None:
            messages.success(
                request,
                _(
                    "Your request is sent to your employer's coordinators. You will see "
                    "their answer here."
                ),
            )
            return redirect("people:erasure_request")
    return render(
        request,
        "people/erasure_my.html",
        {
            "person": person,
            "requests": requests,
            "open_request": open_request,
            "running": erasure.open_enrolments(person) if person is not None else [],
            "form": form,
        },
    )


@login_required
def erasure_list(request: HttpRequest) -> HttpResponse:
    requests = erasure.requests_for_user(request.user).select_related("requested_by")
    return render(
        request,
        "people/erasure_list.html",
        {
            "open_requests": [r for r in requests if r.is_open],
            "answered": [r for r in requests if not r.is_open][:50],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def erasure_on_behalf(request: HttpRequest, person_pk: int) -> HttpResponse:
    """A keeper records a request the person made by letter or in person."""
    kept = Person.objects.filter(organisation__in=ownership.kept_organisations(request.user))
    person = get_object_or_404(kept.select_related("organisation"), pk=person_pk)
    if not erasure.may_request_for(request.user, person) or person.user_id == request.user.pk:
        raise Http404
    form = ErasureOnBehalfForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_service(
            form,
            lambda: erasure.erasure_request_create(
                actor=request.user, person=person, reason=form.cleaned_data["reason"]
            ),
        )
        if created is not None:
            messages.success(request, _("The request is recorded."))
            return redirect("people:erasure_review", erasure_pk=created.pk)
    return render(request, "people/erasure_on_behalf.html", {"person": person, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def erasure_review(request: HttpRequest, erasure_pk: int) -> HttpResponse:
    erasure_request = get_object_or_404(
        erasure.requests_for_user(request.user).select_related("requested_by", "reviewed_by"),
        pk=erasure_pk,
    )
    person = erasure_request.person
    form = ErasureDecisionForm(request.POST or None)
    if request.method == "POST" and erasure_request.is_open and form.is_valid():
        decision = form.cleaned_data["decision"]
        if decision == "erase":
            call = lambda: erasure.erasure_request_carry_out(  # noqa: E731
                actor=request.user, request=erasure_request
            )
            done = _("The person's data are erased; their training record stays.")
        elif decision == "approve":
            call = lambda: erasure.erasure_request_approve(  # noqa: E731
                actor=request.user, request=erasure_request
            )
            done = _("The request is approved. Erase the data when nothing blocks it.")
        else:
            call = lambda: erasure.erasure_request_refuse(  # noqa: E731
                actor=request.user,
                request=erasure_request,
                reason=form.cleaned_data["refusal_reason"],
            )
            done = _("The request is refused; the person sees why.")
        if run_service(form, call) is not None:
            messages.success(request, done)
            return redirect("people:erasure_review", erasure_pk=erasure_request.pk)
        erasure_request.refresh_from_db()
    return render(
        request,
        "people/erasure_review.html",
        {
            "erasure_request": erasure_request,
            "person": person,
            "running": erasure.open_enrolments(person),
            "enrolment_count": person.enrolments.count(),
            "certificate_count": Certificate.objects.filter(person=person).count(),
            "form": form,
        },
    )
