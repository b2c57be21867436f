"""The kit's own key pair as an LTI 1.3 tool: the public keyset (JWKS) the LMS checks the kit's signed requests
against, made from the private key file named in the profile's `lti.services`. pylti1p3 (jwcrypto) writes the JWK,
with its RFC 7638 thumbprint as key id, the same id it puts on what it signs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from pylti1p3.registration import Registration


def public_pem(private_key: str | Path) -> str:
    """The public half of the tool's private key file, in PEM (what LMSs that ask for 'a public key' take)."""
    key = serialization.load_pem_private_key(Path(private_key).read_bytes(), password=None)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return public.decode()


def tool_jwks(private_key: str | Path) -> dict[str, Any]:
    """The tool's public keyset for its private key file: the LMS is given it, or the hub's address serving it."""
    return {"keys": [dict(Registration.get_jwk(public_pem(private_key)))]}
