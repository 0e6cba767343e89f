import uuid

from django.core.management.base import BaseCommand, CommandError

from kvalis.credentials import services
from kvalis.credentials.models import IssuerIdentity
from kvalis.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "Give a certificate-issuing organisation a new signing key. The old key is retired but "
        "stays in its DID document, so what it signed keeps verifying."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "organisation",
            help="the organisation's id, its company code, or its issuer public id (a UUID)",
        )

    def handle(self, *args, organisation: str, **options):
        found = self._organisation(organisation.strip())
        key = services.issuer_key_rotate(organisation=found, actor=None)
        self.stdout.write(f"{found}: {services.kid_for(key)}")

    def _organisation(self, text: str) -> Organisation:
        try:
            public_id = uuid.UUID(text)
        except ValueError:
            public_id = None
        if public_id is not None:
            identity = IssuerIdentity.objects.filter(public_id=public_id).first()
            if identity is not None:
                return identity.organisation
        by_code = Organisation.objects.filter(company_code=text).first() if text else None
        if by_code is not None:
            return by_code
        if text.isdigit():
            by_id = Organisation.objects.filter(pk=int(text)).first()
            if by_id is not None:
                return by_id
        raise CommandError(f"No organisation {text!r} (give its id, company code or issuer id).")
