"""Writes of the api app: creating and revoking personal API tokens (both audited)."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kvalis.api.models import ApiToken
from kvalis.audit.services import audit_log

TOKEN_PREFIX = "kv_"
VISIBLE_CHARS = 10  # "kv_" and seven random characters, shown in the token list


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the raw token, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=raw[:VISIBLE_CHARS], token_hash=hash_token(raw))
    token.full_clean()
    token.save()
    audit_log(
        actor=user,
        action="api.token_create",
        obj=token,
        summary=_("API token “%(name)s” created") % {"name": name},
        data={"prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke `token` (idempotent: a revoked token stays revoked at its first date)."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.full_clean()
    token.save(update_fields=["revoked_at"])
    audit_log(
        actor=actor,
        action="api.token_revoke",
        obj=token,
        summary=_("API token “%(name)s” revoked") % {"name": token.name},
        data={"prefix": token.prefix},
    )
    return token
