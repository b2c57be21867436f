"""Reading a triage policy file and merging an organisation's overrides onto it, validated like every data file.

Overrides have the shape of the policy file with every field optional: routes.<name>.<field>,
severities.<name>.time_limit_min, rules (by id: change fields, `before: <id>` to move, `enabled: false` to
remove; a new id goes first), crisis_levels (replaced whole), escalation_review_min, score_weights.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulations.common.validate import Field, load_yaml
from simulations.common.vocabulary import CONTACT_ROLES
from simulations.triage.policy import KINDS, WEIGHTS, WHEN_LISTS, CrisisLevel, Policy, Route, Rule
from simulations.triage.vocab import DATA_DIR, SEVERITIES

DEFAULT_POLICY = DATA_DIR / "policy.yaml"
_REQUIRED = object()


def load_policy(
    path: str | Path | None = None, overrides: Mapping[str, Any] | Field | str | Path | None = None
) -> Policy:
    """Load a policy file (the default one if no path) and merge an organisation's overrides onto it.

    Overrides are a mapping, a YAML file, or a `Field` of a larger file (say an organisation profile), so that
    errors name that file and the field inside it.
    """
    path = Path(path) if path is not None else DEFAULT_POLICY
    policy = _load_cached(str(path.resolve()), path.stat().st_mtime_ns if path.exists() else 0)
    return with_overrides(policy, overrides)


def with_overrides(policy: Policy, overrides: Mapping[str, Any] | Field | str | Path | None) -> Policy:
    """`policy` with overrides merged onto it (say, a CoE's edit of its organisation's policy); None changes nothing."""
    if isinstance(overrides, Mapping):
        overrides = Field(Path("policy overrides"), dict(overrides), "")
    elif isinstance(overrides, str | Path):
        overrides = load_yaml(overrides)
    if overrides is None or overrides.value is None:
        return policy
    return _parse(overrides, policy)


@lru_cache(maxsize=16)
def _load_cached(path: str, mtime_ns: int) -> Policy:
    return _parse(load_yaml(path), None)


def _pick(f: Field, key: str, prior: Any, parse: Callable[[Field], Any]) -> Any:
    """Parse `key` if given; otherwise keep the prior value of an overridden item, or fail if there is none."""
    if f.has(key) or prior is _REQUIRED:
        return parse(f.get(key))
    return prior


def _parse(doc: Field, base: Policy | None) -> Policy:
    doc.only(("routes", "severities", "rules", "crisis_levels", "escalation_review_min", "score_weights"))
    need = base is None
    routes = dict(base.routes) if base else {}
    for name, f in doc.get("routes").entries() if need or doc.has("routes") else ():
        routes[name] = _route(name, f, routes.get(name))
    limits = dict(base.time_limit_min) if base else {}
    if need or doc.has("severities"):
        sev = doc.get("severities").only(SEVERITIES)
        for name in SEVERITIES:
            prior = limits.get(name, _REQUIRED)
            limits[name] = _pick(
                sev, name, prior, lambda f: f.only(("time_limit_min",)).get("time_limit_min").float(min=1)
            )
    rules = list(base.rules) if base else []
    for f in doc.get("rules").items(min_len=1) if need or doc.has("rules") else ():
        rules = _merge_rule(f, rules, routes, overriding=not need)
    last = doc.get("rules") if doc.has("rules") else doc
    if not rules or rules[-1].when:
        last.fail("the last node of the tree must have no conditions (when: {}), so that every post gets a route")
    levels = base.crisis_levels if base else ()
    if need or doc.has("crisis_levels"):
        levels = tuple(_crisis(f, i + 1) for i, f in enumerate(doc.get("crisis_levels").items(min_len=3)))
        if len(levels) != 3:
            doc.get("crisis_levels").fail(f"expected the 3 Altimeter levels 1-3, got {len(levels)}")
        if any(a.min_reach > b.min_reach for a, b in zip(levels, levels[1:], strict=False)):
            doc.get("crisis_levels").fail("expected min_reach to grow from level 1 to level 3")
    review = _pick(
        doc, "escalation_review_min", base.escalation_review_min if base else _REQUIRED, lambda f: f.float(min=0)
    )
    weights = dict(base.weights) if base else {}
    if need or doc.has("score_weights"):
        wf = doc.get("score_weights").only(WEIGHTS)
        for key in WEIGHTS:
            weights[key] = _pick(wf, key, weights.get(key, _REQUIRED), lambda f: f.float(min=0))
        if sum(weights.values()) <= 0:
            wf.fail("expected at least one positive weight")
    origin = str(doc.path) if base is None else f"{base.origin} + {doc.path}"
    return Policy(routes, tuple(rules), limits, levels, review, weights, origin)


def _route(name: str, f: Field, prior: Route | None) -> Route:
    f.only(("kind", "label", "does", "damping", "act_after_min", "time_limit_min", "handle_min", "contact"))

    def was(attr: str, default: Any = _REQUIRED) -> Any:
        return getattr(prior, attr) if prior else default

    def limit(x: Field) -> float | None:
        return None if x.value is None else x.float(min=1)

    return Route(
        name=name,
        kind=_pick(f, "kind", was("kind"), lambda x: x.choice(KINDS)),
        label=_pick(f, "label", was("label"), Field.str),
        does=_pick(f, "does", was("does"), Field.str),
        damping=_pick(f, "damping", was("damping"), lambda x: x.float(min=0, max=1)),
        act_after_min=_pick(f, "act_after_min", was("act_after_min", 0.0), lambda x: x.float(min=0)),
        time_limit_min=_pick(f, "time_limit_min", was("time_limit_min", None), limit),
        handle_min=_pick(f, "handle_min", was("handle_min", 2.0), lambda x: x.float(min=0.1, max=240)),
        contact=_pick(f, "contact", was("contact", None), lambda x: x.value and x.choice(CONTACT_ROLES)),
    )


def _merge_rule(f: Field, rules: list[Rule], routes: Mapping[str, Route], *, overriding: bool) -> list[Rule]:
    """Add, change, move (`before: <id>`) or remove (`enabled: false`) one node; new nodes go first by default."""
    f.only(("id", "ask", "when", "route", "why") + (("before", "enabled") if overriding else ()))
    rid = f.get("id").str()
    ids = [r.id for r in rules]
    prior = rules[ids.index(rid)] if rid in ids else None
    if not overriding and prior:
        f.get("id").fail(f"node id {rid!r} is used twice")
    rest = [r for r in rules if r.id != rid]
    if f.has("enabled") and not f.get("enabled").bool():
        if prior is None:
            f.get("id").fail(f"no node {rid!r} to disable; nodes are {', '.join(ids)}")
        return rest
    rule = Rule(
        id=rid,
        ask=_pick(f, "ask", prior.ask if prior else _REQUIRED, Field.str),
        when=_pick(f, "when", prior.when if prior else _REQUIRED, _when),
        route=_pick(f, "route", prior.route if prior else _REQUIRED, lambda x: x.choice(routes)),
        why=_pick(f, "why", prior.why if prior else _REQUIRED, Field.str),
    )
    if not overriding:
        return rest + [rule]
    if f.has("before"):
        target = f.get("before").choice([r.id for r in rest])
        at = [r.id for r in rest].index(target)
    else:
        at = ids.index(rid) if prior else 0
    return rest[:at] + [rule] + rest[at:]


def _when(f: Field) -> dict[str, Any]:
    if f.value is None:
        return {}
    f.only((*WHEN_LISTS, "min_followers"))
    when: dict[str, Any] = {}
    for key, sub in f.entries():
        if key == "min_followers":
            when[key] = sub.int(min=0)
        else:
            items = [sub] if isinstance(sub.value, str) else list(sub.items(min_len=1))
            when[key] = tuple(item.choice(WHEN_LISTS[key]) for item in items)
    return when


def _crisis(f: Field, level: int) -> CrisisLevel:
    f.only(("level", "label", "min_reach", "min_severity"))
    got = f.get("level").int()
    if got != level:
        f.get("level").fail(f"expected level {level} here (levels are listed 1, 2, 3), got {got}")
    return CrisisLevel(
        level, f.get("label").str(), f.get("min_reach").float(min=0), f.get("min_severity").choice(SEVERITIES)
    )
