"""Reading a triage policy file and merging an organisation's overrides onto it, both as typed models.

Overrides have the shape of the policy file with every field optional: routes.<name>.<field>,
severities.<name>.time_limit_min, rules (by id: change fields, `before: <id>` to move, `enabled: false` to
remove; a new id goes first), crisis_levels (replaced whole), escalation_review_min, score_weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Optional

from pydantic import AfterValidator, Field, PrivateAttr, ValidationInfo, create_model, model_validator
from pydantic.fields import FieldInfo

from simulations.common.models import (
    Count,
    FileModel,
    Flag,
    Text,
    check_model,
    choice,
    invalid,
    items,
    json_schema,
    load_model,
    minutes,
    number,
    one_or_more,
    read_yaml,
)
from simulations.common.vocabulary import CONTACT_ROLES
from simulations.triage.policy import KINDS, WEIGHTS, WHEN_LISTS, CrisisLevel, Policy, Route, Rule
from simulations.triage.vocab import DATA_DIR, SEVERITIES

DEFAULT_POLICY = DATA_DIR / "policy.yaml"


# ---- the policy file -------------------------------------------------------------------------------------------------


class RouteFile(FileModel):
    """Where a post can go: what it does, how much it damps spread and how long before it takes effect."""

    kind: choice(KINDS, "reply in public, watch, or hand over to a team")
    label: Text = Field(description="the route's name as learners see it")
    does: Text = Field(description="what the person on the desk does")
    damping: number(ge=0, le=1, description="the share of a post's spreading power left once the route acts")
    act_after_min: minutes(description="how long before the route takes effect") = 0.0
    time_limit_min: minutes(ge=1) | None = Field(None, description="the route's own time limit; none by default")
    handle_min: minutes(ge=0.1, le=240, description="the desk's time on a post sent this way") = 2.0
    contact: choice(CONTACT_ROLES) | None = Field(None, description="the profile's contact that takes the post over")

    def route(self, name: str) -> Route:
        return Route(name=name, **self.model_dump())


class SeverityFile(FileModel):
    time_limit_min: minutes(ge=1, description="how soon a post of this severity must be handled")


class WhenFile(FileModel):
    """The conditions of a node, all of which must hold; none: the node always holds."""

    category: one_or_more(choice(WHEN_LISTS["category"]), WHEN_LISTS["category"], "what the post is about") = None
    author: one_or_more(choice(WHEN_LISTS["author"]), WHEN_LISTS["author"], "who posted it") = None
    sentiment: one_or_more(choice(WHEN_LISTS["sentiment"]), WHEN_LISTS["sentiment"], "its tone") = None
    platform: one_or_more(choice(WHEN_LISTS["platform"]), WHEN_LISTS["platform"], "where it is posted") = None
    min_followers: Count | None = Field(None, description="the author has at least this many followers")
    _written: tuple[str, ...] = PrivateAttr(())

    @model_validator(mode="wrap")
    @classmethod
    def _keep_order(cls, data: Any, handler: Any) -> WhenFile:
        found = handler(data)
        found._written = tuple(k for k in data if k in cls.model_fields) if isinstance(data, dict) else ()
        return found

    def conditions(self) -> dict[str, Any]:
        """As the engine reads them, in the order written: lists as tuples."""
        got = {k: getattr(self, k) for k in self._written}
        return {k: v if k == "min_followers" else tuple(v) for k, v in got.items()}


class RuleFile(FileModel):
    """One node of the tree: the question asked, the conditions that answer yes, the route and the reason why."""

    id: Text = Field(description="the node's name, used by overrides to change, move or remove it")
    ask: Text = Field(description="the question, as learners read it")
    when: WhenFile | None = Field(description="the conditions; {} for the last node, which always holds")
    route: Text = Field(description="one of the policy's routes")
    why: Text = Field(description="why this route, shown to learners in the debrief")

    def rule(self) -> Rule:
        when = self.when.conditions() if self.when else {}
        return Rule(self.id, self.ask, when, self.route, self.why)


class CrisisFile(FileModel):
    """An Altimeter crisis level and the single-post negative reach and severity that, in this model, reach it."""

    level: Count = Field(description="1, 2 or 3, in order")
    label: Text
    min_reach: number(ge=0, description="the negative reach of one post that reaches this level")
    min_severity: choice(SEVERITIES, "the least severity of a post that reaches this level")

    def crisis(self) -> CrisisLevel:
        return CrisisLevel(self.level, self.label, self.min_reach, self.min_severity)


def _three_levels(levels: list[CrisisFile]) -> list[CrisisFile]:
    for i, level in enumerate(levels):
        if level.level != i + 1:
            raise invalid(f"expected level {i + 1} here (levels are listed 1, 2, 3), got {level.level}", at=i)
    if any(a.min_reach > b.min_reach for a, b in zip(levels, levels[1:], strict=False)):
        raise invalid("expected min_reach to grow from level 1 to level 3")
    return levels


CrisisLevels = Annotated[
    items(CrisisFile, min_len=3),
    Field(max_length=3, description="the 3 Altimeter crisis levels, 1 to 3"),
    AfterValidator(_three_levels),
]
SeveritiesFile = create_model(
    "SeveritiesFile", __base__=FileModel, **{s: (SeverityFile, Field(description=f"severity {s}")) for s in SEVERITIES}
)
WeightsFile = create_model(
    "WeightsFile",
    __base__=FileModel,
    **{w: (number(ge=0), Field(description=f"weight of {w} in a shift's 0-100 points")) for w in WEIGHTS},
)
ReviewMinutes = minutes(description="minutes the CoE spends on an escalation before handing back one not needed")


class PolicyFile(FileModel):
    """A crisis-triage policy (simulations/data/triage/policy.yaml): routes, time limits and an ordered decision
    tree whose first matching node routes a post."""

    routes: dict[str, RouteFile] = Field(description="where a post can go, by name")
    severities: SeveritiesFile = Field(description="the time limit of each severity")
    rules: items(RuleFile, min_len=1) = Field(description="the decision tree's nodes, checked in order")
    crisis_levels: CrisisLevels
    escalation_review_min: ReviewMinutes
    score_weights: WeightsFile

    @model_validator(mode="after")
    def _tree(self) -> PolicyFile:
        seen: list[str] = []
        for i, rule in enumerate(self.rules):
            if rule.id in seen:
                raise invalid(f"node id {rule.id!r} is used twice", at=f"rules[{i}].id")
            seen.append(rule.id)
            if rule.route not in self.routes:
                raise invalid(f"expected one of {', '.join(self.routes)}", at=f"rules[{i}].route")
        _catch_all([r.rule() for r in self.rules], "rules")
        _some_weight(self.score_weights.model_dump())
        return self

    def policy(self, origin: str) -> Policy:
        return Policy(
            routes={name: r.route(name) for name, r in self.routes.items()},
            rules=tuple(r.rule() for r in self.rules),
            time_limit_min={s: getattr(self.severities, s).time_limit_min for s in SEVERITIES},
            crisis_levels=tuple(c.crisis() for c in self.crisis_levels),
            escalation_review_min=self.escalation_review_min,
            weights=self.score_weights.model_dump(),
            origin=origin,
        )


def _catch_all(rules: list[Rule], at: str | None) -> None:
    if not rules or rules[-1].when:
        raise invalid(
            "the last node of the tree must have no conditions (when: {}), so that every post gets a route", at
        )


def _some_weight(weights: Mapping[str, float]) -> None:
    if sum(weights.values()) <= 0:
        raise invalid("expected at least one positive weight", at="score_weights")


# ---- overrides ------------------------------------------------------------------------------------------------------


def _optional(name: str, model: type[FileModel], **more: tuple[Any, FieldInfo]) -> type[FileModel]:
    """`model` with every field optional and no default (an edit names only what it changes), but for `more`."""
    fields = {
        n: (Optional[f.rebuild_annotation()], Field(None, description=f.description))  # noqa: UP045 (a runtime type)
        for n, f in model.model_fields.items()
    }
    return create_model(name, __base__=FileModel, __doc__=model.__doc__, **{**fields, **more})


RouteEdit = _optional("RouteEdit", RouteFile)
RuleEdit = _optional(
    "RuleEdit",
    RuleFile,
    id=(Text, Field(description="the node to change, move or remove; a new id adds a node")),
    before=(Text | None, Field(None, description="move the node before this one")),
    enabled=(Flag | None, Field(None, description="false removes the node")),
)
SeveritiesEdit = _optional("SeveritiesEdit", SeveritiesFile)
WeightsEdit = _optional("WeightsEdit", WeightsFile)


class PolicyEdit(FileModel):
    """Changes to a triage policy (an organisation's, in its profile's triage_policy), in the policy file's shape
    with every field optional."""

    routes: dict[str, RouteEdit] | None = Field(None, description="routes to change (by name) or add")
    severities: SeveritiesEdit | None = Field(None, description="time limits to change")
    rules: items(RuleEdit, min_len=1) | None = Field(
        None,
        description="nodes by id: change fields, `before: <id>` to move, `enabled: false` to remove; new ids go first",
    )
    crisis_levels: CrisisLevels | None = Field(None, description="replace the crisis levels whole")
    escalation_review_min: ReviewMinutes | None = None
    score_weights: WeightsEdit | None = Field(None, description="weights to change")
    _policy: Policy | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _merge(self, info: ValidationInfo) -> PolicyEdit:
        context = info.context or {}
        base: Policy = context.get("base") or load_policy()
        routes = dict(base.routes)
        for name, edit in (self.routes or {}).items():
            routes[name] = Route(name=name, **_changed(edit, routes.get(name), RouteFile, f"routes.{name}"))
        limits = dict(base.time_limit_min)
        for name in self.severities.model_fields_set if self.severities else ():
            limits[name] = getattr(self.severities, name).time_limit_min
        rules = list(base.rules)
        for i, edit in enumerate(self.rules or ()):
            rules = _merge_rule(edit, rules, routes, f"rules[{i}]")
        _catch_all(rules, "rules" if self.rules else None)
        weights = dict(base.weights)
        for name in self.score_weights.model_fields_set if self.score_weights else ():
            weights[name] = getattr(self.score_weights, name)
        _some_weight(weights)
        given = self.model_fields_set
        self._policy = Policy(
            routes,
            tuple(rules),
            limits,
            tuple(c.crisis() for c in self.crisis_levels) if self.crisis_levels else base.crisis_levels,
            self.escalation_review_min if "escalation_review_min" in given else base.escalation_review_min,
            weights,
            f"{base.origin} + {context.get('path', 'policy overrides')}",
        )
        return self


def _changed(edit: FileModel, prior: Route | Rule | None, model: type[FileModel], where: str) -> dict[str, Any]:
    """The fields of a route or node after `edit`: where the edit says nothing, the prior one's, or for a new one
    `model`'s defaults; a new one needs every field `model` requires."""
    given = {k: getattr(edit, k) for k in edit.model_fields_set if k in model.model_fields}
    if prior is not None:
        return {n: getattr(prior, n) for n in model.model_fields} | given
    missing = [n for n, f in model.model_fields.items() if f.is_required() and n not in given]
    if missing:
        raise invalid("required field is missing", at=f"{where}.{missing[0]}")
    return {n: f.default for n, f in model.model_fields.items() if not f.is_required()} | given


def _merge_rule(edit: Any, rules: list[Rule], routes: Mapping[str, Route], where: str) -> list[Rule]:
    """Add, change, move (`before: <id>`) or remove (`enabled: false`) one node; new nodes go first by default."""
    ids = [r.id for r in rules]
    prior = rules[ids.index(edit.id)] if edit.id in ids else None
    rest = [r for r in rules if r.id != edit.id]
    if edit.enabled is False:
        if prior is None:
            raise invalid(f"no node {edit.id!r} to disable; nodes are {', '.join(ids)}", at=f"{where}.id")
        return rest
    if edit.route is not None and edit.route not in routes:
        raise invalid(f"expected one of {', '.join(routes)}", at=f"{where}.route")
    values = _changed(edit, prior, RuleFile, where)
    if "when" in edit.model_fields_set:
        values["when"] = edit.when.conditions() if edit.when else {}
    rule = Rule(**values)
    if edit.before is not None:
        others = [r.id for r in rest]
        if edit.before not in others:
            raise invalid(f"expected one of {', '.join(others)}", at=f"{where}.before")
        at = others.index(edit.before)
    else:
        at = ids.index(edit.id) if prior else 0
    return rest[:at] + [rule] + rest[at:]


# ---- loading ---------------------------------------------------------------------------------------------------------


def load_policy(path: str | Path | None = None, overrides: Mapping[str, Any] | str | Path | None = None) -> Policy:
    """Load a policy file (the default one if no path) and merge an organisation's overrides onto it.

    Overrides are a mapping (errors name it "policy overrides") or a YAML file of them; errors name file, line,
    column and field.
    """
    path = Path(path) if path is not None else DEFAULT_POLICY
    policy = _load_cached(str(path.resolve()), path.stat().st_mtime_ns if path.exists() else 0)
    return with_overrides(policy, overrides)


def with_overrides(
    policy: Policy, overrides: Mapping[str, Any] | str | Path | None, *, source: str = "policy overrides"
) -> Policy:
    """`policy` with overrides merged onto it (say, a CoE's edit of its organisation's policy); None changes nothing.

    `source` names a mapping's origin in error messages (say, "your policy edits")."""
    if isinstance(overrides, str | Path):
        data, positions, twice = read_yaml(overrides)
        if data is None:
            return policy
        edit = check_model(data, PolicyEdit, overrides, {"base": policy}, positions, twice)
    elif overrides is None:
        return policy
    else:
        data = dict(overrides) if isinstance(overrides, Mapping) else overrides
        edit = check_model(data, PolicyEdit, source, {"base": policy})
    return edit._policy


@lru_cache(maxsize=16)
def _load_cached(path: str, mtime_ns: int) -> Policy:
    return load_model(path, PolicyFile).policy(path)


def policy_schema() -> dict:
    """The JSON Schema of a triage policy file, for editors."""
    return json_schema(PolicyFile, "Triage policy", "Routes, time limits and the decision tree of the triage desk.")
