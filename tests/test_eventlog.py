"""The shared append-only event log, on SQLite (WAL) and on a real PostgreSQL server started for the session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from postgres import fresh_database, run_postgres

from simulations.common.eventlog import EventLog
from simulations.exercise import Rejected, World, after_action, play
from simulations.exercise.live import Live


@pytest.fixture(scope="module")
def postgres_url():
    yield from run_postgres()


@pytest.fixture(params=["sqlite", "postgres"])
def target(request, tmp_path):
    """Where a fresh database lives: a SQLite file, or a fresh database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "shared" / "events.db")
    name = f"t_{request.node.name.split('[')[0][-40:]}_{abs(hash(str(tmp_path))) % 10**8}".lower()
    return fresh_database(request.getfixturevalue("postgres_url"), name)


def test_entries_come_back_numbered_and_exactly_as_written(target):
    payload = {"at_s": 0.1 + 0.2, "tiny": 1e-300, "big": 2**53 + 1, "text": "Grüße — 'quoted' \"too\"", "n": None}
    with EventLog(target) as log:
        first = log.append("EX1", "join", {"participant": "a"})
        second = log.append("EX1", "decision", payload)
        assert (first.seq, second.seq) == (1, 2)
        got = log.read("EX1")
        assert [(e.seq, e.kind) for e in got] == [(1, "join"), (2, "decision")]
        assert got[1].payload == payload and got[1].payload["at_s"] == 0.1 + 0.2
        assert [e.seq for e in log.read("EX1", after=1)] == [2]
        assert log.read("EX1", after=2) == []
        with pytest.raises(ValueError):
            log.append("EX1", "decision", {"at_s": float("nan")})
        assert len(log.read("EX1")) == 2
    with EventLog(target) as reopened:  # a screen that reconnects loses nothing
        assert [e.payload for e in reopened.read("EX1")] == [{"participant": "a"}, payload]


def test_logs_stay_apart(target):
    with EventLog(target) as log:
        for i in range(5):
            log.append("AAA", "x", {"i": i})
            log.append("BBB", "x", {"i": -i})
        assert log.logs() == ["AAA", "BBB"]
        assert [e.payload["i"] for e in log.read("AAA")] == [0, 1, 2, 3, 4]
        assert [e.seq for e in log.read("BBB")] == [1, 2, 3, 4, 5]
        assert all(e.log == "BBB" and e.payload["i"] <= 0 for e in log.read("BBB"))


def test_concurrent_writers_never_share_a_number(target):
    """Four writers, each with its own connection to a new database, create the table and append to one log at once:
    numbers run 1..N without a gap."""
    per_writer, errors = 40, []

    def writer(k: int) -> None:
        try:
            with EventLog(target) as log:
                for i in range(per_writer):
                    log.append("RACE", "decision", {"writer": k, "i": i})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with EventLog(target) as log:
        got = log.read("RACE")
    assert [e.seq for e in got] == list(range(1, 4 * per_writer + 1))
    for k in range(4):
        assert [e.payload["i"] for e in got if e.payload["writer"] == k] == list(range(per_writer))


def test_wait_returns_what_another_connection_writes(target):
    with EventLog(target) as reader, EventLog(target) as writer:
        assert reader.wait("W", after=0, timeout=0.2) == []
        timer = threading.Timer(0.2, lambda: writer.append("W", "clock", {"action": "start"}))
        timer.start()
        got = reader.wait("W", after=0, timeout=10)
        timer.join()
        assert [e.kind for e in got] == ["clock"]
        assert reader.now() > 0


def test_two_exercises_in_one_database_replay_to_the_same_worlds(target):
    """Two exercises written interleaved into one database: each log, read back, gives its live world exactly."""
    lives = {"EX-A": World.create("defect-viral", seed=4), "EX-B": World.create("safety-incident", seed=9)}
    logs = {code: [("setup", w.setup_payload()), *play(w, per_role=2, seed=len(code))] for code, w in lives.items()}
    with EventLog(target) as db:
        a, b = logs["EX-A"], logs["EX-B"]
        for i in range(max(len(a), len(b))):
            for code, entries in (("EX-A", a), ("EX-B", b)):
                if i < len(entries):
                    db.append(code, *entries[i])
        for code, live in lives.items():
            stored = db.read(code)
            assert [(e.kind, e.payload) for e in stored] == [(k, dict(p)) for k, p in logs[code]]
            replayed = World.from_log(stored)
            assert replayed.exercise.id == live.exercise.id
            assert after_action(replayed).as_dict() == after_action(live).as_dict()


def test_screens_share_one_world_through_the_log(target):
    """A controller and two players, each with its own connection: they see each other, share one clock, and a
    player who reconnects gets role and queue back."""
    with EventLog(target) as c_db, EventLog(target) as a_db, EventLog(target) as b_db:
        controller = Live.create(c_db, "CRISIS1", "defect-viral", seed=3)
        Live.create(c_db, "CRISIS2", "employee-leak", seed=3)  # a second exercise on the same server
        with pytest.raises(ValueError, match="taken"):
            Live.create(c_db, "CRISIS1", "rumour")
        desk, legal = Live(a_db, "CRISIS1"), Live(b_db, "CRISIS1")
        desk.join("ana", "Ana", "social_desk")
        legal.join("lee", "Lee", "legal")
        controller.clock("start", speed=10)
        time.sleep(0.3)
        controller.clock("pause")
        paused = controller.now_s()
        assert paused >= 2.0
        time.sleep(0.2)
        assert desk.now_s() == legal.now_s() == controller.now_s() == paused  # pause stops every clock
        controller.inject(persona="reporter", kind="journalist_question", severity="high", text="Recall?")
        desk.refresh()
        post = len(desk.world.posts()) - 1
        assert post in desk.world.queue("social_desk", paused)["post_id"].tolist()
        desk.act("ana", "reply_checked", post, route="concur")
        legal.refresh()
        draft = legal.world.post_state(post)
        assert draft.status == "draft" and draft.holder == "legal"
        with pytest.raises(Rejected, match="already been dealt with|not in"):
            desk.act("ana", "reply", post, route="concur")
        assert [p["role"] for p in Live(c_db, "CRISIS2").world.participants.values()] == []
        again = Live(EventLog(target), "CRISIS1")  # Ana reloads her page
        assert again.world.participants["ana"] == {"name": "Ana", "role": "social_desk"}
        assert again.world.post_state(post) == legal.world.post_state(post)
        controller.refresh()
        assert after_action(again.world).as_dict() == after_action(controller.world).as_dict()
        again.db.close()


def test_another_process_replays_the_stored_log_to_the_same_figures(target):
    """The after-action figures equal an offline replay of the stored log, in a fresh interpreter."""
    live = World.create("employee-leak", seed=6)
    entries = [("setup", live.setup_payload()), *play(live, per_role=2, seed=2)]
    with EventLog(target) as db:
        for kind, payload in entries:
            db.append("OFFLINE", kind, payload)
    code = (
        "import json, sys\n"
        "from simulations.common.eventlog import EventLog\n"
        "from simulations.exercise import World, after_action\n"
        "with EventLog(sys.argv[1]) as db:\n"
        "    print(json.dumps(after_action(World.from_log(db.read('OFFLINE'))).as_dict()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, target],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "PYTHONHASHSEED": "123"},
    )
    assert json.loads(done.stdout) == json.loads(json.dumps(after_action(live).as_dict()))


def test_a_history_is_added_at_once_numbered_after_what_is_there(target):
    with EventLog(target) as log:
        log.append("lib", "posted", {"n": 0})
        added = log.extend("lib", [("posted", {"n": i}) for i in range(1, 501)])
        assert [e.seq for e in added] == list(range(2, 502))
        with pytest.raises(ValueError, match="needs a log key and a kind"):
            log.extend("lib", [("posted", {"n": 501}), ("", {"n": 502})])
        again = log.read("lib")
    assert [e.payload["n"] for e in again] == list(range(501)), "a bad entry stores none of its batch"
