"""Issuer keys: Ed25519 pairs, the private half encrypted at rest.

The encryption key comes from the `CREDENTIALS_KEY` setting (derived from SECRET_KEY when it is
not set, which suits development only): HKDF-SHA256 turns it into an AES-256-GCM key, and each
private key is sealed with a fresh nonce and bound to its issuer and key number (the associated
data), so a sealed blob copied onto another key's row does not open. A database dump alone
therefore never yields a signing key.

Changing CREDENTIALS_KEY makes the stored private keys unreadable: then give every issuer a new
key (`kvalis rotate_issuer_key`, which needs only the public half of the old one, still published
so that what it signed keeps verifying).
"""

import base64
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_NONCE_BYTES = 12
_VERSION = b"\x01"  # the first byte of a sealed key: which scheme sealed it


def _wrapping_key() -> bytes:
    secret = settings.CREDENTIALS_KEY.encode()
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"kvalis.credentials.issuer-key"
    ).derive(secret)


def _associated_data(public_id, number: int) -> bytes:
    return f"kvalis issuer {public_id} key {number}".encode()


def new_key_pair() -> tuple[Ed25519PrivateKey, bytes]:
    """A fresh private key and its raw 32-byte public key."""
    private = Ed25519PrivateKey.generate()
    return private, public_bytes(private.public_key())


def public_bytes(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_bytes(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def encrypt_private_key(private: Ed25519PrivateKey, *, public_id, number: int) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_wrapping_key()).encrypt(
        nonce, private_bytes(private), _associated_data(public_id, number)
    )
    return _VERSION + nonce + sealed


def decrypt_private_key(blob: bytes, *, public_id, number: int) -> Ed25519PrivateKey:
    blob = bytes(blob)
    if blob[:1] != _VERSION:
        raise ValueError("Unknown sealed key format")
    nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    raw = AESGCM(_wrapping_key()).decrypt(nonce, sealed, _associated_data(public_id, number))
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes(raw))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(raw: bytes) -> dict:
    """The public key as a JWK (RFC 8037: OKP, Ed25519), as the DID document publishes it."""
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(bytes(raw))}
