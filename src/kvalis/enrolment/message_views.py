"""The page where a coordinator, or a trainer of the cohort, writes to its participants or its
waiting list (`cohort_messages.cohort_message_send`), with the messages sent before."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kvalis.access import Perm, get_project_access
from kvalis.enrolment import cohort_messages
from kvalis.enrolment.forms import CohortMessageForm
from kvalis.projects.forms import run_service


@login_required
@require_http_methods(["GET", "POST"])
def cohort_message(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    # TEACH: the project's coordinators, and trainers for their own cohorts only
    # (`access.cohorts()`); partner coordinators and funder observers get 404.
    access = get_project_access(request.user, code, Perm.TEACH)
    cohort = access.get_cohort(cohort_pk)
    sizes = cohort_messages.audience_sizes(cohort)
    form = CohortMessageForm(
        request.POST or None,
        sizes=sizes,
        initial={"token": uuid.uuid4(), "audience": sizes[0].audience},
    )
    if request.method == "POST" and form.is_valid():
        result = run_service(
            form,
            lambda: cohort_messages.cohort_message_send(
                actor=request.user, cohort=cohort, **form.cleaned_data
            ),
        )
        if result is not None:
            message, new = result
            if new:
                messages.success(
                    request,
                    _("The message “%(subject)s” is being sent.") % {"subject": message.subject},
                )
            else:
                messages.info(
                    request,
                    _("The message “%(subject)s” was already sent; it is not sent again.")
                    % {"subject": message.subject},
                )
            return redirect("enrolment:cohort_message", code=code, cohort_pk=cohort.pk)
    return render(
        request,
        "enrolment/cohort_message.html",
        {
            "access": access,
            "project": access.project,
            "tab": "activities",  # the project tab of the cohort's pages (its hub)
            "cohort": cohort,
            "form": form,
            "sizes": sizes,
            "sent": cohort_messages.cohort_messages(cohort)[:50],
        },
        status=400 if form.errors else 200,
    )
