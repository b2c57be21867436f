"""The kit's own key pairs: the LTI 1.3 tool's (the public keyset, JWKS, the LMS checks the kit's signed requests
against, made from the private key file named in the profile's `lti.services`) and the badge issuer's (made once
per course root, which signs Open Badges 3.0 credentials). pylti1p3 (jwcrypto) writes each JWK, with its RFC 7638
thumbprint as key id, the same id it puts on what it signs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.registration import Registration


def public_pem(private_key: str | Path) -> str:
    """The public half of the tool's private key file, in PEM (what LMSs that ask for 'a public key' take)."""
    key = serialization.load_pem_private_key(Path(private_key).read_bytes(), password=None)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return public.decode()


def public_jwk(private_key: str | Path) -> dict[str, Any]:
    """The public half of a private key file as a JWK (RS256, for signatures), its thumbprint as `kid`."""
    return dict(Registration.get_jwk(public_pem(private_key)))


def tool_jwks(private_key: str | Path) -> dict[str, Any]:
    """The tool's public keyset for its private key file: the LMS is given it, or the hub's address serving it."""
    return {"keys": [public_jwk(private_key)]}


def kept_private_key(path: str | Path) -> Path:
    """The RSA private key at `path`, made there on first use (2048 bits, PEM, readable by its owner only) and
    reused ever after: what it signed stays verifiable only while the same key stays published."""
    path = Path(path)
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
    return path
