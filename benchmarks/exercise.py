"""Benchmark of the live crisis exercise: how long a stored exercise log takes to replay into its after-action review.

Run as a script (`python benchmarks/exercise.py`); the last line printed is one JSON object. A scripted team of
eight roles (four players each) plays a 1,000-post exercise; its entries are written to the shared event log, then
read back and replayed by the engine into the world and its after-action figures. `replay_s_1000_posts_8_roles`
is the best of three replays on SQLite (goal: at most 1 s on 2 cores); the same on PostgreSQL when Debian's server
is installed (a throwaway server in a temporary folder, as the tests start it). The live run's own time is printed
beside it. It exits non-zero when a replay's figures differ from the live run's, by a single number.
The screens' latency keys (inject to screen, action to controller) come with the screens.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulations.common.eventlog import EventLog  # noqa: E402
from simulations.exercise import World, after_action, load_exercise, play  # noqa: E402

EXERCISE = "rumour"  # the shipped exercise with all eight roles
POSTS = 1_000


def live_run(seed: int = 1) -> tuple[list, dict, float, int]:
    """The scripted team plays; returns the log (setup first), the live after-action figures, seconds, posts."""
    ex = load_exercise(EXERCISE)
    if len(ex.roles) != 8:
        raise SystemExit(f"{EXERCISE} should have 8 roles, has {len(ex.roles)}")
    scripted = sum(i.count for i in ex.scenario.injects) + len(ex.events)
    start = time.perf_counter()
    world = World.create(ex, seed=seed, n_posts=POSTS - scripted)
    entries = play(world, per_role=4, lag_s=(20.0, 300.0), mistakes=0.1, seed=seed)
    figures = after_action(world).as_dict()
    took = time.perf_counter() - start
    if world.rejected:
        raise SystemExit(f"the scripted team had {len(world.rejected)} entries refused: {world.rejected[:3]}")
    return [("setup", world.setup_payload()), *entries], figures, took, len(world.posts())


def replay(target: str, log: list, figures: dict, repeats: int = 3) -> tuple[float, bool]:
    """Write the log to `target`, then best-of-`repeats` seconds to read it back and derive the after-action."""
    same, best = True, float("inf")
    with EventLog(target) as db:
        for kind, payload in log:
            db.append("BENCH", kind, payload)
    for _ in range(repeats):
        start = time.perf_counter()
        with EventLog(target) as db:
            world = World.from_log(db.read("BENCH"))
        again = after_action(world).as_dict()
        best = min(best, time.perf_counter() - start)
        same = same and again == figures
    return best, same


def postgres_targets():
    """A throwaway PostgreSQL server's URL, when Debian's server is installed (as the tests start one)."""
    sys.path.insert(0, str(ROOT / "tests"))
    try:
        from postgres import run_postgres
    except ImportError as exc:  # pytest or psycopg missing: only the test extra has them
        print(f"PostgreSQL left out: {exc}", file=sys.stderr)
        return iter(())
    return run_postgres()


def main() -> int:
    log, figures, live_s, posts = live_run()
    print(f"live run: {posts} posts, {len(log)} log entries, {live_s:.3f} s (team play and after-action)")
    result: dict = {"posts": posts, "roles": 8, "entries": len(log), "live_s": round(live_s, 3)}
    differs = []
    with tempfile.TemporaryDirectory(prefix="smtk-bench-") as tmp:
        took, same = replay(str(Path(tmp) / "events.db"), log, figures)
        result["replay_s_1000_posts_8_roles"] = round(took, 4)
        print(f"SQLite replay: {took:.3f} s, {took / live_s:.2f}x the live run's time; same figures: {same}")
        differs += [] if same else ["sqlite"]
    runner = postgres_targets()
    try:
        url = next(runner)
    except StopIteration:
        url = None
    except BaseException as exc:  # noqa: BLE001 - pytest's skip when the server is not installed
        print(f"PostgreSQL left out: {exc}", file=sys.stderr)
        url = None
    if url is not None:
        try:
            took, same = replay(url, log, figures)
        finally:
            runner.close()  # stops the server and removes its folder
        result["replay_s_1000_posts_8_roles_postgres"] = round(took, 4)
        print(f"PostgreSQL replay: {took:.3f} s; same figures: {same}")
        differs += [] if same else ["postgres"]
    result["replay_matches_live"] = not differs
    print(json.dumps(result))
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
