"""The texts people agree to, each with a version: what a consent record points at.

Change a text, change its version: a record keeps the version and a SHA-256 of the text shown,
so what someone agreed to can be told from what the text says today.
"""

import hashlib

from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# The application form's privacy notice (enrolment/templates/enrolment/privacy_*.html).
PRIVACY_NOTICE_VERSION = "2026-12-02"
PRIVACY_NOTICE_TEMPLATES = {"lt": "enrolment/privacy_lt.html", "en": "enrolment/privacy_en.html"}
# The box the applicant ticks (enrolment/forms.py ApplicationForm.consent).
PRIVACY_NOTICE_STATEMENT = _(
    "I have read the privacy notice and agree that my data is used for this training."
)

PHOTO_CONSENT_VERSION = "2026-12-02"
PHOTO_CONSENT_TEXT = _(
    "I agree that photographs in which I can be recognised are taken during the study visit "
    "and used in the project's reports to the funder and in its public news about the visit. "
    "I may withdraw this consent at any time on the “My consents” page; photographs already "
    "published before that stay published."
)

# Given on "My consents"; read by `kvalis.credentials` when it signs a credential.
CREDENTIAL_NAME_CONSENT_VERSION = "2026-12-02"
CREDENTIAL_NAME_CONSENT_TEXT = _(
    "I agree that my first name and surname are written into the digital credentials (Open "
    "Badges) of my certificates, so that whoever I show one to can see whose it is. Without "
    "this consent a credential carries only a coded digest of my e-mail address: the address "
    "cannot be read from it, and only someone who already knows my address can check that "
    "the credential is mine. I may withdraw this consent at any time on the “My consents” "
    "page; credentials downloaded before that do not change."
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _language(language: str) -> str:
    return language if language in PRIVACY_NOTICE_TEMPLATES else "lt"


def privacy_notice_text(language: str) -> str:
    """The notice's template source in that language: what the applicant was shown."""
    template = loader.get_template(PRIVACY_NOTICE_TEMPLATES[_language(language)])
    return template.template.source


def privacy_notice_hash(language: str) -> str:
    return sha256(privacy_notice_text(language))


def photo_consent_text(language: str) -> str:
    with translation.override(_language(language)):
        return str(PHOTO_CONSENT_TEXT)


def credential_name_consent_text(language: str) -> str:
    with translation.override(_language(language)):
        return str(CREDENTIAL_NAME_CONSENT_TEXT)
