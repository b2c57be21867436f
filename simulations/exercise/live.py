"""One screen's connection to a running exercise: the shared event log, the world folded from it, the one clock.

This is the only part of the exercise that touches a database and the time of day; every screen (controller,
player, wall display) and the benchmark's headless participants use it, and everything they show is a pure view
of `world`. The simulated time stamped on an entry comes from the controller's clock entries and the database's
time, so screens on several machines agree on it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simulations.common.eventlog import Event, EventLog
from simulations.exercise.model import Exercise
from simulations.exercise.world import Rejected, World

DB_VARIABLE = "SMTK_EXERCISE_DB"  # the exercises' database: a SQLite file or a PostgreSQL URL


def database() -> str:
    """Where the screens keep the exercises' log: $SMTK_EXERCISE_DB (`smtk dashboards` sets it), else a file in the
    user's data folder, so screens started without it on one machine still share one database."""
    found = os.environ.get(DB_VARIABLE)
    return found or str(Path.home() / ".local" / "share" / "smtk" / "exercises.db")


class Live:
    """An exercise as one screen sees it: `refresh` folds in what others wrote; the writing calls check first."""

    def __init__(self, db: EventLog, code: str, exercise: Exercise | None = None) -> None:
        self.db, self.code, self._exercise = db, code, exercise
        self.world: World | None = None
        self.seen = 0
        self.refresh()
        if self.world is None:
            raise LookupError(f"no exercise with the code {code!r}")

    @classmethod
    def create(
        cls,
        db: EventLog,
        code: str,
        exercise: Exercise | str,
        *,
        seed: int = 0,
        org_name: str = "Acme",
        products: Sequence[str] = ("SmartKettle", "HomeHub"),
        n_posts: int | None = None,
    ) -> Live:
        """Start a new exercise under `code` (the code players type to join); the code must be new."""
        if db.read(code):
            raise ValueError(f"the code {code!r} is taken by another exercise; pick another")
        world = World.create(exercise, seed=seed, org_name=org_name, products=products, n_posts=n_posts)
        db.append(code, "setup", world.setup_payload())
        return cls(db, code, world.exercise)

    def refresh(self) -> list[Event]:
        """Fold in the entries written since the last refresh (by anyone); returns them."""
        new = self.db.read(self.code, after=self.seen)
        if not new:
            return new
        if self.world is None:
            self.world = World.from_log(new, self._exercise)
        else:
            for e in new:
                self.world.apply(e.kind, e.payload)
        self.seen = new[-1].seq
        return new

    def now_s(self) -> float:
        """The exercise's simulated time now, on the controller's latest clock entry and the database's time of day."""
        self.refresh()
        return self.world.now_s(self.db.now())

    def write(self, kind: str, payload: dict[str, Any]) -> Event:
        """Check an entry against the latest world, append it, and raise Rejected if another screen got in first."""
        self.refresh()
        self.world.check(kind, payload)
        event = self.db.append(self.code, kind, payload)
        self.refresh()
        why = next((r["why"] for r in self.world.rejected if r["entry"] == event.seq - 1), None)
        if why is not None:
            raise Rejected(why)
        return event

    def join(self, participant: str, name: str, role: str) -> Event:
        return self.write("join", {"participant": participant, "name": name, "role": role})

    def act(self, participant: str, action: str, post: int, **fields: Any) -> Event:
        """A player's action on a post now (route=, to=, verdict= or priority= as the action needs)."""
        self.refresh()
        role = self.world.participants.get(participant, {}).get("role")
        found = self.world.exercise.roles[role].actions.get(action) if role else None
        kind = "handoff" if found is not None and found.kind in ("hand_off", "reroute") else "decision"
        payload = {"participant": participant, "action": action, "post": int(post), "at_s": self.now_s(), **fields}
        return self.write(kind, payload)

    def clock(self, action: str, speed: float | None = None) -> Event:
        """The controller starts, pauses, resumes, changes the speed of or ends the exercise, now."""
        self.refresh()
        wall = self.db.now()
        payload: dict[str, Any] = {"action": action, "at_s": self.world.now_s(wall), "wall": wall}
        if speed is not None:
            payload["speed"] = float(speed)
        return self.write("clock", payload)

    def inject(self, **fields: Any) -> Event:
        """The controller fires a scripted event now (event=ID) or posts as a persona (persona=, text=, ...)."""
        self.refresh()
        return self.write("inject", {"at_s": self.now_s(), **fields})
