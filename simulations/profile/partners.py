"""Partner rules: may a dealer or franchisee run its own account, what it decides alone, what the brand syndicates.

The rules are part of the organisation's profile (the `partners` section, read as `PartnersModel`); the
functions below apply them, for the partners track's widgets and exercises.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, StrictInt, model_validator
from pydantic import Field as PydanticField

from simulations.common.models import (
    Email,
    FileModel,
    OptionalText,
    OptionalWebAddress,
    Platform,
    Text,
    WebAddress,
    choice,
    invalid,
    items,
    show,
    unique_choices,
)
from simulations.common.vocabulary import PLATFORMS

PARTNER_KINDS = ("resellers", "dealers", "franchisees", "agents", "distributors", "partners")
OWN_ACCOUNTS = ("no", "with-approval", "yes")

# What a partner may want to post or answer. Legal threats, safety issues and press questions always go to the brand.
CONTENT_KINDS: dict[str, str] = {
    "syndicated-post": "share a post from the brand's content library",
    "local-photo": "photos of your own location and team (with their consent)",
    "local-event": "a local event or community news",
    "review-reply": "reply to a review or a comment",
    "complaint": "an unhappy customer's public complaint",
    "giveaway": "a giveaway or contest",
    "price-promotion": "local prices, discounts and deals",
    "paid-ads": "paid advertising",
    "influencer-collab": "working with a local influencer",
    "legal-threat": "someone threatens legal action",
    "safety-issue": "a safety or health issue",
    "press-question": "a journalist asks a question",
}
ALWAYS_ESCALATE = ("legal-threat", "safety-issue", "press-question")
YOU_DECIDE, ASK_FIRST, HAND_OVER = "you decide", "ask first", "hand it to the brand"
NOT_ALLOWED, NEEDS_APPROVAL, ALLOWED = "not allowed", "needs approval", "allowed"
LOCATION = "location"


@dataclass(frozen=True)
class PartnerContact:
    """The brand's desk for partners: approvals, questions, hand-overs."""

    name: str
    email: str
    channel: str = ""


@dataclass(frozen=True)
class SyndicatedPost:
    """A post the brand writes and partners share; only its {placeholders} are theirs to fill in."""

    id: str
    title: str
    platform: str
    text: str

    @property
    def fields(self) -> tuple[str, ...]:
        return placeholders(self.text)


@dataclass(frozen=True)
class PartnerRules:
    """What the brand's partners may do on social media, and where they get content and help."""

    kind: str
    own_accounts: str
    account_name: str
    platforms: tuple[str, ...]
    approval: tuple[str, ...]
    escalate: tuple[str, ...]
    response_hours: int
    tool_name: str
    tool_url: str
    content_library: str
    contact: PartnerContact
    syndicated: tuple[SyndicatedPost, ...]


def placeholders(text: str) -> tuple[str, ...]:
    """The {names} a template asks for, in order of first appearance."""
    names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    return tuple(dict.fromkeys(names))


def default_rules(contact: PartnerContact, library: str) -> PartnerRules:
    """The most careful rules, for a profile that does not build the partners track: no own accounts, ask first."""
    return PartnerRules(
        kind="partners",
        own_accounts="no",
        account_name="",
        platforms=(),
        approval=tuple(k for k in CONTENT_KINDS if k not in ALWAYS_ESCALATE and k != "syndicated-post"),
        escalate=ALWAYS_ESCALATE,
        response_hours=24,
        tool_name="",
        tool_url="",
        content_library=library,
        contact=contact,
        syndicated=(),
    )


def _plain_placeholders(text: str) -> str:
    bad = [name for name in placeholders(text) if not name.isidentifier()]
    if bad:
        raise invalid(f"placeholders must be plain names like {{location}}, got {{{bad[0]}}}")
    return text


class ToolModel(FileModel):
    name: OptionalText = ""
    url: OptionalWebAddress = ""


class PartnerContactModel(FileModel):
    name: Text
    email: Email
    channel: OptionalText = ""


class SyndicatedModel(FileModel):
    """A post the brand writes and partners share; only its {placeholders} are theirs to fill in."""

    id: Text
    title: Text
    platform: Platform
    text: Annotated[Text, AfterValidator(_plain_placeholders)]


ContentKinds = items(choice(CONTENT_KINDS), unique=True)


class PartnersModel(FileModel):
    """What the brand's partners may do on social media (the profile's `partners` section)."""

    kind: choice(PARTNER_KINDS, "what the organisation calls its partners") = "partners"
    own_accounts: choice(OWN_ACCOUNTS, "may partners run their own accounts")
    account_name: OptionalText = PydanticField("", description="the name a partner account must take, with {location}")
    platforms: unique_choices(PLATFORMS) = PydanticField([], description="where partner accounts are allowed")
    approval: ContentKinds = PydanticField([], description="kinds of content that need the brand's approval first")
    escalate: ContentKinds = PydanticField([], description="kinds of content partners hand to the brand")
    response_hours: Annotated[StrictInt, PydanticField(ge=1, le=72)] = PydanticField(
        24, description="how soon partners answer comments and reviews, in hours"
    )
    tool: ToolModel = ToolModel()
    content_library: WebAddress = PydanticField(description="where partners find the brand's content")
    contact: PartnerContactModel = PydanticField(description="the brand's desk for partners")
    syndicated: items(SyndicatedModel) = PydanticField([], description="posts the brand writes for partners")

    @model_validator(mode="after")
    def _rules(self) -> PartnersModel:
        if self.own_accounts != "no" and placeholders(self.account_name) != (LOCATION,):
            raise invalid(
                "expected the name a partner's account must take, with {location} where the partner's place goes, "
                f"e.g. 'Brand {{location}}' (got {show(self.account_name)})",
                at="account_name",
            )
        if self.own_accounts != "no" and not self.platforms:
            raise invalid("expected at least 1 item(s): where partner accounts are allowed", at="platforms")
        both = sorted(set(self.approval) & set(self.escalate))
        if both:
            raise invalid(f"{', '.join(both)} cannot both need approval and go to the brand", at="escalate")
        fixed = sorted(set(self.approval) & set(ALWAYS_ESCALATE))
        if fixed:
            raise invalid(
                f"{', '.join(fixed)} always go to the brand; list them under escalate or nowhere", at="approval"
            )
        seen = set()
        for index, post in enumerate(self.syndicated):
            if post.id in seen:
                raise invalid(f"syndicated post {post.id!r} is listed twice", at=f"syndicated[{index}].id")
            seen.add(post.id)
        return self

    def rules(self) -> PartnerRules:
        """The rules as the engines receive them."""
        c = self.contact
        return PartnerRules(
            kind=self.kind,
            own_accounts=self.own_accounts,
            account_name=self.account_name,
            platforms=tuple(self.platforms),
            approval=tuple(self.approval),
            escalate=tuple(dict.fromkeys((*ALWAYS_ESCALATE, *self.escalate))),
            response_hours=self.response_hours,
            tool_name=self.tool.name,
            tool_url=self.tool.url,
            content_library=self.content_library,
            contact=PartnerContact(c.name, c.email, c.channel),
            syndicated=tuple(SyndicatedPost(s.id, s.title, s.platform, s.text) for s in self.syndicated),
        )


# The rules as the notebooks receive them: the plain dict of OrgProfile.to_parameters()["partners"].


def account_decision(rules: dict, platform: str) -> str:
    """May a partner open its own account on `platform`: 'not allowed', 'needs approval' or 'allowed'."""
    if rules["own_accounts"] == "no" or platform not in rules["platforms"]:
        return NOT_ALLOWED
    return NEEDS_APPROVAL if rules["own_accounts"] == "with-approval" else ALLOWED


def account_name(rules: dict, location: str) -> str:
    """The name a partner's account must take, e.g. 'Brand {location}' -> 'Brand Riverside'."""
    if not rules["account_name"]:
        raise ValueError("partners may not run their own accounts, so there is no account name to give")
    return rules["account_name"].format(location=" ".join(location.split()))


def content_rule(rules: dict, kind: str) -> str:
    """Who decides about one kind of content: 'you decide', 'ask first' or 'hand it to the brand'."""
    if kind not in CONTENT_KINDS:
        raise ValueError(f"unknown kind of content {kind!r}; expected one of {', '.join(CONTENT_KINDS)}")
    if kind in rules["escalate"] or kind in ALWAYS_ESCALATE:
        return HAND_OVER
    return ASK_FIRST if kind in rules["approval"] else YOU_DECIDE


@dataclass(frozen=True)
class AccountCheck:
    """A verdict on a proposed partner account, with one reason per rule it met or broke."""

    decision: str
    reasons: tuple[str, ...]


def check_account(rules: dict, platform: str, name: str, location: str) -> AccountCheck:
    """Apply the brand's rules to a partner's proposed account: platform first, then its name."""
    decision = account_decision(rules, platform)
    if rules["own_accounts"] == "no":
        return AccountCheck(NOT_ALLOWED, ("partners do not run their own accounts: share the brand's posts instead",))
    if decision == NOT_ALLOWED:
        allowed = ", ".join(rules["platforms"])
        return AccountCheck(NOT_ALLOWED, (f"partner accounts are only allowed on {allowed}",))
    if not location.strip():
        return AccountCheck(NOT_ALLOWED, ("say which location the account is for",))
    expected = account_name(rules, location)
    if " ".join(name.split()).casefold() != expected.casefold():
        return AccountCheck(
            NOT_ALLOWED,
            (f"name it {expected!r}, so customers can tell your location's account from the brand's own",),
        )
    reason = f"{platform} and the name {expected!r} follow the rules"
    if decision == NEEDS_APPROVAL:
        return AccountCheck(
            NEEDS_APPROVAL, (reason, f"ask {rules['contact']['name']} to approve it before you open it")
        )
    return AccountCheck(ALLOWED, (reason,))


def localise(post: dict, values: dict[str, str]) -> str:
    """Fill a syndicated post's placeholders; every placeholder needs a non-empty value and nothing else changes."""
    needed = placeholders(post["text"])
    missing = [name for name in needed if not str(values.get(name, "")).strip()]
    if missing:
        raise ValueError(f"fill in {', '.join(missing)} before you share {post['title']!r}")
    extra = sorted(set(values) - set(needed))
    if extra:
        raise ValueError(f"{', '.join(extra)} is not yours to change in {post['title']!r}: the brand wrote that part")
    return post["text"].format(**{name: str(values[name]).strip() for name in needed})
