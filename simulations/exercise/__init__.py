"""The live crisis exercise for a team: roles, a controller's clock and injects, one shared world, the after-action.

Pure and seeded like the triage engine it builds on: a World is folded from an append-only log of entries, and
every view (a role's queue, the wall display, the after-action review) derives from it. Typical use:

    world = World.create("defect-viral", seed=7)
    world.apply("join", {"participant": "p1", "name": "Ana", "role": "social_desk"})
    world.apply("clock", {"action": "start", "at_s": 0.0, "wall": 1_700_000_000.0})
    world.queue("social_desk", now_s=600.0)
    after_action(world).as_dict()
    World.from_log(entries)          # the same entries give the same world, to the last number
"""

from __future__ import annotations

from simulations.exercise.model import (
    Action,
    Exercise,
    Persona,
    Role,
    ScriptedEvent,
    list_exercises,
    load_exercise,
    load_roles,
)
from simulations.exercise.review import AfterAction, Wall, after_action, participants, timeline, wall
from simulations.exercise.team import play
from simulations.exercise.world import Rejected, World

__all__ = [
    "Action",
    "AfterAction",
    "Exercise",
    "Persona",
    "Rejected",
    "Role",
    "ScriptedEvent",
    "Wall",
    "World",
    "after_action",
    "list_exercises",
    "load_exercise",
    "load_roles",
    "participants",
    "play",
    "timeline",
    "wall",
]
