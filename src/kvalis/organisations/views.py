"""An organisation's side of its partnerships: the invitations its coordinators answer, and
leaving a project. Partnerships come from `ownership.partnerships_to_answer()`: another
organisation's answer is 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kvalis import ownership
from kvalis.projects import services
from kvalis.projects.models import Partner, PartnerStatus

ANSWERS = {
    "accept": (services.partnership_accept, _("You take part in %(project)s.")),
    "decline": (services.partnership_decline, _("You declined to take part in %(project)s.")),
    "leave": (services.partnership_leave, _("Your organisation has left %(project)s.")),
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
