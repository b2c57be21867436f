"""The hub's password sign-in: first use sets the password, a wrong one is refused, and bcrypt runs off the loop.

The library's FirstUseAuthenticator hashes on the hub's event loop, so one sign-in holds every other request for a
quarter of a second; the kit's runs the hashing in a thread. The test counts how often the event loop gets to run
another task while one sign-in is being checked: the library's gives it no turn at all, the kit's many.
"""

from __future__ import annotations

import asyncio
import dbm
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from firstuseauthenticator import FirstUseAuthenticator

from graders.serving.hub.signin import RosterPasswordAuthenticator


def run(coroutine):
    """Run `coroutine` on a new event loop in its own thread: the worker's thread may hold another test's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def authenticator(cls, tmp_path):
    return cls(create_users=True, dbm_path=str(tmp_path / "passwords.dbm"), min_password_length=8)


async def turns_while_signing_in(auth, name: str, password: str) -> tuple[str | None, int]:
    """Sign in once and count the other task's turns on the event loop meanwhile."""
    turns = 0
    done = asyncio.Event()

    async def other_request() -> None:
        nonlocal turns
        while not done.is_set():
            turns += 1
            await asyncio.sleep(0)

    other = asyncio.create_task(other_request())
    await asyncio.sleep(0)  # the other request is running before the sign-in starts
    turns = 0
    result = await auth.authenticate(SimpleNamespace(), {"username": name, "password": password})
    done.set()
    await other
    return result, turns


def test_first_use_sets_the_password_and_a_wrong_one_is_refused(tmp_path):
    auth = authenticator(RosterPasswordAuthenticator, tmp_path)
    handler = SimpleNamespace()
    assert run(auth.authenticate(handler, {"username": "ana", "password": "short"})) is None
    assert "at least 8 characters" in handler.custom_login_error
    assert run(auth.authenticate(handler, {"username": "ana", "password": "correct horse"})) == "ana"
    assert run(auth.authenticate(handler, {"username": "ana", "password": "wrong horse!"})) is None
    assert run(auth.authenticate(handler, {"username": "ana", "password": "correct horse"})) == "ana"
    with dbm.open(str(tmp_path / "passwords.dbm"), "r") as db:
        assert db[b"ana"].startswith(b"$2b$") and b"correct horse" not in db[b"ana"]


def test_the_library_and_the_kit_read_the_same_password_file(tmp_path):
    """A hub that ran the library's class keeps its learners' passwords under the kit's, and back."""
    library, kit = authenticator(FirstUseAuthenticator, tmp_path), authenticator(RosterPasswordAuthenticator, tmp_path)
    handler = SimpleNamespace()
    assert run(library.authenticate(handler, {"username": "ben", "password": "library set"})) == "ben"
    assert run(kit.authenticate(handler, {"username": "ben", "password": "library set"})) == "ben"
    assert run(kit.authenticate(handler, {"username": "cy", "password": "kit set it"})) == "cy"
    assert run(library.authenticate(handler, {"username": "cy", "password": "kit set it"})) == "cy"
    assert run(library.authenticate(handler, {"username": "cy", "password": "not it at all"})) is None


def test_signing_in_leaves_the_hub_free_for_other_requests(tmp_path):
    for cls in (FirstUseAuthenticator, RosterPasswordAuthenticator):
        auth = authenticator(cls, tmp_path / cls.__name__)
        (tmp_path / cls.__name__).mkdir()
        first, first_turns = run(turns_while_signing_in(auth, "dee", "first password"))
        again, again_turns = run(turns_while_signing_in(auth, "dee", "first password"))
        assert first == again == "dee"
        if cls is FirstUseAuthenticator:
            assert first_turns == again_turns == 0, "the library's hashing holds the loop (what the kit's class fixes)"
        else:
            assert first_turns > 10 and again_turns > 10, (first_turns, again_turns)


def test_a_class_signing_in_together_all_get_in(tmp_path):
    auth = authenticator(RosterPasswordAuthenticator, tmp_path)
    names = [f"learner{i:02d}" for i in range(8)]

    async def everyone(password_of):
        return await asyncio.gather(
            *(auth.authenticate(SimpleNamespace(), {"username": n, "password": password_of(n)}) for n in names)
        )

    assert run(everyone(lambda n: f"{n}-secret")) == names  # first use, all at once
    assert run(everyone(lambda n: f"{n}-secret")) == names
    assert run(everyone(lambda n: "someone else's")) == [None] * len(names)
