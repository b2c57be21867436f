"""A manager's rules for a team's quarter, and what they do: how many people share and how often (adoption), the
hours it takes, and the expected loss of the risks the team's posts drive (the risk register, scaled to the team).

The adoption side is the kit's ASSUMED teaching model, not a finding: a rule's effect on who shares is a multiplier
below, chosen to show the direction the sources argue (permission and time let people practise, praise draws them
in, approval of every post and no time stop them, training first makes them confident). The risk side is the
register and controls of the risk engine: training is the employees' track at full coverage, the organisation's
policy is in place, and the rules change the chances of the risks that posting drives.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from simulations.risk.controls import Catalogue, Program, default_catalogue
from simulations.risk.losses import expected_loss
from simulations.risk.register import AUDIENCES, Register, more_chances, scale_register

WEEKS = 13  # a quarter
HOURS = (0.0, 0.5, 1.0, 2.0)  # hours a week each member may spend creating and sharing content
APPROVALS: dict[str, str] = {
    "every-post": "the manager approves every post",
    "first-posts": "the manager reviews each person's first few posts, then trusts them",
    "none": "no approval: the policy and the training are the rule",
}
TOPICS: dict[str, str] = {
    "expertise": "the team's own expertise and the trends of its field",
    "news": "the company's public news, events and openings",
    "customers": "answering customers' public questions about the team's work",
    "products": "recommending the company's products",
    "unannounced": "work in progress and plans not yet announced",
}
DRIVEN: tuple[str, ...] = (  # the risks a team's own posts drive
    "confidential-leak",
    "inappropriate-behaviour",
    "off-brand-messaging",
    "undisclosed-endorsement",
)

# ASSUMED (the kit's teaching model): share of a team that shares at least once a quarter, before the multipliers,
# by hours allowed (with no time allowed a few still post on their own time, unguided).
BASE_SHARERS = {0.0: 0.10, 0.5: 0.30, 1.0: 0.40, 2.0: 0.45}
APPROVAL_SHARERS = {"every-post": 0.4, "first-posts": 0.9, "none": 1.0}
PRAISE_SHARERS = 1.5
TRAINED_SHARERS = 1.2
TOPIC_SHARERS = 0.1  # each topic allowed adds a tenth to a base of 0.6 (one topic: 0.7, five: 1.1)
MOST_SHARERS = 0.9
POSTS_PER_HOUR = 1.0  # posts a sharer makes per hour allowed; on their own time, one post a quarter
# ASSUMED: what approval does to the chances of each driven risk, and what a topic adds to them.
APPROVAL_CHANCES = {"every-post": 0.5, "first-posts": 0.8, "none": 1.0}
TOPIC_CHANCES = {
    "unannounced": {"confidential-leak": 3.0},
    "products": {"undisclosed-endorsement": 2.0},
    "customers": {"inappropriate-behaviour": 1.5},
}


@dataclass(frozen=True)
class TeamRules:
    """What a manager permits for a quarter: hours a week, approval, topics, praise for sharing, training first."""

    hours: float
    approval: str
    topics: frozenset[str]
    praise: bool
    trained: bool

    def __post_init__(self) -> None:
        if self.hours not in HOURS:
            raise ValueError(f"hours a week must be one of {', '.join(f'{h:g}' for h in HOURS)}, got {self.hours}")
        if self.approval not in APPROVALS:
            raise ValueError(f"approval must be one of {', '.join(APPROVALS)}, got {self.approval!r}")
        unknown = set(self.topics) - set(TOPICS)
        if unknown:
            raise ValueError(f"unknown topic(s) {', '.join(sorted(unknown))}; expected some of {', '.join(TOPICS)}")
        object.__setattr__(self, "topics", frozenset(self.topics))


# Nobody decided anything: no time, no approval, anything goes, no praise, no training. The register's own chances.
UNMANAGED = TeamRules(0.0, "none", frozenset(TOPICS), praise=False, trained=False)


@dataclass(frozen=True)
class Quarter:
    """What a quarter under some rules gives: sharers and posts (adoption), hours and their cost, expected loss."""

    team: int
    sharers: float
    posts: float
    hours: float
    time_cost: float
    expected_loss: float

    @property
    def loss_per_100_posts(self) -> float:
        return self.expected_loss / self.posts * 100 if self.posts else 0.0


def sharers(rules: TeamRules) -> float:
    """The share of the team that shares at least once in the quarter (the kit's assumed model)."""
    share = BASE_SHARERS[rules.hours] * APPROVAL_SHARERS[rules.approval]
    share *= (PRAISE_SHARERS if rules.praise else 1.0) * (TRAINED_SHARERS if rules.trained else 1.0)
    share *= 0.6 + TOPIC_SHARERS * len(rules.topics)
    return min(share, MOST_SHARERS) if rules.topics else 0.0


def posts_each(rules: TeamRules) -> float:
    """Posts a sharer makes in the quarter: an hour's post a week allowed, or one on their own time."""
    return rules.hours * POSTS_PER_HOUR * WEEKS if rules.hours else 1.0


def team_register(register: Register, team: int) -> Register:
    """The risks a team of `team` employees drives: the register scaled to them alone, only the driven risks."""
    sizes = {a: (float(team) if a == "employees" else 0.0) for a in AUDIENCES}
    scaled = scale_register(register, sizes)
    return replace(scaled, risks=tuple(r for r in scaled.risks if r.id in DRIVEN))


def quarter(
    rules: TeamRules,
    register: Register,
    team: int,
    wage: float,
    *,
    catalogue: Catalogue | None = None,
) -> Quarter:
    """A quarter of `team` people at loaded hourly `wage` under `rules`, against the organisation's `register`.

    The driven risks' chances scale with the posts made against the unmanaged quarter's posts, with approval and the
    topics allowed; training first is the employees' track at full coverage; the policy is in place either way.
    """
    if team < 1:
        raise ValueError(f"a team has at least one person, got {team}")
    own = team_register(register, team)
    share, base_share = sharers(rules), sharers(UNMANAGED)
    posts = team * share * posts_each(rules)
    activity = posts / (team * base_share * posts_each(UNMANAGED))
    factors = _chances(rules)
    risks = tuple(
        more_chances(r, activity * factors.get(r.id, 1.0) / _chances(UNMANAGED).get(r.id, 1.0)) for r in own.risks
    )
    program = Program({"employees": 1.0} if rules.trained else {}, frozenset({"policy"}))
    loss = expected_loss(replace(own, risks=risks), program, catalogue=catalogue or default_catalogue()) * WEEKS / 52
    hours = team * rules.hours * WEEKS
    return Quarter(team, team * share, posts, hours, hours * wage, loss)


def _chances(rules: TeamRules) -> Mapping[str, float]:
    """Multipliers on each driven risk's chances from approval and from the topics allowed."""
    out = {risk: APPROVAL_CHANCES[rules.approval] for risk in DRIVEN}
    for topic in rules.topics:
        for risk, factor in TOPIC_CHANCES.get(topic, {}).items():
            out[risk] *= factor
    return out
