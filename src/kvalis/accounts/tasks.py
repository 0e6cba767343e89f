"""Background work for logins. Jobs take plain values, reload, and do the work."""

from django.tasks import task
from django.utils import translation


@task()
def password_reset_send(
    *, email: str, domain: str, use_https: bool, language: str, templates: dict[str, str]
) -> None:
    """Mail every active login at `email` a link to choose a password; an address without one
    gets nothing. Here, not in the request, so that the page answers alike for both."""
    from kvalis.accounts.forms import InvitedPasswordResetForm

    form = InvitedPasswordResetForm({"email": email})
    if form.is_valid():
        with translation.override(language):
            form.send(domain=domain, use_https=use_https, **templates)
