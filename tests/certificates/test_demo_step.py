"""The demo's certificates step: issuers, numbers from UVB-2014-0001, one revoked and reissued,
the participant login holding a valid certificate; a second run changes nothing."""

from io import StringIO

from kvalis.certificates.models import Certificate, CertificateIssuer, CertificateStatus
from kvalis.demo.steps import attendance, certificates, core, enrolment
from kvalis.demo.steps.core import LOGINS


def test_demo_certificates_step(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for step in (core, enrolment, attendance, certificates):
        step.load(stdout=StringIO())
    assert set(CertificateIssuer.objects.values_list("prefix", flat=True)) == {"UVB", "USC"}
    uvb = list(
        Certificate.objects.filter(prefix="UVB")
        .order_by("sequence")
        .values_list("number", flat=True)
    )
    assert uvb[0] == "UVB-2014-0001"
    assert uvb == [f"UVB-2014-{n:04d}" for n in range(1, len(uvb) + 1)]
    replaced = Certificate.objects.get(status=CertificateStatus.REPLACED)
    assert replaced.revoked_reason and replaced.replaced_by.status == CertificateStatus.VALID
    participant = LOGINS["participant"][0]
    assert Certificate.objects.filter(
        person__user__email=participant, status=CertificateStatus.VALID
    ).exists()
    count = Certificate.objects.count()
    certificates.load(stdout=StringIO())
    assert Certificate.objects.count() == count
