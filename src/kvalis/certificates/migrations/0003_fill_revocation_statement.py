"""Existing revocations get a public statement. Their reasons were written for the public page
but may say more than the public should read; nothing in them can be mapped to a statement
safely, so revoked certificates get the neutral "withdrawn by the issuer" and replaced ones
"replaced by a new certificate". The reasons stay, now internal."""

from django.db import migrations


def fill(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    unstated = Certificate.objects.filter(revocation_statement="")
    unstated.filter(status="revoked").update(revocation_statement="withdrawn")
    unstated.filter(status="replaced").update(revocation_statement="replaced")


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0002_revocation_public_statement"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
