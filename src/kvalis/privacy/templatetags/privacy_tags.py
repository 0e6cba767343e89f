"""Privacy links and formats: the notice's version, the keeper's export link, whether the
holder's name is in their digital credentials, export values."""

from datetime import datetime

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from kvalis import ownership
from kvalis.privacy import texts

register = template.Library()


@register.simple_tag
def privacy_notice_version() -> str:
    return format_html(
        '<p class="muted">{}</p>',
        _("Version of this notice: %(version)s") % {"version": texts.PRIVACY_NOTICE_VERSION},
    )


@register.simple_tag(takes_context=True)
def person_export_link(context, person) -> str:
    """The employer's keepers may produce the person's data export (kvalis.ownership)."""
    request = context.get("request")
    if request is None or person.organisation_id is None:
        return ""
    if not ownership.keeps(request.user, person.organisation):
        return ""
    url = reverse(
        "privacy:person_export",
        kwargs={"organisation_pk": person.organisation_id, "person_pk": person.pk},
    )
    return format_html(
        '<p class="actions"><a href="{}">{}</a></p>', url, _("Export the person's data (GDPR)")
    )


@register.simple_tag(takes_context=True)
def credential_name_status(context) -> str:
    """One line on "My certificates": are the holder's digital credentials named, and where
    that is changed."""
    from kvalis.privacy import selectors

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    url = reverse("privacy:consents")
    if selectors.name_in_credentials(request.user):
        text = _("Your digital credentials carry your name.")
        link = _("Withdraw this consent on “My consents”")
    else:
        text = _(
            "Your digital credentials do not carry your name, only a coded digest of your "
            "e-mail address."
        )
        link = _("Agree to include it on “My consents”")
        url += "#credential-name"
    return format_html('<p class="help">{} <a href="{}">{}</a></p>', text, url, link)


@register.filter
def lt_decimal(value) -> str:
    """'15.3' as Lithuanians write it: '15,3'."""
    return "" if value in (None, "") else str(value).replace(".", ",")


@register.filter
def lt_time(value) -> str:
    """An ISO time from the export ('2014-05-12T10:00:00+03:00') as '2014-05-12 10:00'."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(value)
