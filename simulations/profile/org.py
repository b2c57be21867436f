"""An organisation's profile (YAML): the facts a course is tailored to, validated on load."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
    create_model,
    model_validator,
)
from pydantic import Field as PydanticField

from simulations.common.audiences import AUDIENCES
from simulations.common.datafiles import DEMO_PROFILE
from simulations.common.models import (
    SLUG,
    Amount,
    Count,
    Currency,
    Email,
    FileModel,
    Flag,
    Jurisdictions,
    Money,
    OptionalText,
    Platforms,
    RosterRole,
    Share,
    Slug,
    Text,
    WebAddress,
    choice,
    invalid,
    items,
    json_schema,
    keyed,
    load_model,
    show,
    unique_choices,
)
from simulations.common.vocabulary import CONTACT_ROLES, INDUSTRIES, RISK_APPETITES
from simulations.library.gate import LibraryRules
from simulations.profile.partners import PartnerContact, PartnerRules, PartnersModel, default_rules
from simulations.triage.policy_file import PolicyEdit

TRACKS = AUDIENCES


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


@dataclass(frozen=True)
class Cmi5Lms:
    """The company's LMS as a cmi5 LMS: the addresses its launches may name. The hub takes a cmi5 launch only when
    the launch's record store (endpoint) and fetch URL are under one of them, so a link made elsewhere cannot make
    the hub send a learner's grades to another server."""

    lms_urls: tuple[str, ...]


@dataclass(frozen=True)
class AiUse:
    """The organisation's rule for AI tools at work, taught in the policy lesson: the tools employees may use, what
    never goes into any AI tool, and when a post made with AI carries a label (and the label's words)."""

    tools: tuple[str, ...]
    never_input: tuple[str, ...]
    label: str
    label_when: str


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
    cmi5: Cmi5Lms | None = None  # the LMS whose cmi5 launches the hub takes, not course content
    # The jurisdictions whose legal facts the lessons show (US, EU, UK); global facts are shown to everyone.
    jurisdictions: tuple[str, ...] = ()
    ai_use: AiUse | None = None  # the rule for AI tools at work; None: the policy lesson teaches the course's default
    library: LibraryRules = LibraryRules()  # the library's rules (anonymous posts, language), not course content

    def to_parameters(self) -> dict:
        """Plain JSON-able data for papermill to inject into a notebook's `parameters` cell as `ORG`."""
        data = asdict(self)
        del data["lti"], data["cmi5"]  # the hub's, not the learners': changing the LMS rebuilds no module
        del data["library"]  # the library app's: changing its rules rebuilds no module
        return _plain(data)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _by_track(name: str, item: Any, description: str) -> type[FileModel]:
    """A mapping with one field per track (audience), each an `item`."""
    return keyed(name, TRACKS, item, description)


class AudienceModel(FileModel):
    headcount: Count = PydanticField(description="how many people are in this audience")
    hourly_wage: Money = PydanticField(description="what an hour of their time costs, fully loaded")


class ContactModel(FileModel):
    name: Text = PydanticField(description="the team or person")
    email: Email
    channel: OptionalText = PydanticField("", description="another way to reach them: chat channel, phone")


class ExcerptModel(FileModel):
    id: Text
    title: Text
    text: Text = PydanticField(description="the provision, quoted to learners")


class PolicyModel(FileModel):
    title: Text = PydanticField(description="the social media policy's title")
    url: WebAddress = PydanticField(description="where employees read the whole policy")
    excerpts: items(ExcerptModel, min_len=1) = PydanticField(description="the provisions the lessons quote")


AudiencesModel = _by_track("AudiencesModel", AudienceModel, "headcount and hourly cost of the audience")
CoverageModel = _by_track("CoverageModel", Share, "share of the audience trained today")
ContactsModel = create_model(
    "ContactsModel",
    __base__=FileModel,
    **{role: (ContactModel, PydanticField(description=f"whom to ask: {role}")) for role in CONTACT_ROLES},
)


class CurrentProgramModel(FileModel):
    """Where the social-media program stands today: what the benchmarking app compares with peers."""

    training_spend_per_employee: Money = PydanticField(description="training spend per employee a year")
    coverage: CoverageModel
    certification_program: Flag
    recurring_program: Flag
    policy_in_place: Flag
    coe: Flag = PydanticField(description="whether a Center of Excellence runs the program")
    formal_triage: Flag
    crises_per_year: Amount = PydanticField(description="social media crises a year (Altimeter's levels 1 to 3)")

    def program(self) -> CurrentProgram:
        return CurrentProgram(
            self.training_spend_per_employee,
            self.coverage.model_dump(by_alias=True),
            **{f: getattr(self, f) for f in PROGRAM_FLAGS},
            crises_per_year=self.crises_per_year,
        )


class AiUseModel(FileModel):
    """The organisation's rule for AI tools at work: which tools, what never goes in, when AI-made posts say so."""

    tools: items(Text, min_len=1, unique=True) = PydanticField(
        description="the AI tools employees may use for work, by the names they know them by"
    )
    never_input: items(Text, min_len=2, unique=True) = PydanticField(
        description="what never goes into an AI tool, an approved one included"
    )
    label: Text = PydanticField(description="the words that label a post made with AI, e.g. 'Made with AI'")
    label_when: Text = PydanticField(
        description="when a post carries the label, as the words after 'a post carries the label when'"
    )

    def rule(self) -> AiUse:
        return AiUse(tuple(self.tools), tuple(self.never_input), self.label, self.label_when)


class LibraryRulesModel(FileModel):
    """The organisation's rules for the library app: posts without a name, and the language it does not accept."""

    anonymous_posts: Flag = PydanticField(
        False,
        description="whether learners may post notes and questions without their name shown to colleagues (the "
        "Center of Excellence always sees who wrote them)",
    )
    unacceptable_words: items(Text, unique=True) = PydanticField(
        [], description="words the library refuses in any text (matched as whole words, in any case)"
    )
    language_rule: OptionalText = PydanticField(
        "", description="the language rule as a writer reads it when a text is refused, e.g. 'Keep it civil: ...'"
    )

    def rules(self) -> LibraryRules:
        return LibraryRules(self.anonymous_posts, tuple(self.unacceptable_words), self.language_rule)


def _private_key(value: str, info: ValidationInfo) -> str:
    """The tool's RSA private key (PEM) file, relative to the profile: read to check it, its absolute path kept."""
    key_path = (Path(info.context["path"]).parent / value).resolve()
    try:
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except OSError as exc:
        raise invalid(f"cannot read the tool's private key {str(key_path)!r} ({exc.strerror or exc})") from None
    except (ValueError, TypeError) as exc:
        raise invalid(f"{str(key_path)!r} is not an unencrypted private key in PEM ({exc})") from None
    if not isinstance(key, rsa.RSAPrivateKey) or key.key_size < 2048:
        raise invalid(f"{str(key_path)!r}: expected an RSA key of 2048 bits or more (LTI signs with RS256)")
    return str(key_path)


class LtiServicesModel(FileModel):
    """The LMS's LTI Advantage services, for grade passback."""

    client_id: Text | None = PydanticField(
        None, description="which of lti.client_id signs; needed when it lists several"
    )
    token_url: WebAddress
    lineitems_url: WebAddress
    memberships_url: WebAddress
    private_key: Annotated[Text, AfterValidator(_private_key)] = PydanticField(
        description="the tool's RSA private key file (PEM), relative to the profile; never the key itself"
    )
    token_audience: WebAddress | None = PydanticField(None, description="when the LMS wants other than token_url")


class LtiModel(FileModel):
    """The company's LMS as an LTI 1.3 platform, for the hub's sign-in; not course content."""

    issuer: WebAddress
    client_id: Annotated[
        items(Text, min_len=1),
        BeforeValidator(lambda v: [v] if isinstance(v, str) else v),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
                ]
            }
        ),
    ] = PydanticField(description="the kit's client id(s) at the LMS: one, or a list")
    authorize_url: WebAddress
    jwks_url: WebAddress
    deployment_ids: items(Text) = PydanticField([], description="empty: any deployment of the tool")
    password_roles: items(RosterRole) = PydanticField(
        ["trainer", "executive"], description="roster roles that may still sign in with a password"
    )
    services: LtiServicesModel | None = None

    @model_validator(mode="after")
    def _one_client(self) -> LtiModel:
        ids = self.client_ids
        chosen = self.services.client_id if self.services else None
        if self.services and chosen is None and len(ids) > 1:
            raise invalid(
                f"required when lti.client_id lists several: one of {', '.join(ids)}", at="services.client_id"
            )
        if chosen is not None and chosen not in ids:
            raise invalid(f"expected one of {', '.join(ids)} (got {show(chosen)})", at="services.client_id")
        return self

    @property
    def client_ids(self) -> tuple[str, ...]:
        return tuple(self.client_id)

    def platform(self) -> LtiPlatform:
        services = None
        if self.services:
            s = self.services
            services = LtiServices(
                s.client_id or self.client_ids[0],
                s.token_url,
                s.lineitems_url,
                s.memberships_url,
                s.private_key,
                s.token_audience or "",
            )
        return LtiPlatform(
            self.issuer,
            self.client_ids,
            self.authorize_url,
            self.jwks_url,
            tuple(self.deployment_ids),
            tuple(self.password_roles),
            services,
        )


class Cmi5Model(FileModel):
    """The company's LMS as a cmi5 LMS, for the hub's cmi5 launches; not course content."""

    lms_urls: items(WebAddress, min_len=1) = PydanticField(
        description="the LMS's addresses: a cmi5 launch's endpoint and fetch URL must be under one of them"
    )

    def lms(self) -> Cmi5Lms:
        return Cmi5Lms(tuple(self.lms_urls))


def _triage_overrides(value: Any, handler: ValidatorFunctionWrapHandler) -> dict | None:
    """The profile's triage policy overrides, checked as a policy edit merged onto the default policy; the engines
    receive them as written."""
    handler(value)
    return value


class OrgFile(FileModel):
    """An organisation's profile: the facts a course release is tailored to (courses/orgs/*.yaml)."""

    slug: Slug | None = PydanticField(None, description="the organisation's short name; the file's name by default")
    name: Text = PydanticField(description="the organisation's name, as learners read it")
    industry: choice(INDUSTRIES)
    currency: Currency = "USD"
    products: items(Text, min_len=1) = PydanticField(description="products or services the lessons talk about")
    platforms: Platforms = PydanticField(description="the platforms the organisation is on")
    regions: items(Text, min_len=1)
    jurisdictions: Jurisdictions = []
    risk_appetite: choice(RISK_APPETITES)
    tracks: unique_choices(TRACKS, min_len=1) = PydanticField(
        list(TRACKS), description="the tracks (audiences) the course is built for"
    )
    audiences: AudiencesModel
    contacts: ContactsModel
    policy: PolicyModel
    partners: PartnersModel | None = PydanticField(
        None, description="what partners may do on social media; required when the partners track is built"
    )
    triage_policy: Annotated[PolicyEdit | None, WrapValidator(_triage_overrides)] = PydanticField(
        None, description="changes to the default crisis-triage policy, in its shape"
    )
    current_program: CurrentProgramModel | None = None
    ai_use: AiUseModel | None = PydanticField(
        None, description="the rule for AI tools at work, taught in the policy lesson; absent: the course's default"
    )
    library: LibraryRulesModel | None = PydanticField(
        None, description="the library's rules; absent: names always shown, only the kit's own checks"
    )
    lti: LtiModel | None = None
    cmi5: Cmi5Model | None = None

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> OrgFile:
        if self.partners is None and "partners" in self.tracks:
            raise invalid("required when the partners track is built: its modules teach these rules", at="partners")
        if self.slug is None and not SLUG.match(Path(info.context["path"]).stem):
            stem = Path(info.context["path"]).stem
            raise invalid(f"expected lower-case letters, digits and dashes, got {stem!r} (the file's name)", at="slug")
        return self

    def profile(self, path: Path) -> OrgProfile:
        """The profile as the engines receive it."""
        coe = self.contacts.coe
        contacts = {role: Contact(**c) for role, c in self.contacts.model_dump().items()}
        audiences = {track: Audience(**a) for track, a in self.audiences.model_dump(by_alias=True).items()}
        partners = (
            self.partners.rules()
            if self.partners
            else default_rules(PartnerContact(coe.name, coe.email, coe.channel), self.policy.url)
        )
        return OrgProfile(
            slug=self.slug or path.stem,
            name=self.name,
            industry=self.industry,
            currency=self.currency,
            products=tuple(self.products),
            platforms=tuple(self.platforms),
            regions=tuple(self.regions),
            risk_appetite=self.risk_appetite,
            tracks=tuple(self.tracks),
            audiences=audiences,
            contacts=contacts,
            policy_title=self.policy.title,
            policy_url=self.policy.url,
            policy_excerpts=tuple(PolicyExcerpt(e.id, e.title, e.text) for e in self.policy.excerpts),
            partners=partners,
            triage_policy=self.triage_policy,
            current_program=self.current_program.program() if self.current_program else None,
            lti=self.lti.platform() if self.lti else None,
            cmi5=self.cmi5.lms() if self.cmi5 else None,
            jurisdictions=tuple(self.jurisdictions),
            ai_use=self.ai_use.rule() if self.ai_use else None,
            library=self.library.rules() if self.library else LibraryRules(),
        )


def load_org(path: str | Path) -> OrgProfile:
    """Read and validate an organisation profile; raises DataErrors naming the file, line, column and field of every
    problem."""
    path = Path(path)
    return load_model(path, OrgFile).profile(path)


def org_schema() -> dict:
    """The JSON Schema of an organisation profile, for editors."""
    return json_schema(OrgFile, "Organisation profile", "What the Social Media Training Kit tailors a course to.")


ORG_VARIABLE = "SMTK_ORG"


def dashboard_profile() -> OrgProfile:
    """The organisation the apps show: the profile named by $SMTK_ORG (`smtk dashboards --org`), else the demo one."""
    return load_org(os.environ.get(ORG_VARIABLE) or DEMO_PROFILE)


def dashboard_org() -> dict:
    """`dashboard_profile` as the same plain parameters a tailored notebook receives (what the executive apps use)."""
    return dashboard_profile().to_parameters()


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
