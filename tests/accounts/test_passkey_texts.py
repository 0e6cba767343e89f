"""The passkey buttons and their messages come from django-otp-webauthn's scripts, which read
their texts from its JavaScript catalogue: in Lithuanian from Kvalis's own, in English on
request."""

import json
import re

from django.urls import reverse


def catalogue(client, language: str) -> dict[str, str]:
    script = client.get(
        reverse("otp_webauthn:js-i18n-catalog"), headers={"accept-language": language}
    ).content.decode()
    found = re.search(r"const newcatalog = (\{.*?\});", script, re.DOTALL)
    return json.loads(found.group(1)) if found else {}  # no catalogue: the scripts' own texts


def test_the_passkey_scripts_speak_lithuanian(client):
    texts = catalogue(client, "lt")
    assert texts["Register a Passkey"] == "Pridėti prieigos raktą"
    assert texts["Verify with Passkey"] == "Patvirtinti prieigos raktu"
    assert all(texts.values()), "every text of the scripts has its Lithuanian"


def test_in_english_when_english_is_chosen(client, settings):
    settings.LANGUAGE_CODE = "en"
    assert "Register a Passkey" not in catalogue(client, "en")  # the script's own English
