"""An exercise as data: a triage scenario, the roles at the table, personas and the master events list, validated.

Roles and their actions live in `data/exercise/roles.yaml`; an exercise file in `data/exercise/exercises/` names a
scenario, the roles that take part, its personas (who posts, with a disposition and a faction) and its timed
injects. Fields of an exercise file: title, scenario, summary?, roles (ids of roles.yaml; the first one receives
new posts), handoff_min? (5), personas [{id, name, author, disposition, faction, followers, platform? (x)}] and
events [{id, at_min, kind, persona, severity, text, category? (from the kind), to? (a role), virality?, route? +
why?}]. Every error names the file and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pydantic_core import PydanticCustomError

from simulations.common.datafiles import DataError
from simulations.common.validate import Field, load_yaml
from simulations.common.vocabulary import CONTACT_ROLES
from simulations.triage.chatter import check_template
from simulations.triage.policy import Policy
from simulations.triage.policy_file import load_policy
from simulations.triage.scenario import MAX_VIRALITY, Scenario, load_scenario
from simulations.triage.vocab import AUTHORS, CATEGORIES, DATA_DIR, PLATFORMS, SEVERITIES

EXERCISE_DATA = DATA_DIR.parent / "exercise"
ROLES_FILE = EXERCISE_DATA / "roles.yaml"
EXERCISE_DIR = EXERCISE_DATA / "exercises"
ACTION_KINDS = ("respond", "hand_off", "review", "reroute", "prioritise")
VERDICTS = ("approve", "rewrite", "block")
PRIORITIES = ("high", "normal", "low")
DISPOSITIONS = {"supportive": "positive", "neutral": "neutral", "sceptical": "negative", "hostile": "negative"}
# What each kind of inject is: its category, and the kind of author who must post it (None: any persona).
INJECT_KINDS: Mapping[str, tuple[str | None, str | None]] = {
    "post": (None, None),
    "journalist_question": ("question", "journalist"),
    "leaked_memo": ("confidential_leak", None),
    "regulator_letter": ("regulatory", "regulator"),
    "competitor_jab": ("misinformation", "competitor"),
}


@dataclass(frozen=True)
class Action:
    """One thing a role may do; which fields matter depends on `kind` (see roles.yaml)."""

    id: str
    label: str
    kind: str
    routes: tuple[str, ...] = ()
    to: tuple[str, ...] = ()
    review_by: str | None = None
    handle_min: float | None = None


@dataclass(frozen=True)
class Role:
    """A seat at the exercise: what it does, which policy contact it stands for and its actions by id."""

    id: str
    label: str
    does: str
    contact: str | None
    first_response_min: float
    actions: Mapping[str, Action]


@dataclass(frozen=True)
class Persona:
    """Someone the controller posts as: an author type, a stance (disposition), a side (faction) and an audience."""

    id: str
    name: str
    author: str
    disposition: str
    faction: str
    followers: int
    platform: str

    @property
    def sentiment(self) -> str:
        return DISPOSITIONS[self.disposition]


@dataclass(frozen=True)
class ScriptedEvent:
    """A timed inject of the master events list: a persona posts `text` at minute `at_min` of the shift."""

    id: str
    at_min: float
    kind: str
    persona: str
    category: str
    severity: str
    text: str
    to: str | None
    virality: float | None
    route: str | None
    why: str | None


@dataclass(frozen=True)
class Exercise:
    """A validated exercise: the scenario and policy it runs on, its roles (entry role first), personas, events."""

    id: str
    path: Path
    title: str
    summary: str
    scenario: Scenario
    policy: Policy
    roles: Mapping[str, Role]
    handoff_min: float
    personas: Mapping[str, Persona]
    events: tuple[ScriptedEvent, ...]

    @property
    def entry_role(self) -> str:
        return next(iter(self.roles))

    def owner(self, route: str) -> str:
        """The role that owns a policy route: the one standing for the route's contact, else the entry role."""
        contact = self.policy.routes[route].contact
        return next((r.id for r in self.roles.values() if contact and r.contact == contact), self.entry_role)


def list_exercises(directory: str | Path | None = None) -> list[str]:
    """Ids of the exercises in a folder (the built-in ones by default), sorted."""
    return sorted(p.stem for p in Path(directory or EXERCISE_DIR).glob("*.yaml"))


def load_roles(path: str | Path | None = None, policy: Policy | None = None) -> dict[str, Role]:
    """Every role of a roles file (the built-in one by default), routes checked against the policy."""
    policy = policy or load_policy()
    doc = load_yaml(path or ROLES_FILE).only(("roles",))
    entries = list(doc.get("roles").entries())
    if not entries:
        doc.get("roles").fail("expected at least one role")
    ids = [name for name, _ in entries]
    return {name: _role(name, f, ids, policy) for name, f in entries}


def _role(name: str, f: Field, ids: list[str], policy: Policy) -> Role:
    f.only(("label", "does", "contact", "first_response_min", "actions"))
    actions: dict[str, Action] = {}
    for a in f.get("actions").items(min_len=1):
        action = _action(a, ids, policy)
        if action.id in actions:
            a.get("id").fail(f"action id {action.id!r} is used twice in this role")
        actions[action.id] = action
    return Role(
        id=name,
        label=f.get("label").str(),
        does=f.get("does").str(),
        contact=f.get("contact").choice(CONTACT_ROLES) if f.has("contact") else None,
        first_response_min=f.get("first_response_min").float(min=0.5, max=1440),
        actions=actions,
    )


def _action(a: Field, roles: list[str], policy: Policy) -> Action:
    a.only(("id", "label", "kind", "routes", "to", "review_by", "handle_min"))
    kind = a.get("kind").choice(ACTION_KINDS)
    needs = {"respond": ("routes",), "hand_off": ("to",), "reroute": ("to",)}.get(kind, ())
    for key in needs:
        if not a.has(key):
            a.get(key, None).fail(f"an action of kind {kind} needs {key}")
    for key in ("routes", "to", "review_by"):
        if a.has(key) and key not in needs and not (key == "review_by" and kind == "respond"):
            a.get(key).fail(f"an action of kind {kind} takes no {key}")
    return Action(
        id=a.get("id").str(),
        label=a.get("label").str(),
        kind=kind,
        routes=tuple(x.choice(policy.route_names) for x in a.get("routes", []).items()),
        to=tuple(x.choice(roles) for x in a.get("to", []).items()),
        review_by=a.get("review_by").choice(roles) if a.has("review_by") else None,
        handle_min=a.get("handle_min").float(min=0, max=240) if a.has("handle_min") else None,
    )


def load_exercise(
    exercise: str | Path, *, policy: Policy | None = None, roles: Mapping[str, Role] | None = None
) -> Exercise:
    """Load an exercise by id (a built-in one) or by path; its scenario, roles and answer keys are checked."""
    path = Path(exercise)
    if path.suffix not in (".yaml", ".yml"):
        path = EXERCISE_DIR / f"{exercise}.yaml"
        if not path.exists():
            raise DataError(path, "", f"no exercise {str(exercise)!r}; built-in ones: {', '.join(list_exercises())}")
    policy = policy or load_policy()
    catalogue = dict(roles) if roles is not None else load_roles(policy=policy)
    doc = load_yaml(path).only(("title", "scenario", "summary", "roles", "handoff_min", "personas", "events"))
    scenario_field = doc.get("scenario")
    try:
        scenario = load_scenario(scenario_field.str(), policy=policy)
    except DataError as exc:
        scenario_field.fail(f"cannot load the scenario ({exc})")
    chosen = _chosen_roles(doc.get("roles"), catalogue)
    personas: dict[str, Persona] = {}
    for f in doc.get("personas").items(min_len=1):
        persona = _persona(f)
        if persona.id in personas:
            f.get("id").fail(f"persona id {persona.id!r} is used twice")
        personas[persona.id] = persona
    shift_min = scenario.shift_hours * 60
    events: list[ScriptedEvent] = []
    for f in doc.get("events").items():
        event = _event(f, personas, chosen, policy, shift_min)
        if any(e.id == event.id for e in events):
            f.get("id").fail(f"event id {event.id!r} is used twice")
        events.append(event)
    return Exercise(
        id=path.stem,
        path=path,
        title=doc.get("title").str(),
        summary=doc.get("summary", "").str(nonempty=False),
        scenario=scenario,
        policy=policy,
        roles=chosen,
        handoff_min=doc.get("handoff_min", 5.0).float(min=0, max=240),
        personas=personas,
        events=tuple(sorted(events, key=lambda e: e.at_min)),
    )


def _chosen_roles(f: Field, catalogue: Mapping[str, Role]) -> dict[str, Role]:
    """The roles taking part, in the file's order; every role an action names must take part too."""
    ids = [x.choice(catalogue) for x in f.items(min_len=1)]
    if len(set(ids)) != len(ids):
        f.fail("a role is listed twice")
    chosen: dict[str, Role] = {}
    for rid in ids:
        role = catalogue[rid]
        actions = {}
        for aid, action in role.actions.items():
            kept = tuple(t for t in action.to if t in ids)
            if action.kind in ("hand_off", "reroute") and not kept:
                continue  # nobody at the table to hand to: the action is not offered
            if action.review_by is not None and action.review_by not in ids:
                continue  # the reviewer does not take part: the checked variant is not offered
            actions[aid] = Action(
                action.id, action.label, action.kind, action.routes, kept, action.review_by, action.handle_min
            )
        chosen[rid] = Role(role.id, role.label, role.does, role.contact, role.first_response_min, actions)
    return chosen


def _persona(f: Field) -> Persona:
    f.only(("id", "name", "author", "disposition", "faction", "followers", "platform"))
    return Persona(
        id=f.get("id").str(),
        name=f.get("name").str(),
        author=f.get("author").choice(AUTHORS),
        disposition=f.get("disposition").choice(DISPOSITIONS),
        faction=f.get("faction").str(),
        followers=f.get("followers").int(min=0, max=10**9),
        platform=f.get("platform", "x").choice(PLATFORMS),
    )


def _event(
    f: Field, personas: Mapping[str, Persona], roles: Mapping[str, Role], policy: Policy, shift_min: float
) -> ScriptedEvent:
    f.only(("id", "at_min", "kind", "persona", "category", "severity", "text", "to", "virality", "route", "why"))
    at = f.get("at_min").float(min=0)
    if at >= shift_min:
        f.get("at_min").fail(f"expected a minute inside the scenario's shift (< {shift_min:g}), got {at:g}")
    kind = f.get("kind").choice(INJECT_KINDS)
    category, author = INJECT_KINDS[kind]
    persona = personas[f.get("persona").choice(personas)]
    if author is not None and persona.author != author:
        f.get("persona").fail(f"a {kind} is posted by a {author} persona; {persona.id!r} is a {persona.author}")
    if f.has("category") or category is None:
        category = f.get("category").choice(CATEGORIES)
    route = f.get("route").choice(policy.route_names) if f.has("route") else None
    if route is not None and not f.has("why"):
        f.get("why", None).fail("an event that sets its own route must say why (shown in the after-action review)")
    return ScriptedEvent(
        id=f.get("id").str(),
        at_min=at,
        kind=kind,
        persona=persona.id,
        category=category,
        severity=f.get("severity").choice(SEVERITIES),
        text=_template(f.get("text")),
        to=f.get("to").choice(roles) if f.has("to") else None,
        virality=f.get("virality").float(min=0, max=MAX_VIRALITY) if f.has("virality") else None,
        route=route,
        why=f.get("why").str() if f.has("why") else None,
    )


def _template(f: Field) -> str:
    """An event's text: a template with only the {org} and {product} placeholders."""
    try:
        return check_template(f.str())
    except PydanticCustomError as exc:
        f.fail(exc.message())
