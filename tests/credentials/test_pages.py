"""Where people get a certificate's credential, and the verification page that checks one
(kvalis.credentials.pages, certificates.views.verify_form / verify)."""

import base64
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from kvalis.certificates.forms import CREDENTIAL_MAX_BYTES
from kvalis.certificates.models import RevocationStatement
from kvalis.certificates.services import certificate_revoke
from kvalis.credentials import baking
from kvalis.credentials.models import Credential
from kvalis.credentials.services import credential_jwt, enveloped_credential
from tests.factories import CertificateFactory, PersonFactory, UserFactory

VERIFY = "/verify/"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://kvalis.example.lt"


@pytest.fixture
def holder(world):
    return UserFactory(email="egle@example.lt")


@pytest.fixture
def certificate(world, holder):
    person = PersonFactory(
        organisation=world.lead, first_name="Eglė", last_name="Čepulytė", user=holder
    )
    return CertificateFactory(enrolment__cohort=world.cohort, enrolment__person=person)


def revoke(certificate, world):
    return certificate_revoke(
        certificate=certificate,
        actor=world.alice,
        reason="Klaidingai išduotas",
        statement=RevocationStatement.ISSUED_IN_ERROR,
    )


def logged_in(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


# --- downloads: who gets them -------------------------------------------------------------------

KINDS = ["json", "jwt", "png"]


def my_url(certificate, kind):
    return reverse(f"credential_pages:my_{kind}", args=[certificate.pk])


def project_url(certificate, kind):
    return reverse(f"credential_pages:{kind}", args=[certificate.project.code, certificate.pk])


def public_url(certificate, kind):
    return reverse(f"credential_pages:public_{kind}", args=[certificate.verification_code])


@pytest.mark.parametrize("kind", KINDS)
def test_the_holder_downloads_their_own_credential(world, holder, certificate, kind):
    assert logged_in(holder).get(my_url(certificate, kind)).status_code == 200


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", ["alice", "bob", "charlie", "dana"])
def test_nobody_else_downloads_it_from_the_holders_pages(world, certificate, kind, persona):
    """The coordinator too: her door is the certificate page of the project."""
    response = logged_in(getattr(world, persona)).get(my_url(certificate, kind))
    assert response.status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_the_holder_gets_no_credential_of_a_revoked_certificate(world, holder, certificate, kind):
    revoke(certificate, world)
    assert logged_in(holder).get(my_url(certificate, kind)).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_the_coordinator_downloads_it_from_the_certificate_page(world, certificate, kind):
    assert logged_in(world.alice).get(project_url(certificate, kind)).status_code == 200


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", ["bob", "charlie", "dana", "holder"])
def test_partner_outsider_and_holder_get_404_from_the_project(
    world, certificate, holder, kind, persona
):
    """bob coordinates another organisation of the same project: the register is not his."""
    user = holder if persona == "holder" else getattr(world, persona)
    assert logged_in(user).get(project_url(certificate, kind)).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_the_project_url_with_another_projects_code_is_404(world, certificate, kind):
    """charlie's own project code with world's certificate: a forged URL."""
    url = reverse(f"credential_pages:{kind}", args=[world.other_project.code, certificate.pk])
    assert logged_in(world.charlie).get(url).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_anyone_with_the_verification_code_downloads_a_valid_credential(certificate, kind):
    assert logged_in(None).get(public_url(certificate, kind)).status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_a_revoked_credential_is_not_handed_out_by_code(world, certificate, kind):
    revoke(certificate, world)
    assert logged_in(None).get(public_url(certificate, kind)).status_code == 404


def test_an_unknown_code_is_404(db):
    url = reverse("credential_pages:public_jwt", args=["NOSUCHCODE"])
    assert logged_in(None).get(url).status_code == 404


# --- downloads: what they are -------------------------------------------------------------------


def test_the_jwt_is_the_signed_credential_as_vc_jwt(certificate, holder):
    response = logged_in(holder).get(my_url(certificate, "jwt"))

    assert response["Content-Type"] == "application/vc+jwt"
    assert response["Content-Disposition"] == (
        'attachment; filename="pazymejimas-UVB-2014-0001.jwt"; '
        "filename*=UTF-8''pa%C5%BEym%C4%97jimas-UVB-2014-0001.jwt"
    ).replace("UVB-2014-0001", certificate.number)
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.decode() == credential_jwt(certificate)


def test_the_json_is_the_decoded_credential(certificate, holder):
    response = logged_in(holder).get(my_url(certificate, "json"))

    assert response["Content-Type"] == "application/ld+json"
    assert f"{certificate.number}.json" in response["Content-Disposition"]
    assert "pa%C5%BEym%C4%97jimas" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert "OpenBadgeCredential" in document["type"]
    # Exactly the JWT's payload (without the JWT's own claims).
    payload = credential_jwt(certificate).split(".")[1]
    signed = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert document["id"] == signed["id"]
    assert document["credentialSubject"] == signed["credentialSubject"]
    assert "iss" not in document


def test_the_badge_is_a_png_carrying_the_jwt(certificate, holder):
    response = logged_in(holder).get(my_url(certificate, "png"))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith('attachment; filename="zenklelis-')
    assert "%C5%BEenklelis-" + certificate.number + ".png" in response["Content-Disposition"]
    Image.open(io.BytesIO(response.content)).load()
    assert baking.extract(response.content) == credential_jwt(certificate)


def test_the_public_credential_may_be_fetched_by_a_wallet_elsewhere(certificate):
    response = logged_in(None).get(public_url(certificate, "jwt"))
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.content.decode() == credential_jwt(certificate)


# --- the pages that link to them ----------------------------------------------------------------


def test_my_certificates_links_to_the_credential_page(certificate, holder):
    response = logged_in(holder).get(reverse("certificates:my_certificates"))
    assert reverse("credential_pages:my_credential", args=[certificate.pk]) in text(response)


def test_the_holders_credential_page_offers_the_files_and_the_link_for_wallets(certificate, holder):
    response = logged_in(holder).get(
        reverse("credential_pages:my_credential", args=[certificate.pk])
    )
    page = text(response)

    assert response.status_code == 200
    for kind in KINDS:
        assert my_url(certificate, kind) in page
    wallet = "https://kvalis.example.lt" + public_url(certificate, "jwt")
    assert f'value="{wallet}"' in page
    assert "Nuoroda piniginėms" in page
    assert "Kopijuoti nuorodą" in page
    assert "kvalis/copy-link.js" in page
    assert "šį failą priima skaitmeninė piniginė" in page
    assert "jame nėra parašo" in page
    assert "Kaip patikrinti be Kvalis" in page


@pytest.mark.parametrize("persona", ["alice", "charlie"])
def test_nobody_else_opens_the_holders_credential_page(world, certificate, persona):
    url = reverse("credential_pages:my_credential", args=[certificate.pk])
    assert logged_in(getattr(world, persona)).get(url).status_code == 404


def test_the_certificate_page_offers_the_keepers_downloads(world, certificate):
    url = reverse("certificates:detail", args=[world.project.code, certificate.pk])
    page = text(logged_in(world.alice).get(url))

    for kind in KINDS:
        assert project_url(certificate, kind) in page
    assert "Skaitmeninis kredencialas (Open Badges 3.0)" in page


def test_the_public_verification_page_offers_the_credential_of_a_valid_certificate(certificate):
    url = reverse("certificates:verify", args=[certificate.verification_code])
    page = text(logged_in(None).get(url))

    for kind in KINDS:
        assert public_url(certificate, kind) in page
    assert "Kaip patikrinti be Kvalis" in page
    assert "did:web" in page


def test_the_public_verification_page_of_a_revoked_certificate_offers_no_download(
    world, certificate
):
    revoke(certificate, world)
    url = reverse("certificates:verify", args=[certificate.verification_code])
    page = text(logged_in(None).get(url))

    assert public_url(certificate, "jwt") not in page
    assert "Kaip patikrinti be Kvalis" in page


# --- verifying a pasted or uploaded credential --------------------------------------------------


def post(data=None, files=None, client=None):
    return (client or logged_in(None)).post(VERIFY, {**(data or {}), **(files or {})})


def upload(name: str, content: bytes, content_type="application/octet-stream"):
    return {"file": SimpleUploadedFile(name, content, content_type=content_type)}


def test_the_verification_page_offers_the_paste_and_upload_form(db):
    page = text(logged_in(None).get(VERIFY))
    assert 'enctype="multipart/form-data"' in page
    assert "Įklijuokite kredencialą" in page
    assert "Arba pasirinkite failą" in page
    assert "Kaip patikrinti be Kvalis" in page


def test_a_pasted_valid_jwt_is_valid_with_every_check_shown(certificate):
    response = post({"credential": credential_jwt(certificate)})
    page = text(response)

    assert response.status_code == 200
    assert "Kredencialas galioja." in page
    assert page.count('<span class="badge ok">atitinka</span>') >= 5
    assert "neatitinka" not in page
    # What it states.
    assert certificate.data["activity_title"] in page
    assert certificate.data["issuer_name"] in page
    assert "<dd>16</dd>" in page
    # The name is in it only with the holder's consent: here there is none.
    assert "Čepulytė" not in page
    assert "užkoduota jo el. pašto adreso santrauka" in page


def test_a_pasted_enveloped_json_credential_is_valid(certificate):
    response = post({"credential": json.dumps(enveloped_credential(certificate))})
    assert "Kredencialas galioja." in text(response)


def test_the_decoded_json_alone_is_refused_as_unsigned(certificate, holder):
    """The .json download is for reading: it carries no signature to verify."""
    decoded = logged_in(holder).get(my_url(certificate, "json")).content.decode()
    response = post({"credential": decoded})
    page = text(response)

    assert "Kredencialas negalioja." in page
    assert "Galioja." not in page
    assert '<span class="badge bad">neatitinka</span>' in page


def test_an_uploaded_baked_badge_is_verified(certificate, holder):
    badge = logged_in(holder).get(my_url(certificate, "png")).content
    response = post(files=upload("ženklelis.png", badge, "image/png"))

    assert response.status_code == 200
    assert "Kredencialas galioja." in text(response)


def test_an_uploaded_jwt_file_is_verified(certificate):
    response = post(files=upload("pažymėjimas.jwt", credential_jwt(certificate).encode()))
    assert "Kredencialas galioja." in text(response)


def test_a_revoked_credential_verifies_as_revoked(world, certificate):
    token = credential_jwt(certificate)
    revoke(certificate, world)
    page = text(post({"credential": token}))

    assert "Kredencialas panaikintas." in page
    assert "<dd>panaikintas</dd>" in page
    assert '<span class="badge bad">neatitinka</span>' in page


def test_a_reissued_credential_verifies_as_replaced_with_a_link_to_the_new_one(world):
    from kvalis.certificates import services
    from kvalis.credentials.services import credential_urn
    from tests.certificates.conftest import completer
    from tests.factories import ActivityCertificateSettingsFactory, CertificateIssuerFactory

    issuer = CertificateIssuerFactory(project=world.project, organisation=world.lead)
    ActivityCertificateSettingsFactory(activity=world.activity, issuer=issuer)
    old = services.certificate_issue(enrolment=completer(world), actor=world.alice, notify=False)
    token = credential_jwt(old)
    new = services.certificate_reissue(
        certificate=old, actor=world.alice, reason="Pataisyta pavardė", notify=False
    )
    page = text(post({"credential": token}))

    assert "Kredencialas pakeistas nauju." in page
    assert "<dd>pakeistas nauju</dd>" in page
    assert reverse("certificates:verify", args=[new.verification_code]) in page
    assert f"pažymėjimas {new.number}" in page
    assert credential_urn(new) in page
    assert "Kredencialas galioja." in text(post({"credential": credential_jwt(new)}))


def test_a_tampered_credential_fails_on_its_signature(certificate):
    header, payload, signature = credential_jwt(certificate).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["result"][0]["value"] = "160"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    page = text(post({"credential": f"{header}.{forged}.{signature}"}))

    assert "Kredencialas negalioja." in page
    assert "Patikrinimas nepavyko, todėl šių teiginių niekas nepatvirtina." in page
    assert '<span class="badge bad">neatitinka</span>' in page


def test_a_garbage_jwt_is_reported_as_unreadable(db):
    page = text(post({"credential": "aaaa.bbbb.cccc"}))
    assert "Kredencialas negalioja." in page
    assert '<span class="badge bad">neatitinka</span>' in page


@pytest.mark.parametrize(
    ("data", "files", "message"),
    [
        ({"credential": "labas rytas"}, None, "Tai ne kredencialas: nei pasirašytas kredencialas"),
        ({"credential": '{"id": "x",'}, None, "Tekstas nėra taisyklingas JSON (1 eilutė"),
        ({"credential": "[1, 2]"}, None, "Šis JSON nėra kredencialas"),
        ({}, None, "Įklijuokite kredencialą arba pasirinkite failą, kurį norite patikrinti."),
        (
            {"credential": "a.b.c"},
            "jwt",
            "Įklijuokite kredencialą arba pasirinkite failą, ne abu.",
        ),
        ({}, "random-png", "Paveiksle nėra Open Badges kredencialo"),
        ({}, "gif", "Tai ne kredencialas"),
        ({}, "binary", "Tai ne kredencialas"),
        ({}, "oversize", "Tai daugiau nei 1 MB"),
        ({"credential": "a" * (CREDENTIAL_MAX_BYTES + 1)}, None, "Tai daugiau nei 1 MB"),
    ],
    ids=[
        "not-json",
        "broken-json",
        "json-array",
        "nothing",
        "both",
        "random-png",
        "gif",
        "binary",
        "oversize-file",
        "oversize-paste",
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(db, data, files, message):
    files = {
        None: None,
        "jwt": upload("x.jwt", b"a.b.c"),
        "random-png": upload("x.png", _plain_png(), "image/png"),
        "gif": upload("x.gif", b"GIF89a\x01\x00\x01\x00", "image/gif"),
        "binary": upload("x.jwt", b"\xff\xfe\x00garbage\x9c"),
        "oversize": upload("x.json", b" " * (CREDENTIAL_MAX_BYTES + 1)),
    }[files]
    before = Credential.objects.count()
    response = post(data, files)

    assert response.status_code == 400
    assert message in text(response)
    assert Credential.objects.count() == before


def _plain_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_verifying_is_throttled_per_client(db, settings):
    from kvalis.certificates.views import CREDENTIAL_LIMIT

    client = logged_in(None)
    for _ in range(CREDENTIAL_LIMIT):
        assert post({"credential": "aaaa.bbbb.cccc"}, client=client).status_code == 200
    response = post({"credential": "aaaa.bbbb.cccc"}, client=client)

    assert response.status_code == 429
    assert "Per daug bandymų" in text(response)
    assert "Kredencialas negalioja." not in text(response)


def test_verifying_needs_the_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    assert client.post(VERIFY, {"credential": "aaaa.bbbb.cccc"}).status_code == 403


# --- in a real browser: 1280 px and 390 px, accessible ------------------------------------------

WIDTHS = [1280, 390]


def _fits(page) -> bool:
    """No sideways scroll: the page is no wider than the window."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_holder_page_fits_is_accessible_and_copies_the_link(new_context, live_server, world, width):
    from playwright.sync_api import expect

    from tests.browser import assert_accessible, follow, login
    from tests.factories import PASSWORD

    user = UserFactory(email="egle@example.lt")
    person = PersonFactory(organisation=world.lead, first_name="Eglė", user=user)
    certificate = CertificateFactory(enrolment__cohort=world.cohort, enrolment__person=person)
    context = new_context(viewport={"width": width, "height": 900}, permissions=["clipboard-write"])
    page = context.new_page()
    login(page, live_server, user.email, PASSWORD)
    page.goto(f"{live_server.url}/my/certificates/")
    follow(page, page.get_by_role("link", name="Skaitmeninis kredencialas"))

    expect(page.get_by_role("heading", level=1)).to_contain_text(certificate.number)
    assert _fits(page), f"sideways scroll at {width} px"
    assert_accessible(page, f"the holder's credential page at {width} px")
    field = page.get_by_label("Nuoroda piniginėms")
    assert field.input_value().endswith(f"/verify/{certificate.verification_code}/credential.jwt")
    page.get_by_role("button", name="Kopijuoti nuorodą").click()
    expect(page.get_by_role("status").filter(has_text="Nuoroda nukopijuota.")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_verifying_an_uploaded_badge_fits_and_is_accessible(
    new_context, live_server, world, width, tmp_path
):
    from playwright.sync_api import expect

    from tests.browser import assert_accessible, follow

    person = PersonFactory(organisation=world.lead)
    certificate = CertificateFactory(enrolment__cohort=world.cohort, enrolment__person=person)
    badge = tmp_path / "ženklelis.png"
    badge.write_bytes(baking.baked_badge(certificate, credential_jwt(certificate)))
    page = new_context(viewport={"width": width, "height": 900}).new_page()

    page.goto(f"{live_server.url}/verify/{certificate.verification_code}/")
    assert _fits(page), f"sideways scroll on the certificate's page at {width} px"
    assert_accessible(page, f"the verification page with downloads at {width} px")

    page.goto(f"{live_server.url}/verify/")
    page.get_by_label("Arba pasirinkite failą").set_input_files(str(badge))
    follow(page, page.get_by_role("button", name="Atlikti kredencialo patikrą"))
    expect(page.get_by_role("heading", name="Kredencialas galioja.")).to_be_visible()
    assert _fits(page), f"sideways scroll on the result at {width} px"
    assert_accessible(page, f"a verification result at {width} px")

    page.get_by_label("Įklijuokite kredencialą").fill("labas rytas")
    follow(page, page.get_by_role("button", name="Atlikti kredencialo patikrą"))
    expect(page.get_by_text("Tai ne kredencialas")).to_be_visible()
    assert_accessible(page, f"a refused credential at {width} px")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_certificate_page_with_downloads_fits_a_phone(new_context, live_server, world):
    from tests.browser import assert_accessible, login
    from tests.factories import PASSWORD

    certificate = CertificateFactory(
        enrolment__cohort=world.cohort, enrolment__person=world.person_a
    )
    page = new_context(viewport={"width": 390, "height": 900}).new_page()
    login(page, live_server, world.alice.email, PASSWORD)
    page.goto(f"{live_server.url}/projects/{world.project.code}/certificates/{certificate.pk}/")

    assert page.get_by_role("link", name="Pasirašytas kredencialas (JWT)").is_visible()
    assert _fits(page)
    assert_accessible(page, "the certificate page at 390 px")
