"""The live crisis exercises' after-action exports for `smtk certify`: per ended exercise, the one-page review as
PDF and xAPI statements per participant (attempted when they joined; completed when the exercise ended, with their
share of answers that matched the policy as the score), written with the kit's xAPI code beside the modules' own.

The statements come from the stored log alone (the database's times, not today's), so exporting twice gives the
same statement ids and a learning record store keeps one copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from graders.results import xapi
from simulations.common.eventlog import EventLog
from simulations.exercise import World, after_action, participants
from simulations.ui.apps.exercise import review_brief


@dataclass(frozen=True)
class ExerciseExport:
    """What was exported: the ended exercises' codes, their PDFs and the statements (in xAPI 1.0.3)."""

    codes: list[str]
    pdfs: list[Path]
    statements: list[dict]


def _when(stored: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(stored, dt.UTC)


def exercise_statements(world: World, code: str, entries: list, home_page: str) -> list[dict]:
    """Per participant of an ended exercise: attempted (at their join) and completed (at the end), scored by the share
    of their answers that matched the policy, with the team's figures in the context."""
    figures = after_action(world)
    activity = {
        "objectType": "Activity",
        "id": f"{home_page}/exercises/{code}",
        "definition": {"name": {"en-US": f"Crisis exercise: {world.exercise.title}"}, "type": xapi.SIMULATION_TYPE},
    }
    ext = f"{home_page}/extensions"
    joined = {e.payload["participant"]: e.stored for e in entries if e.kind == "join"}
    ended = next(e.stored for e in reversed(entries) if e.kind == "clock" and e.payload.get("action") == "end")
    out = []
    for p in participants(world):
        name = p["participant"].removeprefix("user:").removeprefix("name:")
        agent = xapi.actor(name, "", home_page)
        context = {
            "extensions": {
                f"{ext}/exercise-role": p["role"],
                f"{ext}/team-alignment": round(figures.team_alignment, 4),
                f"{ext}/crisis-level": figures.crisis_level,
                f"{ext}/actions": p["actions"],
                f"{ext}/answers": p["answers"],
            }
        }
        result: dict = {"completion": True}
        if p["alignment"] is not None:
            result["score"] = {"scaled": round(p["alignment"], 4), "raw": p["aligned"], "min": 0, "max": p["answers"]}
        out.append(xapi.statement(agent, "attempted", activity, context, _when(joined[p["participant"]])))
        out.append(xapi.statement(agent, "completed", activity, context, _when(ended), result))
    return out


def export_exercises(target: str | Path, out: Path, home_page: str) -> ExerciseExport:
    """Every ended exercise in the database at `target`: its review as out/exercises/<code>.pdf, and its statements."""
    codes, pdfs, items = [], [], []
    with EventLog(target) as db:
        for code in db.logs():
            entries = db.read(code)
            if not entries or entries[0].kind != "setup":
                continue  # another feature's log in the same database
            world = World.from_log(entries)
            if not world.clock.ended:
                continue
            path = out / "exercises" / f"{code}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(review_brief(world, code).pdf())
            codes.append(code)
            pdfs.append(path)
            items += exercise_statements(world, code, entries, home_page)
    return ExerciseExport(codes, pdfs, items)
