"""A person's own data and consents under /my/, and the keeper's export of a person's data."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from kvalis.lib.exports import content_disposition, download_name
from kvalis.privacy import selectors, services, texts


def _zip_response(content: bytes, person) -> HttpResponse:
    with translation.override("lt"):
        name = download_name(
            pgettext("file name", "data"),
            person.full_name,
            timezone.localdate().isoformat(),
            extension="zip",
        )
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = content_disposition(name)
    return response


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """GET explains what the ZIP holds; POST builds it and hands it over."""
    person = selectors.my_person(request.user)
    if request.method == "POST":
        if person is None:
            return redirect("privacy:my_data")
        content = services.person_data_export(person=person, actor=request.user, by_keeper=False)
        return _zip_response(content, person)
    return render(request, "privacy/my_data.html", {"person": person})


@login_required
def consents(request: HttpRequest) -> HttpResponse:
    person = selectors.my_person(request.user)
    context = {"person": person, "consents": [], "photo_places": []}
    if person is not None:
        context.update(selectors.consents_page(person))
        context["photo_text"] = texts.photo_consent_text(translation.get_language() or "lt")
        context["credential_name_text"] = texts.credential_name_consent_text(
            translation.get_language() or "lt"
        )
    return render(request, "privacy/consents.html", context)


@login_required
@require_POST
def consent_withdraw(request: HttpRequest, consent_pk: int) -> HttpResponse:
    consent = selectors.my_consent(request.user, consent_pk)
    try:
        services.consent_withdraw(consent=consent, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Consent withdrawn."))
    return redirect("privacy:consents")


@login_required
@require_POST
def photo_consent_give(request: HttpRequest, traveller_pk: int) -> HttpResponse:
    traveller = selectors.my_traveller(request.user, traveller_pk)
    try:
        services.photo_consent_give(
            traveller=traveller, actor=request.user, language=translation.get_language() or "lt"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Consent recorded. You can withdraw it here at any time."))
    return redirect("privacy:consents")


@login_required
@require_POST
def credential_name_consent_give(request: HttpRequest) -> HttpResponse:
    person = selectors.my_person(request.user)
    if person is None:
        raise Http404
    try:
        services.credential_name_consent_give(
            person=person, actor=request.user, language=translation.get_language() or "lt"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Consent recorded: your digital credentials now carry your name. You can "
                "withdraw it here at any time."
            ),
        )
    return redirect("privacy:consents")


@login_required
def person_export(request: HttpRequest, organisation_pk: int, person_pk: int) -> HttpResponse:
    """A keeper of the person's employer produces the export on the person's request."""
    from kvalis.privacy.forms import KeeperExportForm

    person = selectors.person_for_keeper(
        request.user, organisation_pk=organisation_pk, person_pk=person_pk
    )
    form = KeeperExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            content = services.person_data_export(
                person=person,
                actor=request.user,
                note=form.cleaned_data["note"],
                by_keeper=True,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("note", message)
        else:
            return _zip_response(content, person)
    return render(
        request,
        "privacy/person_export.html",
        {"person": person, "form": form},
        status=400 if request.method == "POST" else 200,
    )
