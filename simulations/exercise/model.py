"""An exercise as data: a triage scenario, the roles at the table, personas and the master events list, validated.

Roles and their actions live in `data/exercise/roles.yaml`; an exercise file in `data/exercise/exercises/` names a
scenario, the roles that take part, its personas (who posts, with a disposition and a faction) and its timed
injects. Fields of an exercise file: title, scenario, summary?, roles (ids of roles.yaml; the first one receives
new posts), handoff_min? (5), personas [{id, name, author, disposition, faction, followers, platform? (x)}] and
events [{id, at_min, kind, persona, severity, text, category? (from the kind), to? (a role), virality?, route? +
why?}]. Every error names the file, line, column and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StrictInt, ValidationInfo, field_validator, model_validator

from simulations.common.datafiles import DataError
from simulations.common.models import (
    FileModel,
    OptionalText,
    Text,
    choice,
    invalid,
    items,
    json_schema,
    load_model,
    minutes,
    number,
    show,
    unique_by,
)
from simulations.common.vocabulary import CONTACT_ROLES
from simulations.triage.chatter import Template
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


def _known(value: str, options: Any, at: str | int | None = None) -> None:
    """A reference to something named elsewhere (a policy route, a role, a persona) must name one of `options`."""
    if value not in options:
        raise invalid(f"expected one of {', '.join(options)} (got {show(value)})", at=at)


def _context(info: ValidationInfo) -> dict[str, Any]:
    return info.context if info.context is not None else {}


class ActionFile(FileModel):
    """One thing a role may do; which fields it takes depends on its kind."""

    id: Text
    label: Text = Field(description="the action's button")
    kind: choice(ACTION_KINDS, "respond, hand_off, review, reroute or prioritise")
    routes: items(Text) | None = Field(None, description="respond: the policy routes it may close a post with")
    to: items(Text) | None = Field(None, description="hand_off, reroute: the roles it may pass a post to")
    review_by: Text | None = Field(None, description="respond: the role that checks the draft first")
    handle_min: minutes(le=240, description="what the action takes the person who does it") | None = None

    @model_validator(mode="after")
    def _fields_of_kind(self, info: ValidationInfo) -> ActionFile:
        needs = {"respond": ("routes",), "hand_off": ("to",), "reroute": ("to",)}.get(self.kind, ())
        for key in needs:
            if getattr(self, key) is None:
                raise invalid(f"an action of kind {self.kind} needs {key}", at=key)
        for key in ("routes", "to", "review_by"):
            given = getattr(self, key) is not None
            if given and key not in needs and not (key == "review_by" and self.kind == "respond"):
                raise invalid(f"an action of kind {self.kind} takes no {key}", at=key)
        routes = _context(info).get("routes")
        for i, route in enumerate(self.routes or ()):
            if routes is not None:
                _known(route, routes, at=f"routes[{i}]")
        return self

    def action(self) -> Action:
        return Action(
            self.id,
            self.label,
            self.kind,
            tuple(self.routes or ()),
            tuple(self.to or ()),
            self.review_by,
            self.handle_min,
        )


class RoleFile(FileModel):
    """A seat at the exercise: what it does, which policy contact it stands for and its actions."""

    label: Text
    does: Text = Field(description="what the role does, in a sentence")
    contact: choice(CONTACT_ROLES, "the team of the policy's routes this role owns") | None = None
    first_response_min: minutes(
        ge=0.5, le=1440, description="from a post reaching the role's queue to a first action on time"
    )
    actions: Annotated[items(ActionFile, min_len=1), unique_by("id", "action id {value!r} is used twice in this role")]


class RolesFile(FileModel):
    """The roles of the live crisis exercise (simulations/data/exercise/roles.yaml), by id."""

    roles: Annotated[dict[str, RoleFile], Field(min_length=1, description="each role by its id")]

    @model_validator(mode="after")
    def _roles_named(self) -> RolesFile:
        ids = list(self.roles)
        for name, role in self.roles.items():
            for i, action in enumerate(role.actions):
                for j, target in enumerate(action.to or ()):
                    _known(target, ids, at=f"roles.{name}.actions[{i}].to[{j}]")
                if action.review_by is not None:
                    _known(action.review_by, ids, at=f"roles.{name}.actions[{i}].review_by")
        return self


class PersonaFile(FileModel):
    """Someone the controller posts as: an author type, a stance, a side and an audience."""

    id: Text
    name: Text = Field(description="as the wall shows it; fictional")
    author: choice(AUTHORS, "the kind of author, as the triage policy knows them")
    disposition: choice(DISPOSITIONS, "supportive, neutral, sceptical or hostile")
    faction: Text = Field(description="the side the persona is on (staff, press, regulators...)")
    followers: Annotated[StrictInt, Field(ge=0, le=10**9)]
    platform: choice(PLATFORMS, "where the persona posts") = "x"


class EventFile(FileModel):
    """A timed inject of the master events list: a persona posts `text` at minute `at_min` of the shift."""

    id: Text
    at_min: minutes(description="when it is posted, from the start of the shift")
    kind: choice(INJECT_KINDS, "post, journalist_question, leaked_memo, regulator_letter or competitor_jab")
    persona: Text = Field(description="the id of the persona who posts it")
    category: choice(CATEGORIES, "what the post is about (default: the kind's)") | None = None
    severity: choice(SEVERITIES)
    text: Template
    to: Text | None = Field(None, description="the role whose queue it reaches (default: the entry role)")
    virality: number(ge=0, le=MAX_VIRALITY, description="how fast it spreads") | None = None
    route: Text | None = Field(None, description="the policy route it should take, when it is not the policy's")
    why: Text | None = Field(None, description="why it takes its own route (shown in the after-action review)")

    @model_validator(mode="after")
    def _fits(self, info: ValidationInfo) -> EventFile:
        found = _context(info)
        shift_min = found.get("shift_min")
        if shift_min is not None and self.at_min >= shift_min:
            raise invalid(
                f"expected a minute inside the scenario's shift (< {shift_min:g}), got {self.at_min:g}", at="at_min"
            )
        category, author = INJECT_KINDS[self.kind]
        personas = found.get("personas")
        if personas is not None:
            _known(self.persona, personas, at="persona")
            if author is not None and personas[self.persona] != author:
                raise invalid(
                    f"a {self.kind} is posted by a {author} persona; {self.persona!r} is a {personas[self.persona]}",
                    at="persona",
                )
        if category is None and self.category is None:
            raise invalid("required field is missing", at="category")
        if self.route is not None:
            routes = found.get("routes")
            if routes is not None:
                _known(self.route, routes, at="route")
            if self.why is None:
                raise invalid(
                    "an event that sets its own route must say why (shown in the after-action review)", at="why"
                )
        if self.to is not None and found.get("roles") is not None:
            _known(self.to, found["roles"], at="to")
        return self

    def event(self) -> ScriptedEvent:
        category = self.category or INJECT_KINDS[self.kind][0]
        return ScriptedEvent(
            self.id,
            self.at_min,
            self.kind,
            self.persona,
            category,
            self.severity,
            self.text,
            self.to,
            self.virality,
            self.route,
            self.why,
        )


class ExerciseFile(FileModel):
    """A live crisis exercise (simulations/data/exercise/exercises/): the scenario it runs on, the roles at the
    table (the first receives new posts), the personas and the master events list."""

    title: Text
    scenario: Text = Field(description="the id of the triage scenario it runs on")
    summary: OptionalText = ""
    roles: Annotated[items(Text, min_len=1, unique=True), Field(description="roles.yaml ids; the first gets new posts")]
    handoff_min: minutes(le=240, description="what passing a post on takes") = 5.0
    personas: Annotated[items(PersonaFile, min_len=1), unique_by("id", "persona id {value!r} is used twice")]
    events: Annotated[items(EventFile), unique_by("id", "event id {value!r} is used twice")] = []

    # The scenario, roles and personas are checked as they are read, so the events after them can be checked
    # against them (the validation context carries what was found).
    @field_validator("scenario")
    @classmethod
    def _scenario(cls, sid: str, info: ValidationInfo) -> str:
        found = _context(info)
        try:
            scenario = load_scenario(sid, policy=found["policy"])
        except DataError as exc:
            raise invalid(f"cannot load the scenario ({exc})") from None
        found["loaded"]["scenario"] = scenario
        found["shift_min"] = scenario.shift_hours * 60
        return sid

    @field_validator("roles")
    @classmethod
    def _roles(cls, ids: list[str], info: ValidationInfo) -> list[str]:
        found = _context(info)
        for i, rid in enumerate(ids):
            _known(rid, found["catalogue"], at=i)
        found["roles"] = ids
        return ids

    @field_validator("personas")
    @classmethod
    def _personas(cls, personas: list[PersonaFile], info: ValidationInfo) -> list[PersonaFile]:
        _context(info)["personas"] = {p.id: p.author for p in personas}
        return personas


def load_roles(path: str | Path | None = None, policy: Policy | None = None) -> dict[str, Role]:
    """Every role of a roles file (the built-in one by default), routes checked against the policy; errors name the
    file, line, column and field, all at once."""
    policy = policy or load_policy()
    found = load_model(path or ROLES_FILE, RolesFile, {"routes": policy.route_names})
    return {
        name: Role(
            name,
            role.label,
            role.does,
            role.contact,
            role.first_response_min,
            {a.id: a.action() for a in role.actions},
        )
        for name, role in found.roles.items()
    }


def roles_schema() -> dict:
    """The JSON Schema of the exercise's roles file, for editors."""
    return json_schema(RolesFile, "Exercise roles", "The seats of the live crisis exercise and what each may do.")


def exercise_schema() -> dict:
    """The JSON Schema of an exercise file, for editors."""
    return json_schema(
        ExerciseFile, "Exercise", "A live crisis exercise: scenario, roles at the table, personas and timed injects."
    )


def load_exercise(
    exercise: str | Path, *, policy: Policy | None = None, roles: Mapping[str, Role] | None = None
) -> Exercise:
    """Load an exercise by id (a built-in one) or by path; its scenario, roles and answer keys are checked, and every
    problem is named by file, line, column and field, all at once."""
    path = Path(exercise)
    if path.suffix not in (".yaml", ".yml"):
        path = EXERCISE_DIR / f"{exercise}.yaml"
        if not path.exists():
            raise DataError(path, "", f"no exercise {str(exercise)!r}; built-in ones: {', '.join(list_exercises())}")
    policy = policy or load_policy()
    catalogue = dict(roles) if roles is not None else load_roles(policy=policy)
    loaded: dict[str, Any] = {}
    context = {"policy": policy, "routes": policy.route_names, "catalogue": list(catalogue), "loaded": loaded}
    doc = load_model(path, ExerciseFile, context)
    chosen = _chosen_roles(doc.roles, catalogue)
    return Exercise(
        id=path.stem,
        path=path,
        title=doc.title,
        summary=doc.summary,
        scenario=loaded["scenario"],
        policy=policy,
        roles=chosen,
        handoff_min=doc.handoff_min,
        personas={
            p.id: Persona(p.id, p.name, p.author, p.disposition, p.faction, p.followers, p.platform)
            for p in doc.personas
        },
        events=tuple(sorted((e.event() for e in doc.events), key=lambda e: e.at_min)),
    )


def _chosen_roles(ids: list[str], catalogue: Mapping[str, Role]) -> dict[str, Role]:
    """The roles taking part, in the file's order; every role an action names must take part too."""
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
