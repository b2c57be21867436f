"""The kit's client of an LMS's LTI Advantage services, shared by grade passback and the roster import.

pylti1p3 does the LTI work (the OAuth 2 client-credentials grant with a JWT assertion signed by the tool's key, the
services' media types and paging); this module gives it an HTTP session with retries, backoff and a timeout, a fresh
token when the LMS stops taking one, errors in one readable line, and the course's members (Names and Role
Provisioning) as plain records.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

import requests
from pylti1p3.exception import LtiServiceException
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.registration import Registration
from pylti1p3.service_connector import ServiceConnector
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from graders.course.lti_key import public_pem
from simulations.profile.org import LtiServices, OrgProfile, load_org

RETRIED = (429, 500, 502, 503, 504)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


class LmsError(RuntimeError):
    """The LMS could not be reached or refused the kit: a run that cannot go on, said in one line."""


class Member(TypedDict):
    """One member of the LMS course, as Names and Role Provisioning gives it."""

    user_id: str
    email: str  # lower case; empty when the LMS does not share it
    name: str
    roles: list[str]
    status: str  # Active, Inactive or Deleted


def lms_services(org: str | Path, needed_for: str, error: type[LmsError]) -> tuple[OrgProfile, LtiServices]:
    """The organisation's profile and its LMS's services, or `error` saying the profile lacks them."""
    profile = load_org(org)
    services = profile.lti.services if profile.lti else None
    if services is None:
        raise error(f"{org}: lti.services: required {needed_for} (see docs/guides/lms.md)")
    return profile, services


def service_session(retries: int, backoff: float, timeout: float) -> requests.Session:
    """HTTP with retries and exponential backoff for every method (a score or line item posted twice is harmless:
    AGS keeps the latest score per user; one lost to a passing 500 is not), and a timeout on every request."""
    retry = Retry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=RETRIED,
        allowed_methods=None,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    session.headers["User-Agent"] = "smtk"
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    request = session.request

    def bounded(method, url, **kwargs):  # requests has no session-wide timeout: a silent LMS fails, not hangs
        kwargs.setdefault("timeout", timeout)
        return request(method, url, **kwargs)

    session.request = bounded  # type: ignore[method-assign]
    return session


class Connector(ServiceConnector):
    """pylti1p3's connector, which keeps each access token for the whole run: a token the LMS no longer takes (it
    lapsed in a long run, or the LMS was restarted) answers 401, and the request is made once more with a new one."""

    def make_service_request(self, *args: Any, **kwargs: Any):
        try:
            return super().make_service_request(*args, **kwargs)
        except LtiServiceException as exc:
            if exc.response.status_code != 401:
                raise
            self._access_tokens.clear()
            return super().make_service_request(*args, **kwargs)


def service_connector(services: LtiServices, issuer: str, session: requests.Session) -> ServiceConnector:
    """The connector for one LMS course's services, signing with the tool's private key."""
    private = Path(services.private_key).read_text(encoding="utf-8")
    registration = (
        Registration()
        .set_issuer(issuer)
        .set_client_id(services.client_id)
        .set_auth_token_url(services.token_url)
        .set_tool_private_key(private)
        .set_tool_public_key(public_pem(services.private_key))
    )
    if services.token_audience:
        registration.set_auth_audience(services.token_audience)
    return Connector(registration, session)


def refusal(exc: LtiServiceException) -> str:
    """The LMS's answer in a line: its status and its OAuth error (RFC 6749) or body."""
    response = exc.response
    try:
        body = response.json()
        said = ": ".join(str(body[k]) for k in ("error", "error_description") if k in body) or response.text
    except ValueError:
        said = response.text
    return f"HTTP {response.status_code} from {response.url}: {said.strip()[:300]}"


def course_members(connector: ServiceConnector, services: LtiServices) -> list[Member]:
    """Every member of the LMS course, all pages, in the LMS's order."""
    nrps = NamesRolesProvisioningService(connector, {"context_memberships_url": services.memberships_url})
    try:
        members = nrps.get_members()
    except LtiServiceException as exc:
        raise LmsError(f"the LMS refused to list the course's members: {refusal(exc)}") from None
    except requests.RequestException as exc:
        raise LmsError(f"the LMS could not be reached at {services.memberships_url}: {exc}") from None
    return [
        Member(
            user_id=str(m.get("user_id") or ""),
            email=str(m.get("email") or "").strip().lower(),
            name=str(m.get("name") or " ".join(str(m.get(k) or "") for k in ("given_name", "family_name")).strip()),
            roles=[str(r) for r in m.get("roles") or []],
            status=str(m.get("status") or "Active"),
        )
        for m in members
        if m.get("user_id")
    ]
