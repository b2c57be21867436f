"""Open Badges 3.0 from `smtk certify`, checked the way a wallet or an LMS checks them: the issuer's did:web document
and the status list fetched over real HTTPS from a loopback server hosting the export, each VC-JWT verified with
PyJWT (joserfc signed it), each credential validated against 1EdTech's OB 3.0 schema. Dates are pinned."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import gzip
import ipaddress
import json
import shutil
import ssl
import subprocess
import sys
import threading
import urllib.request
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import jwt
import pandas as pd
import pytest
from conftest import SUBMITTED_AT
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from graders.course.certification import load_rules
from graders.results.certify import certify
from graders.results.tiers import add_months
from simulations.common.datafiles import DataError

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "ob_v3p0_achievementcredential_schema.json").read_text())
ISSUED = SUBMITTED_AT.date()  # ada's certificate: issued on the day of her graded submission
BEFORE_EXPIRY = ISSUED + dt.timedelta(days=30)


@dataclass
class Site:
    """The export folder hosted over HTTPS on loopback, as a company would publish it; `tls` trusts its certificate."""

    root: Path
    url: str
    tls: ssl.SSLContext

    def get(self, url: str) -> bytes:
        with urllib.request.urlopen(url, context=self.tls, timeout=10) as response:
            return response.read()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (valid around the real clock, which TLS checks; no assertion depends on it)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "site.crt", folder / "site.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    cert, key = self_signed(tmp_path_factory.mktemp("tls"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(root, f"https://127.0.0.1:{server.server_address[1]}", ssl.create_default_context(cafile=cert))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture()
def course(graded_course, tmp_path) -> Path:
    """A copy of the graded course of this test's own, without any issuer key or status book another test's run of
    certify left in the shared one: revocations and the status book live in the course root."""
    return Path(shutil.copytree(graded_course, tmp_path / "course", ignore=shutil.ignore_patterns("credentials")))


def issue(course: Path, site: Site, name: str, today: dt.date, **options):
    """`smtk certify` into the hosted folder `name`, its badges published at <site>/<name>/badges."""
    return certify(course, site.root / name, today=today, base_url=f"{site.url}/{name}/badges", **options)


def resolve(site: Site, did: str) -> dict:
    """did:web resolution (W3C did:web method): host and port, then path segments, to an HTTPS URL of did.json."""
    assert did.startswith("did:web:")
    host, *path = [unquote(part) for part in did.removeprefix("did:web:").split(":")]
    url = f"https://{host}/" + ("/".join(path) + "/did.json" if path else ".well-known/did.json")
    document = json.loads(site.get(url))
    assert document["id"] == did
    return document


def verify(site: Site, token: str, at: dt.datetime) -> dict:
    """OB 3.0's VC-JWT verification: the key from the `kid` dereferenced through the issuer's DID document, the
    RS256 signature checked by PyJWT, then every registered claim compared with the credential it mirrors."""
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header.get("typ", "JWT") == "JWT" and set(header) <= {"alg", "kid", "typ"}
    document = resolve(site, header["kid"].split("#")[0])
    assert header["kid"] in document["assertionMethod"]
    (method,) = [m for m in document["verificationMethod"] if m["id"] == header["kid"]]
    assert "d" not in method["publicKeyJwk"], "a private key in the DID document"
    key = jwt.PyJWK(method["publicKeyJwk"], algorithm="RS256").key
    # the dates are checked below against the pinned instant, not against today's clock
    claims = jwt.decode(token, key, algorithms=["RS256"], options={"verify_exp": False, "verify_nbf": False})
    issuer = claims["issuer"]["id"] if isinstance(claims["issuer"], dict) else claims["issuer"]
    assert claims["iss"] == issuer == document["id"]
    assert claims["jti"] == claims["id"] and claims["sub"] == claims["credentialSubject"]["id"]
    assert claims["nbf"] == _seconds(claims["validFrom"]) <= at.timestamp()
    if "validUntil" in claims:
        assert claims["exp"] == _seconds(claims["validUntil"])
        assert at.timestamp() < claims["exp"], "expired"
    return claims


def revoked(site: Site, entry: dict, at: dt.datetime) -> bool:
    """The credential's bit in its Bitstring Status List, fetched and verified like the credential itself."""
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    listed = verify(site, site.get(entry["statusListCredential"]).decode().strip(), at)
    assert "BitstringStatusListCredential" in listed["type"] and listed["id"] == entry["statusListCredential"]
    subject = listed["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u"), "multibase base64url"
    encoded = subject["encodedList"][1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert len(bits) * 8 >= 131_072, "shorter than the specification's minimum (herd privacy)"
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), dt.UTC)


def _seconds(instant: str) -> int:
    return int(dt.datetime.fromisoformat(instant.replace("Z", "+00:00")).timestamp())


def credentials(out: Path) -> dict[str, str]:
    return {p.stem: p.read_text().strip() for p in sorted((out / "badges" / "credentials").glob("*.jwt"))}


def test_every_credential_verifies_validates_and_links_to_its_assertion(course, site):
    result = issue(course, site, "fresh", BEFORE_EXPIRY)
    out = site.root / "fresh"
    issued = credentials(out)
    assertions = {p.stem: json.loads(p.read_text()) for p in (out / "badges" / "assertions").glob("*.json")}
    assert set(issued) == set(assertions) == set(result.certificates["verification_id"]) and issued
    assert (result.credentials, result.withdrawn) == (len(issued), 0)
    issuer_v2 = json.loads((out / "badges" / "issuer.json").read_text())
    validator = jsonschema.Draft201909Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    for verification_id, token in issued.items():
        claims = verify(site, token, noon(BEFORE_EXPIRY))
        validator.validate(claims)
        assert "OpenBadgeCredential" in claims["type"] and claims["id"] == f"urn:uuid:{verification_id}"
        # linked to the 2.0 assertion of the same certificate, which the same site serves
        (evidence,) = claims["evidence"]
        hosted = json.loads(site.get(evidence["id"]))
        assert hosted == assertions[verification_id] and hosted["id"] == evidence["id"]
        assert claims["credentialSubject"]["identifier"][0]["identityHash"] == hosted["recipient"]["identity"]
        achievement = claims["credentialSubject"]["achievement"]
        assert [r["id"] for r in achievement["related"]] == [hosted["badge"]]
        assert json.loads(site.get(achievement["id"]))["id"] == achievement["id"]
        assert claims["issuer"]["otherIdentifier"][0]["identifier"] == issuer_v2["id"]
        assert claims["validFrom"].startswith(ISSUED.isoformat())
        assert not revoked(site, claims["credentialStatus"], noon(BEFORE_EXPIRY))
    # the signing key stays in the course root, owner-only; nothing private is published
    key = course / "credentials" / "issuer-key.pem"
    assert key.stat().st_mode & 0o777 == 0o600 and b"PRIVATE KEY" in key.read_bytes()
    published = [p for p in out.rglob("*") if p.is_file() and p.suffix != ".pdf"]
    assert not [p for p in published if b"PRIVATE KEY" in p.read_bytes()]


def test_a_rerun_keeps_the_key_and_what_was_issued(course, site):
    issue(course, site, "again", BEFORE_EXPIRY)
    out = site.root / "again"
    first, did = credentials(out), (out / "badges" / "did.json").read_text()
    (out / "badges" / "credentials").rename(out / "issued-before")
    issue(course, site, "again", BEFORE_EXPIRY)  # a fresh export folder from the same course root
    assert credentials(out) == first, "the same key, status index and dates sign the same credential"
    assert (out / "badges" / "did.json").read_text() == did


def test_a_lapsed_certificate_shows_as_revoked(course, site, graded_course):
    issue(course, site, "lapse", BEFORE_EXPIRY)
    out = site.root / "lapse"
    (token,) = credentials(out).values()
    entry = verify(site, token, noon(BEFORE_EXPIRY))["credentialStatus"]
    assert not revoked(site, entry, noon(BEFORE_EXPIRY))
    expires = add_months(ISSUED, load_rules(graded_course / "course.yml").valid_months)
    result = issue(course, site, "lapse", expires)  # re-certification due: the certificate lapses that day
    assert credentials(out) == {result.certificates.iloc[0]["verification_id"]: token}, "kept as issued"
    assert result.withdrawn == 1
    assert revoked(site, entry, noon(expires))
    with pytest.raises(AssertionError, match="expired"):  # its own validUntil says so too, to a verifier that checks
        verify(site, token, noon(expires))
    book = pd.read_csv(course / "credentials" / "status.csv")
    assert book["why"].tolist() == ["lapsed: re-certification due"]


def smtk(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "smtk"
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=300)


def test_a_revoked_certificate_shows_as_revoked(course, site):
    base = f"{site.url}/revoke/badges"
    out = site.root / "revoke"
    common = ("certify", "--course", str(course), "--out", str(out), "--base-url", base)
    assert smtk(*common, "--today", BEFORE_EXPIRY.isoformat()).returncode == 0
    (token,) = credentials(out).values()
    at = noon(BEFORE_EXPIRY + dt.timedelta(days=1))
    entry = verify(site, token, at)["credentialStatus"]
    assert not revoked(site, entry, at)

    # bob holds no certificate: refused, nothing recorded
    refused = smtk(*common, "--today", at.date().isoformat(), "--revoke", "bob:employees")
    assert refused.returncode == 2 and "bob holds no certificate for the track 'employees'" in refused.stderr
    assert not (course / "credentials" / "revocations.csv").exists()

    done = smtk(*common, "--today", at.date().isoformat(), "--revoke", "ada:employees", "--reason", "shared a login")
    assert done.returncode == 0, done.stderr
    assert "1 revoked or lapsed in the status list" in done.stdout
    assert list(credentials(out).values()) == [token], "kept as issued"
    assert revoked(site, entry, at)
    (assertion,) = (out / "badges" / "assertions").glob("*.json")
    hosted = json.loads(site.get(f"{base}/assertions/{assertion.name}"))
    assert hosted["revoked"] is True and hosted["revocationReason"] == "shared a login"
    rows = pd.read_csv(course / "credentials" / "revocations.csv")
    assert rows[["learner", "track", "revoked_on"]].values.tolist() == [["ada", "employees", at.date().isoformat()]]

    # a later run without --revoke keeps the revocation
    assert smtk(*common, "--today", (at.date() + dt.timedelta(days=1)).isoformat()).returncode == 0
    assert revoked(site, entry, at + dt.timedelta(days=1))


def test_a_tampered_credential_fails_verification(course, site):
    issue(course, site, "tamper", BEFORE_EXPIRY)
    (token,) = credentials(site.root / "tamper").values()
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    at = raw.index(b'"', raw.index(b'"name":') + len(b'"name":')) + 1  # the credential name's first letter
    raw[at] = ord("X") if raw[at] != ord("X") else ord("Y")  # one byte of the payload
    forged = ".".join([header, base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode(), signature])
    with pytest.raises(jwt.InvalidSignatureError, match="Signature verification failed"):
        verify(site, forged, noon(BEFORE_EXPIRY))
    assert verify(site, token, noon(BEFORE_EXPIRY))["id"]  # the untouched one still verifies


def test_bad_revocations_file_is_named_by_line_and_field(course, site):
    path = course / "credentials" / "revocations.csv"
    path.parent.mkdir()
    path.write_text("learner,track,revoked_on,reason\nada,employees,2024-03-01,\nada,employees,first of March,\n")
    with pytest.raises(DataError, match=r"revocations\.csv:3: revoked_on: not a date"):
        issue(course, site, "bad", BEFORE_EXPIRY)
    assert path.read_text().count("\n") == 3, "nothing lost"
