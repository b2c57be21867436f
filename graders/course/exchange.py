"""nbgrader's exchange for a course served on the hub: each track is a course of its own (`<org>-<track>`), so a
learner's Assignments panel lists only their tracks' modules; releases and feedback go to every track course that
holds the module. The exchange lives in the course root (`hub/exchange`), so the trainer's commands find it."""

from __future__ import annotations

from pathlib import Path

from graders.course.manifest import course_manifest
from graders.course.root import GradeError, nbgrader_api
from simulations.profile.org import load_org


def exchange_root(root: Path) -> Path:
    return Path(root) / "hub" / "exchange"


def track_course(course_id: str, track: str) -> str:
    """The nbgrader course id of one track of the organisation's course."""
    return f"{course_id}-{track}"


def track_modules(root: Path) -> dict[str, list[str]]:
    """The built course's tracks and, for each, the modules released for learners (manifest order)."""
    root = Path(root)
    org = load_org(root / "org.yaml")
    manifest = course_manifest(root)
    built = {p.name for p in (root / "release").iterdir() if p.is_dir()}
    return {t.id: [m.id for m in t.modules if m.id in built] for t in manifest.tracks if t.id in org.tracks}


def _api(root: Path, course_id: str, **sections: dict):
    exchange = {"root": str(exchange_root(root)), "path_includes_course": True}
    return nbgrader_api(root, {"CourseDirectory": {"course_id": course_id}, "Exchange": exchange, **sections})


def release_tracks(root: Path) -> dict[str, list[str]]:
    """Release each track's modules into the exchange under the track's course id (again: the latest copy wins)."""
    exchange = exchange_root(root)
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o777)  # nbgrader's exchange is shared by every learner's server
    slug, tracks = load_org(Path(root) / "org.yaml").slug, track_modules(root)
    for track, modules in tracks.items():
        api = _api(root, track_course(slug, track), ExchangeReleaseAssignment={"force": True})
        for module in modules:
            outcome = api.release_assignment(module)
            if not outcome.get("success"):
                raise GradeError(f"nbgrader could not release {module} to track {track}: {outcome.get('log', '')}")
    return tracks


def release_feedback(root: Path, assignment: str) -> list[str]:
    """Put the generated feedback of `assignment` where learners fetch it, in every track course that holds it.

    nbgrader names each feedback file by a hash of the course, the learner, the submission and its time, so a
    learner finds only their own. Returns the track courses released to; none when the course has no hub.
    """
    if not exchange_root(root).is_dir():
        return []
    slug, released = load_org(Path(root) / "org.yaml").slug, []
    for track, modules in track_modules(root).items():
        if assignment in modules:
            course = track_course(slug, track)
            outcome = _api(root, course).release_feedback(assignment)
            if not outcome.get("success"):
                raise GradeError(f"nbgrader could not release the feedback of {assignment} to {course}")
            released.append(course)
    return released
