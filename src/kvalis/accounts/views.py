"""The signed-in user's own account: their details, and the change of their e-mail address.

Each page acts on `request.user` only, so there is nothing of anyone else to look up; the one
URL with a value in it, the confirmation link, answers 404 to any login but the one it was sent
to.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.i18n import set_language

from kvalis import ownership
from kvalis.accounts import services, tokens
from kvalis.accounts.forms import AccountForm, EmailChangeForm


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Your details were saved."))
            return redirect("accounts:account")
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            # Their organisations' second-factor pages (kvalis.accounts.second_factor_views).
            "coordinated_organisations": ownership.coordinated_organisations(request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["new_email"]
        try:
            services.user_email_change_request(user=request.user, new_email=new_email)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "We sent a link to %(email)s. Open it while signed in to confirm the new "
                    "address; until then, your address stays as it is."
                )
                % {"email": new_email},
            )
            return redirect("accounts:account")
    return render(
        request,
        "accounts/email_change.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    # GET only shows a button: mail scanners that open links must not change the address.
    new_email, error = "", ""
    try:
        new_email = tokens.email_change_token_check(user=request.user, token=token)
    except tokens.NotYourLink:
        # Another login's link: as if it did not exist, and nothing is said about whose it is.
        raise Http404 from None
    except ValidationError as invalid:
        error = " ".join(invalid.messages)
    if request.method == "POST" and not error:
        try:
            services.user_email_change(user=request.user, new_email=new_email)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(
                request, _("Your e-mail address is now %(email)s.") % {"email": new_email}
            )
            return redirect("accounts:account")
    return render(
        request,
        "accounts/email_confirm.html",
        {"new_email": new_email, "error": error},
        status=400 if error else 200,
    )


def language_set(request: HttpRequest) -> HttpResponse:
    """The language switcher: Django's `set_language` keeps the choice in a cookie (a visitor's
    only memory of it); a signed-in user's choice is also stored on their login, so it holds on
    their next sign-in anywhere and writes their e-mails and PDFs."""
    response = set_language(request)
    language = request.POST.get("language", "")
    offered = language in dict(settings.LANGUAGES)  # others are ignored, by the middleware too
    if request.method == "POST" and request.user.is_authenticated and offered:
        services.user_language_set(user=request.user, language=language)
    return response
