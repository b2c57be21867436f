"""An organisation's profile (YAML): the facts a course is tailored to, validated on load."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from simulations.common.audiences import AUDIENCES, ROSTER_ROLES
from simulations.common.datafiles import DEMO_PROFILE
from simulations.common.facts import jurisdiction_list
from simulations.common.validate import Field, load_yaml
from simulations.common.vocabulary import CONTACT_ROLES, INDUSTRIES, PLATFORMS, RISK_APPETITES
from simulations.profile.partners import PartnerContact, PartnerRules, default_rules, parse_partner_rules

TRACKS = AUDIENCES
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Contact:
    """Who handles one kind of question or escalation, and how to reach them."""

    name: str
    email: str
    channel: str = ""


@dataclass(frozen=True)
class Audience:
    """How many people are in one audience and what an hour of their time costs (fully loaded)."""

    headcount: int
    hourly_wage: float


@dataclass(frozen=True)
class PolicyExcerpt:
    """One provision of the organisation's social-media policy, quoted to learners."""

    id: str
    title: str
    text: str


@dataclass(frozen=True)
class CurrentProgram:
    """Where the organisation's social-media program stands today: what the benchmarking app compares with peers."""

    training_spend_per_employee: float
    coverage: dict[str, float]
    certification_program: bool
    recurring_program: bool
    policy_in_place: bool
    coe: bool
    formal_triage: bool
    crises_per_year: float


@dataclass(frozen=True)
class LtiServices:
    """The LMS's LTI Advantage services for one course, used by `smtk grade passback`: where the kit gets an access
    token (OAuth 2 client credentials, with a JWT signed by the tool's private key), the course's Assignment and Grade
    Services line items and its Names and Role Provisioning members."""

    client_id: str
    token_url: str
    lineitems_url: str
    memberships_url: str
    private_key: str  # the path of the tool's RSA private key (PEM), absolute; the key never sits in the profile
    token_audience: str = ""  # the token's audience when the LMS wants other than token_url (Brightspace)


@dataclass(frozen=True)
class LtiPlatform:
    """The company's learning management system as an LTI 1.3 platform: what it told the kit when the kit was
    registered there as a tool. `smtk hub` lets people launch from it; the notebooks never see it."""

    issuer: str
    client_ids: tuple[str, ...]
    authorize_url: str
    jwks_url: str
    deployment_ids: tuple[str, ...] = ()  # empty: any deployment of the tool on this platform
    password_roles: tuple[str, ...] = ("trainer", "executive")  # roster roles that may still sign in with a password
    services: LtiServices | None = None  # grade passback; None: launches only


PROGRAM_FLAGS = ("certification_program", "recurring_program", "policy_in_place", "coe", "formal_triage")


@dataclass(frozen=True)
class OrgProfile:
    """Everything a course release is tailored to."""

    slug: str
    name: str
    industry: str
    currency: str
    products: tuple[str, ...]
    platforms: tuple[str, ...]
    regions: tuple[str, ...]
    risk_appetite: str
    tracks: tuple[str, ...]
    audiences: dict[str, Audience]
    contacts: dict[str, Contact]
    policy_title: str
    policy_url: str
    policy_excerpts: tuple[PolicyExcerpt, ...]
    partners: PartnerRules
    # Changes to the default crisis-triage policy (simulations/data/triage/policy.yaml), in its shape; None: none.
    triage_policy: dict | None = None
    current_program: CurrentProgram | None = None
    lti: LtiPlatform | None = None  # the hub's sign-in from the company's LMS, not course content
    # The jurisdictions whose legal facts the lessons show (US, EU, UK); global facts are shown to everyone.
    jurisdictions: tuple[str, ...] = ()

    def to_parameters(self) -> dict:
        """Plain JSON-able data for papermill to inject into a notebook's `parameters` cell as `ORG`."""
        data = asdict(self)
        del data["lti"]  # the hub's, not the learners': changing the LMS rebuilds no module
        return _plain(data)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def load_org(path: str | Path) -> OrgProfile:
    """Read and validate an organisation profile; raises DataError naming the file and the field."""
    path = Path(path)
    root = load_yaml(path)
    root.only(
        [
            "slug",
            "name",
            "industry",
            "currency",
            "products",
            "platforms",
            "regions",
            "jurisdictions",
            "risk_appetite",
            "tracks",
            "audiences",
            "contacts",
            "policy",
            "partners",
            "triage_policy",
            "current_program",
            "lti",
        ]
    )
    slug = root.get("slug", path.stem).str()
    if not _SLUG.match(slug):
        root.get("slug", slug).fail(f"expected lower-case letters, digits and dashes, got {slug!r}")
    tracks = _unique(root.get("tracks", list(TRACKS)), TRACKS, min_len=1)
    audiences = {}
    aud_field = root.get("audiences")
    aud_field.only(TRACKS)
    for track in TRACKS:
        a = aud_field.get(track)
        a.only(["headcount", "hourly_wage"])
        audiences[track] = Audience(a.get("headcount").int(min=0), a.get("hourly_wage").float(min=0))
    contacts = {}
    c_field = root.get("contacts")
    c_field.only(CONTACT_ROLES)
    for role in CONTACT_ROLES:
        c = c_field.get(role)
        c.only(["name", "email", "channel"])
        contacts[role] = Contact(c.get("name").str(), c.get("email").email(), c.get("channel", "").str(nonempty=False))
    policy = root.get("policy")
    policy.only(["title", "url", "excerpts"])
    excerpts = []
    for item in policy.get("excerpts").items(min_len=1):
        item.only(["id", "title", "text"])
        excerpts.append(PolicyExcerpt(item.get("id").str(), item.get("title").str(), item.get("text").str()))
    url = policy.get("url").url()
    if root.has("partners"):
        partners = parse_partner_rules(root.get("partners"), PLATFORMS)
    elif "partners" in tracks:
        root.get("partners", None).fail("required when the partners track is built: its modules teach these rules")
    else:
        coe = contacts["coe"]
        partners = default_rules(PartnerContact(coe.name, coe.email, coe.channel), url)
    return OrgProfile(
        slug=slug,
        name=root.get("name").str(),
        industry=root.get("industry").choice(INDUSTRIES),
        currency=root.get("currency", "USD").choice(("USD", "EUR", "GBP", "CHF", "CAD", "AUD", "JPY")),
        products=tuple(root.get("products").str_list(min_len=1)),
        platforms=_unique(root.get("platforms"), PLATFORMS, min_len=1),
        regions=tuple(root.get("regions").str_list(min_len=1)),
        jurisdictions=jurisdiction_list(root.get("jurisdictions", [])),
        risk_appetite=root.get("risk_appetite").choice(RISK_APPETITES),
        tracks=tracks,
        audiences=audiences,
        contacts=contacts,
        policy_title=policy.get("title").str(),
        policy_url=url,
        policy_excerpts=tuple(excerpts),
        partners=partners,
        triage_policy=_triage_policy(root),
        current_program=_current_program(root.get("current_program")) if root.has("current_program") else None,
        lti=_lti(root.get("lti")) if root.has("lti") else None,
    )


def _lti(f: Field) -> LtiPlatform:
    """The optional `lti` section: the LMS's issuer, the kit's client id(s) there, its OIDC and JWKS addresses."""
    f.only(["issuer", "client_id", "authorize_url", "jwks_url", "deployment_ids", "password_roles", "services"])
    client = f.get("client_id")
    client_ids = (client.str(),) if isinstance(client.value, str) else tuple(client.str_list(min_len=1))
    roles = f.get("password_roles", ["trainer", "executive"])
    services = _lti_services(f.get("services"), client_ids) if f.has("services") else None
    return LtiPlatform(
        issuer=f.get("issuer").url(),
        client_ids=client_ids,
        authorize_url=f.get("authorize_url").url(),
        jwks_url=f.get("jwks_url").url(),
        deployment_ids=tuple(f.get("deployment_ids", []).str_list()),
        password_roles=tuple(item.choice(ROSTER_ROLES) for item in roles.items()),
        services=services,
    )


def _lti_services(f: Field, client_ids: tuple[str, ...]) -> LtiServices:
    """The optional `lti.services` section: token, line items and members addresses and the tool's private key file
    (relative to the profile), which must hold an RSA private key in PEM."""
    f.only(["client_id", "token_url", "lineitems_url", "memberships_url", "private_key", "token_audience"])
    if f.has("client_id"):
        client_id = f.get("client_id").choice(client_ids)
    elif len(client_ids) > 1:
        f.get("client_id").fail(f"required when lti.client_id lists several: one of {', '.join(client_ids)}")
    else:
        client_id = client_ids[0]
    key_field = f.get("private_key")
    key_path = (f.path.parent / key_field.str()).resolve()
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except OSError as exc:
        key_field.fail(f"cannot read the tool's private key {str(key_path)!r} ({exc.strerror or exc})")
    except (ValueError, TypeError) as exc:
        key_field.fail(f"{str(key_path)!r} is not an unencrypted private key in PEM ({exc})")
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        key_field.fail(f"{str(key_path)!r}: expected an RSA key of 2048 bits or more (LTI signs with RS256)")
    return LtiServices(
        client_id=client_id,
        token_url=f.get("token_url").url(),
        lineitems_url=f.get("lineitems_url").url(),
        memberships_url=f.get("memberships_url").url(),
        private_key=str(key_path),
        token_audience=f.get("token_audience").url() if f.has("token_audience") else "",
    )


def _current_program(f: Field) -> CurrentProgram:
    """The optional `current_program` section: today's spend, coverage of each audience, practices and crises."""
    f.only(["training_spend_per_employee", "coverage", "crises_per_year", *PROGRAM_FLAGS])
    coverage = f.get("coverage")
    coverage.only(TRACKS)
    return CurrentProgram(
        training_spend_per_employee=f.get("training_spend_per_employee").float(min=0),
        coverage={track: coverage.get(track).float(min=0, max=1) for track in TRACKS},
        crises_per_year=f.get("crises_per_year").float(min=0),
        **{flag: f.get(flag).bool() for flag in PROGRAM_FLAGS},
    )


def _triage_policy(root: Field) -> dict | None:
    """The profile's triage policy overrides, checked by merging them onto the default policy (errors name the file)."""
    if not root.has("triage_policy") or root.get("triage_policy").value is None:
        return None
    from simulations.triage.policy_file import load_policy  # the triage engine reads contact roles from this module

    field = root.get("triage_policy")
    field.mapping()
    load_policy(overrides=field)
    return field.value


def _unique(field: Field, allowed: tuple[str, ...], *, min_len: int) -> tuple[str, ...]:
    values = []
    for item in field.items(min_len=min_len):
        value = item.choice(allowed)
        if value in values:
            item.fail(f"{value!r} is listed twice")
        values.append(value)
    return tuple(values)


ORG_VARIABLE = "SMTK_ORG"


def dashboard_org() -> dict:
    """The organisation the executive apps show: the profile named by $SMTK_ORG (`smtk dashboards --org`), else the
    demo one, as the same plain parameters a tailored notebook receives."""
    return load_org(os.environ.get(ORG_VARIABLE) or DEMO_PROFILE).to_parameters()


# The file `smtk tailor` writes beside each tailored notebook: the profile as `to_parameters` gives it, in JSON.
PROFILE_FILE = "org.json"


def org_parameters(injected: dict | str | None) -> dict:
    """The `ORG` dict a notebook works with.

    A tailored notebook gets the name of the profile file beside it (`ORG = "org.json"`, read from the kernel's
    working folder, which is the notebook's in JupyterLab, papermill, nbgrader and the grading sandbox); courses built
    before that got the whole profile as a dict, which is returned as it is. Untailored, the demo profile.
    """
    if isinstance(injected, str):
        path = Path(injected)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise FileNotFoundError(
                f"{injected}, your organisation's profile, is missing from this notebook's folder "
                f"({Path.cwd()}); it comes with the module: ask your trainer for the module's folder as released"
            ) from None
        return json.loads(text)
    return injected if injected else load_org(DEMO_PROFILE).to_parameters()
