"""Open Badges 3.0 beside 2.0: an OpenBadgeCredential per certificate, signed as a VC-JWT by an issuer published as
`did:web`, with revocation through a W3C Bitstring Status List.

Everything here is published under the same `base_url` as the 2.0 files: the DID document (`did.json`), each
credential (`credentials/<verification id>.jwt`), each Achievement, and the signed status list. The signing key and
the status-list bookkeeping stay in the course root (`credentials/`), never in what is published. joserfc signs.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import gzip
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

from graders.course.lti_key import kept_private_key, public_jwk
from simulations.common.datafiles import DataError

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"]
# The Bitstring Status List's minimum length: one list of 16 KB whatever the cohort's size, so that an index (chosen
# at random) tells a verifier nothing about who else holds a credential (the specification's herd privacy).
STATUS_BITS = 131_072
STATUS_LIST = "status/revocation.jwt"
KEY_FILE = "issuer-key.pem"
STATUS_FILE = "status.csv"
REVOCATIONS_FILE = "revocations.csv"
REVOCATION_FIELDS = ("learner", "track", "revoked_on", "reason")


@dataclass(frozen=True)
class Revocation:
    """A trainer's withdrawal of a learner's certificate for a track: every one issued on or before `revoked_on`."""

    learner: str
    track: str
    revoked_on: dt.date
    reason: str


def did_web(base_url: str) -> str:
    """The did:web identifier for the site at `base_url` (host, port percent-encoded, then the path's segments)."""
    parts = urlsplit(base_url)
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", quote(parts.netloc, safe=""), *segments])


def did_document_path(base_url: str) -> str:
    """Where the DID document goes under the published folder: did.json, or .well-known/did.json at a domain's root."""
    return "did.json" if urlsplit(base_url).path.strip("/") else ".well-known/did.json"


def did_document(did: str, key: dict[str, Any], also_known_as: str) -> dict[str, Any]:
    """The issuer's DID document: its public key (JWK, never the private half) for asserting credentials."""
    method = f"{did}#{key['kid']}"
    public = {k: key[k] for k in ("kty", "n", "e", "kid", "alg", "use")}
    return {
        "@context": DID_CONTEXT,
        "id": did,
        "alsoKnownAs": [also_known_as],
        "verificationMethod": [{"id": method, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": public}],
        "assertionMethod": [method],
    }


def achievement(
    base_url: str, slug: str, name: str, description: str, criteria: str, tags: list[str], badge_class: str
) -> dict[str, Any]:
    """The OB 3.0 Achievement for one track and tier, `related` to the 2.0 BadgeClass describing the same thing."""
    return {
        "id": f"{base_url}/achievements/{slug}.json",
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": name,
        "description": description,
        "criteria": {"narrative": criteria},
        "image": {"id": f"{base_url}/images/{slug}.png", "type": "Image"},
        "tag": tags,
        "related": [
            {
                "id": badge_class,
                "type": ["Related", "https://w3id.org/openbadges#BadgeClass"],
                "version": "Open Badges v2p0",
            }
        ],
    }


def issuer_profile(did: str, name: str, email: str, url: str, issuer_v2: str) -> dict[str, Any]:
    """The issuer as embedded in each credential: its did:web id, and the 2.0 issuer it also is."""
    return {
        "id": did,
        "type": ["Profile"],
        "name": name,
        "url": url,
        "email": email,
        "otherIdentifier": [{"type": "IdentifierEntry", "identifier": issuer_v2, "identifierType": "identifier"}],
    }


def credential(
    verification_id: str,
    issuer: dict[str, Any],
    award: dict[str, Any],
    identity: dict[str, Any],
    assertion_v2: str,
    issued: dt.date,
    expires: dt.date,
    status: dict[str, Any],
) -> dict[str, Any]:
    """One OpenBadgeCredential: the same certificate (and verification id) as the 2.0 assertion named as evidence."""
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{verification_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": award["name"],
        "issuer": issuer,
        "validFrom": _instant(issued),
        "validUntil": _instant(expires),
        "credentialSubject": {
            # a pseudonym per learner and issuer: the hashed email below is what a learner proves they hold
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, issuer['id'] + '/' + identity['identityHash'])}",
            "type": ["AchievementSubject"],
            "identifier": [identity],
            "achievement": award,
        },
        "evidence": [
            {
                "id": assertion_v2,
                "type": ["Evidence"],
                "name": "Open Badges 2.0 assertion of this certificate",
                "genre": "Open Badges v2p0",
            }
        ],
        "credentialSchema": [{"id": SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": status,
    }


def identity(hashed: str, salt: str) -> dict[str, Any]:
    """The learner as OB 3.0 names them: the same salted email hash as the 2.0 assertion's recipient."""
    return {
        "type": "IdentityObject",
        "identityHash": hashed,
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def status_entry(list_url: str, index: int) -> dict[str, Any]:
    """A credential's place in the revocation status list."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list(list_url: str, did: str, revoked: Iterable[int], today: dt.date) -> dict[str, Any]:
    """The BitstringStatusListCredential: bit `i` (counted from the left of the first byte) set when the credential
    at index `i` is revoked; GZIP-compressed and multibase base64url-encoded as the specification requires."""
    bits = bytearray(STATUS_BITS // 8)
    for index in revoked:
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=").decode()
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": _instant(today),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "u" + encoded,
        },
    }


class Signer:
    """The issuer's key, made once per course root and kept there: signs VC-JWTs whose `kid` is the DID URL of the
    key in the published DID document (OB 3.0: RS256, a `kid` or `jwk` header, `typ` JWT, no other header)."""

    def __init__(self, keys: Path, did: str) -> None:
        path = kept_private_key(keys / KEY_FILE)
        self.jwk = public_jwk(path)
        self.did = did
        self.kid = f"{did}#{self.jwk['kid']}"
        self._key = RSAKey.import_key(path.read_bytes())

    def sign(self, document: dict[str, Any]) -> str:
        """The Compact JWS of a credential: the credential itself as payload, with the registered claims OB 3.0
        requires mirroring it (iss, jti, sub, nbf, and exp when it has `validUntil`)."""
        issuer = document["issuer"]
        claims = {
            **document,
            "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
            "jti": document["id"],
            "sub": document["credentialSubject"]["id"],
            "nbf": _seconds(document["validFrom"]),
        }
        if "validUntil" in document:
            claims["exp"] = _seconds(document["validUntil"])
        return jwt.encode({"alg": "RS256", "kid": self.kid, "typ": "JWT"}, claims, self._key, algorithms=["RS256"])


@dataclass
class Status:
    """A credential's place in the status list, and since when and why its bit is set ("" while in force)."""

    index: int
    revoked_on: str = ""
    why: str = ""


def load_status(path: Path) -> dict[str, Status]:
    """The status list's book (CSV: verification_id,index,revoked_on,why), kept in the course root."""
    book: dict[str, Status] = {}
    if not path.exists():
        return book
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                index = int(row["index"])
            except (KeyError, TypeError, ValueError):
                raise DataError(path, "index", f"not a whole number: {row.get('index')!r}", line) from None
            if not 0 <= index < STATUS_BITS:
                raise DataError(path, "index", f"{index} is outside the list (0 to {STATUS_BITS - 1})", line)
            book[row["verification_id"]] = Status(index, row.get("revoked_on") or "", row.get("why") or "")
    return book


def allocate(book: dict[str, Status], verification_ids: Iterable[str]) -> None:
    """Give each new credential an index chosen at random among the free ones; known ones keep theirs for good."""
    taken = {s.index for s in book.values()}
    for verification in dict.fromkeys(verification_ids):
        if verification in book:
            continue
        index = secrets.randbelow(STATUS_BITS)
        while index in taken:
            index = secrets.randbelow(STATUS_BITS)
        taken.add(index)
        book[verification] = Status(index)


def save_status(path: Path, book: dict[str, Status]) -> None:
    """Write the book whole (through a temporary file, so a crash leaves the previous one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("verification_id", "index", "revoked_on", "why"))
        writer.writerows((v, s.index, s.revoked_on, s.why) for v, s in book.items())
    temporary.replace(path)


def load_revocations(path: Path) -> list[Revocation]:
    """The trainer's revocations (CSV: learner,track,revoked_on,reason); a bad row is named by file, line and field."""
    if not path.exists():
        return []
    found = []
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            for field in ("learner", "track", "revoked_on"):
                if not (row.get(field) or "").strip():
                    raise DataError(path, field, "missing", line)
            try:
                day = dt.date.fromisoformat(row["revoked_on"].strip())
            except ValueError:
                raise DataError(path, "revoked_on", f"not a date (YYYY-MM-DD): {row['revoked_on']!r}", line) from None
            found.append(
                Revocation(row["learner"].strip(), row["track"].strip(), day, (row.get("reason") or "").strip())
            )
    return found


def add_revocations(path: Path, revocations: list[Revocation]) -> None:
    """Append revocations to the course's file, keeping every one already there."""
    if not revocations:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if fresh:
            writer.writerow(REVOCATION_FIELDS)
        writer.writerows((r.learner, r.track, r.revoked_on.isoformat(), r.reason) for r in revocations)


def revoked_by(revocations: list[Revocation], learner: str, track: str, issued: dt.date) -> Revocation | None:
    """The revocation that withdraws this certificate, if any (one made on or after the day it was issued)."""
    return next((r for r in revocations if r.learner == learner and r.track == track and r.revoked_on >= issued), None)


def _instant(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _seconds(instant: str) -> int:
    return int(dt.datetime.fromisoformat(instant.replace("Z", "+00:00")).timestamp())
