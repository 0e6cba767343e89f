"""Template filters for Lithuanian cases (`kvalis.lib.grammar`), active only in Lithuanian.

    {% load grammar %}
    {{ first_name|vocative }}                 Vytautas -> Vytautai
    {{ person.full_name|name_case:"genitive" }}  Rūta Petraitienė -> Rūtos Petraitienės
    {{ organisation|case:"instrumental" }}    the stored form, else the rules
    {{ "Kauno miesto muziejus"|case:"locative" }}  a name given as text

    {% greeting first_name %}                 Sveiki, Vytautai, / Laba diena,

In another language (English pages and mail) every filter returns the name as it is.
"""

from django import template
from django.utils.translation import gettext, pgettext

from kvalis.lib import grammar

register = template.Library()


@register.filter
def vocative(name) -> str:
    name = str(name or "")
    return grammar.inflect_name(name, "vocative") if grammar.is_lithuanian() else name


@register.filter
def name_case(name, case: str) -> str:
    name = str(name or "")
    return grammar.inflect_name(name, case) if grammar.is_lithuanian() else name


@register.filter(name="case")
def case_filter(value, case: str) -> str:
    """An organisation (its stored forms first) or an institution name in `case`."""
    if value is None or value == "":
        return ""
    if not grammar.is_lithuanian():
        return str(getattr(value, "name", value))
    if hasattr(value, "name_genitive"):
        return grammar.organisation_case(value, case)
    return grammar.inflect_phrase(str(value), case)


@register.simple_tag
def greeting(first_name: str = "") -> str:
    """The first line of an e-mail: "Sveiki, Vytautai," (the first name in the vocative), or
    "Laba diena," when no name is known. `{% greeting first_name %}`"""
    name = str(first_name or "").strip()
    if not name:
        return pgettext("greeting without a name", "Hello,")
    return gettext("Hello, %(name)s,") % {"name": vocative(name)}
