"""The living library on real databases: the moderation gate, the CoE's queue, search, Q&A, experts, the revision
queue (in `smtk check` too), and a state that is the same after the database is closed and opened again."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import chromium_or_skip, smtk_command
from postgres import fresh_database, run_postgres

from graders.course.check import check_course, format_report
from graders.course.manifest import course_manifest, library_modules, read_manifest
from graders.paths import MANIFEST, ROOT
from graders.results.library_feed import feed_library
from simulations.common.datafiles import DataError
from simulations.common.eventlog import EventLog
from simulations.library import (
    ANONYMOUS,
    MAX_CHARS,
    Blocked,
    Credential,
    LibraryRules,
    LibraryStore,
    ModuleInfo,
    Refused,
    digest,
    display_text,
    experts,
    revision_queue,
)
from simulations.ui.apps.library import LibraryApp

TODAY = dt.date(2026, 6, 1)  # a fixed day: nothing here depends on the real date
MODULES = [
    ModuleInfo("disclosure", "Say you work here", "employees", 10, dt.date(2027, 3, 31)),
    ModuleInfo("leaks", "What not to share", "employees", 8, dt.date(2027, 3, 31)),
    ModuleInfo("budget", "A budget for the bad year", "executives", 9, dt.date(2026, 6, 20)),
]
SAFE_NOTE = "At the retail conference, three speakers said to put the employee connection first in every post."


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "library" / "library.db"


@pytest.fixture
def store(db):
    with LibraryStore(db, MODULES, org_name="Larkspur Appliances") as s:
        yield s


def stored(db: Path) -> list:
    with EventLog(db) as log:
        return log.read("library")


def test_a_note_with_confidential_text_is_blocked_with_its_reason_and_not_stored(store, db):
    with pytest.raises(Blocked) as blocked:
        store.post("ana", "leaks", "trip-notes", "Saw the roadmap: the new fridge launches next month at $499 each.")
    reasons = " | ".join(blocked.value.reasons)
    assert "internal label \u201croadmap\u201d" in reasons
    assert "business figure \u201c$499\u201d" in reasons
    assert "unannounced timing" in reasons
    assert "leave the figure out" in blocked.value.change  # what to change, not only why
    assert stored(db) == [] and store.state().contributions == {}


def test_a_failed_disclosure_in_an_example_post_is_blocked(store):
    late = "Example post for the launch week: love the new kettle, it boils fast and looks good " + "x" * 200 + " #ad"
    with pytest.raises(Blocked, match="disclosure: #ad comes after the first"):
        store.post("ana", "disclosure", "how-to", late)
    with pytest.raises(Blocked, match="#spon is ambiguous"):
        store.post("ana", "disclosure", "how-to", "Try this: #spon Our kettle is great.")
    clear = "Example post: #LarkspurEmployee I helped design this kettle and it is my favourite."
    assert store.post("ana", "disclosure", "how-to", clear) == "c1"  # the organisation's employee tag is accepted


def test_the_coe_accepts_a_note_and_a_learners_search_then_finds_it(store):
    cid = store.post("ana", "disclosure", "trip-notes", SAFE_NOTE)
    assert [c.id for c in store.state().pending()] == [cid]
    assert store.search("speakers employee connection") == []  # pending: only the CoE sees it
    store.accept("coe-lead", cid)
    hits = store.search("speakers employee connection")
    assert [(h.id, h.kind, h.module) for h in hits] == [(cid, "trip-notes", "disclosure")]
    assert store.state().pending() == []
    assert store.search("speakers", topic="employees")[0].id == cid
    assert store.search("speakers", topic="executives") == []
    assert [c.id for c in store.state().accepted_by_author("ana")] == [cid]


def test_declined_and_edited_contributions(store):
    first = store.post("ben", "leaks", "note", "Ask the social desk before you answer a complaint in public.")
    second = store.post("ben", "leaks", "note", "Photos of the office lobby are fine to share on weekends.")
    with pytest.raises(Refused, match="reason: is empty"):
        store.decline("coe-lead", second, "  ")
    store.decline("coe-lead", second, "The lobby shows visitor badges on the desk.")
    store.edit("coe-lead", first, "Ask the social desk before you answer any complaint in public.")
    state = store.state()
    assert state.contributions[second].state == "declined"
    assert state.contributions[second].reason == "The lobby shows visitor badges on the desk."
    assert state.contributions[first].state == "edited"
    assert [h.id for h in store.search("lobby photos")] == []
    assert [h.id for h in store.search("any complaint")] == [first]
    store.decline("coe-lead", first, "Superseded by the new policy page.")  # a published note can be withdrawn
    assert store.search("complaint") == []


def test_a_question_gets_an_answer_and_shows_it(store):
    qid = store.ask("carl", "disclosure", "Does a retweet of our own ad need a tag?")
    assert not store.state().questions[qid].answered(store.state().answers)
    aid = store.answer("dana", qid, "Yes: your retweet is your own endorsement, so add the employee tag.")
    store.accept("coe-lead", aid)
    state = store.state()
    question = state.questions[qid]
    assert question.answers == (aid,) and question.answered(state.answers)
    assert state.answers[aid].text.startswith("Yes: your retweet") and state.answers[aid].accepted_by == "coe-lead"
    assert [h.id for h in store.search("endorsement")] == [qid]  # found by the words of its answer


def test_the_expert_list_follows_the_data(store):
    credentials = [
        Credential("erin", "employees", "certified", "expert"),
        Credential("finn", "disclosure", "passed"),
        Credential("gus", "budget", "passed"),
    ]
    assert [e.person for e in experts(store.state(), "disclosure", credentials)] == ["erin", "finn"]
    cid = store.post("finn", "disclosure", "how-to", SAFE_NOTE)
    assert [e.person for e in experts(store.state(), "disclosure", credentials)] == ["erin", "finn"]  # pending
    store.accept("coe", cid)
    qid = store.ask("hana", "disclosure", "Where does the tag go in a video?")
    aid = store.answer("ivan", qid, "Say it out loud in the first seconds and put it in the caption too.")
    listed = experts(store.state(), "disclosure", credentials)
    assert "ivan" not in [e.person for e in listed]  # an answer counts once it is accepted
    store.accept("coe", aid)
    ranked = experts(store.state(), "employees", credentials)
    assert [e.person for e in ranked] == ["erin", "finn", "ivan"]  # a pass and a how-to equal a certificate: by name
    listed = {e.person: e for e in ranked}
    assert listed["finn"].reasons == ("passed Say you work here", f"how-to {cid} on Say you work here was accepted")
    assert listed["ivan"].reasons == (f"answered {qid} (Where does the tag go in a video?): accepted",)
    assert "gus" not in listed
    assert [e.person for e in experts(store.state(), "budget", credentials)] == ["gus"]
    store.accept("coe", store.post("finn", "leaks", "note", "Blur screens in every photo taken at a desk."))
    assert [e.person for e in experts(store.state(), "employees", credentials)][:2] == ["finn", "erin"]
    assert [e.person for e in experts(store.state(), "disclosure", credentials)][:2] == ["erin", "finn"]


def test_low_ratings_and_an_open_question_top_the_revision_queue(store):
    for i, rating in enumerate([2, 1, 3, 2, 2]):
        store.rate(f"learner{i}", "leaks", rating, "the examples are from 2019" if rating < 3 else "")
    store.rate("learner0", "disclosure", 5, "clear")
    store.ask("carl", "leaks", "Is a photo of the canteen menu fine to share?")
    store.flag("dana", "leaks", "the platform screenshots are out of date")
    queue = revision_queue(store.state(), TODAY)
    assert [e.module for e in queue] == ["leaks", "budget"]  # budget: only its review_by in 19 days
    top = {ev.kind: ev for ev in queue[0].evidence}
    assert set(top) == {"low ratings", "open questions", "flagged"}
    assert top["low ratings"].summary == "mean 2.00 from 5 rating(s), below 3.5"
    assert top["low ratings"].items == (
        "1/5: the examples are from 2019",
        "2/5: the examples are from 2019 (3 learners)",
    )
    assert top["open questions"].items[0].endswith("Is a photo of the canteen menu fine to share?")
    assert [ev.kind for ev in queue[1].evidence] == ["review due soon"]
    # a newer rating from the same learner replaces the older one: learner1 now gives 5
    store.rate("learner1", "leaks", 5, "")
    assert store.state().ratings[("leaks", "learner1")].rating == 5


def test_a_revision_answers_the_evidence_and_tells_who_gave_it(store):
    for i in range(5):
        store.rate(f"learner{i}", "leaks", 1, "")
    qid = store.ask("carl", "leaks", "Which photos may I post?")
    store.ask("dana", "leaks", "Which photos may I post?")
    kinds = [ev.kind for ev in revision_queue(store.state(), TODAY)[0].evidence]
    assert kinds == ["low ratings", "open questions", "repeated questions"]
    store.revise("trainer", "leaks", dt.date(2026, 5, 30))
    state = store.state()
    assert "leaks" not in [e.module for e in revision_queue(state, TODAY)]
    assert state.notices["carl"] == ["What not to share was revised on 2026-05-30: thank you for your feedback"]
    assert set(state.notices) == {"carl", "dana", *(f"learner{i}" for i in range(5))}
    store.ask("erin", "leaks", "Which photos may I post now?")  # new evidence after the revision counts again
    again = {e.module: e for e in revision_queue(store.state(), TODAY)}["leaks"]
    assert [(ev.kind, ev.items) for ev in again.evidence] == [
        ("open questions", (f"q{store.state().seq}: Which photos may I post now?",))
    ]
    assert qid in store.state().questions


def test_subscriptions_follow_and_unfollow(store):
    store.subscribe("ana", "employees")
    store.subscribe("ana", "budget")
    store.subscribe("ana", "budget", follow=False)
    assert store.state().subscriptions == {"ana": {"employees"}}
    assert store.state().topic_modules("employees") == {"disclosure", "leaks"}


def test_feedback_records_become_ratings(store):
    assert store.rate_from_feedback("ana", "leaks", {"rating": 2, "comment": " too long "})
    assert not store.rate_from_feedback("ben", "leaks", {"rating": 9, "comment": ""})  # unusable: nothing stored
    assert [(r.learner, r.rating, r.comment) for r in store.state().ratings.values()] == [("ana", 2, "too long")]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.post("ana", "leaks", "note", "   "), "text: is empty"),
        (lambda s: s.post("ana", "leaks", "note", "a" * (MAX_CHARS + 1)), "text: has 20,001 characters, over the"),
        (lambda s: s.post("ana", "leaks", "note", "b" * 1_000_000), "text: has 1,000,000 characters"),
        (lambda s: s.post("ana", "leaks", "note", "Nice <script>alert(1)</script>"), "holds HTML or script"),
        (lambda s: s.post("ana", "leaks", "note", 'See <a href="x">this</a>'), "holds HTML or script"),
        (lambda s: s.post("ana", "leaks", "note", "javascript:alert(1)"), "holds HTML or script"),
        (lambda s: s.post("ana", "nosuch", "note", SAFE_NOTE), "module: unknown module 'nosuch'"),
        (lambda s: s.post("ana", "leaks", "rumour", SAFE_NOTE), "kind: unknown kind of contribution 'rumour'"),
        (lambda s: s.post("", "leaks", "note", SAFE_NOTE), "author: is empty"),
        (lambda s: s.ask("ana", "nosuch", "Why?"), "unknown module"),
        (lambda s: s.answer("ana", "q999", "Because."), "no question 'q999'"),
        (lambda s: s.accept("coe", "c999"), "no contribution or answer 'c999'"),
        (lambda s: s.rate("ana", "leaks", 7, ""), "rating: 7 is not a rating"),
        (lambda s: s.rate("ana", "leaks", None, ""), "neither a rating nor a comment"),
        (lambda s: s.subscribe("ana", "gossip"), "unknown module or track 'gossip'"),
        (lambda s: s.search("x", topic="gossip"), "unknown module or track 'gossip'"),
    ],
)
def test_bad_input_gets_its_message_and_stores_nothing(store, db, call, message):
    before = dataclasses.asdict(store.state())
    with pytest.raises(Refused) as refused:
        call(store)
    assert message in str(refused.value)
    assert stored(db) == []
    assert dataclasses.asdict(store.state()) == before


def test_text_is_stored_as_written_and_escaped_on_display(store):
    text = "Compare A & B: 3 < 4, and say \u201cthanks\u201d."
    cid = store.post("ana", "leaks", "note", text)
    assert store.state().contributions[cid].text == text
    assert display_text(text) == "Compare A &amp; B: 3 &lt; 4, and say \u201cthanks\u201d."


@pytest.fixture(scope="module")
def postgres_url():
    yield from run_postgres()


@pytest.fixture(params=["sqlite", "postgres"])
def target(request, tmp_path):
    """A fresh library database: a SQLite file, or a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "library.db")
    return fresh_database(request.getfixturevalue("postgres_url"), f"library_{abs(hash(str(tmp_path))) % 10**8}")


def test_the_state_survives_closing_and_reopening_the_database(target):
    with LibraryStore(target, MODULES) as first:
        cid = first.post("ana", "disclosure", "trip-notes", SAFE_NOTE)
        first.accept("coe", cid)
        pending = first.post("ben", "leaks", "note", "Keep screenshots of customer chats out of team channels.")
        qid = first.ask("carl", "leaks", "May I share the canteen menu?")
        first.accept("coe", first.answer("dana", qid, "Yes, it is on the public website."))
        first.rate("erin", "budget", 2, "needs a worked example")
        first.subscribe("erin", "employees")
        first.flag("finn", cid, "the speaker list changed")
        before = dataclasses.asdict(first.state())
    with LibraryStore(target, MODULES) as second:
        after = second.state()
        assert dataclasses.asdict(after) == before
        assert after.contributions[pending].state == "pending"
        assert [h.id for h in second.search("canteen menu")] == [qid]


def test_smtk_check_lists_the_revision_queue(tmp_path):
    manifest = read_manifest(MANIFEST)
    modules = library_modules(manifest)
    worst, other = modules[3].id, modules[0].id
    db = tmp_path / "library.db"
    with LibraryStore(db, modules) as store:
        for i in range(5):
            store.rate(f"learner{i}", worst, 1 + i % 2, "hard to follow")
        store.ask("ana", worst, "Where is the example the video mentions?")
        store.rate("ben", other, 5, "")
    report = check_course(today=dt.date(2026, 11, 23), library=db)
    assert report.revision[0].module == worst
    assert other not in [e.module for e in report.revision]
    text = format_report(report)
    assert f"REVISE 1. {worst} (" in text and "  low ratings: mean 1.40 from 5 rating(s), below 3.5" in text
    exe = Path(sys.executable).parent / "smtk"
    cli = [str(exe), "check", "--today", "2026-11-23", "--library", str(db)]
    done = subprocess.run(cli, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert f"REVISE 1. {worst} (" in done.stdout, done.stderr
    assert "Where is the example the video mentions?" in done.stdout
    missing = check_course(today=dt.date(2026, 11, 23), library=tmp_path / "none.db")
    assert any("no library database here" in str(p) for p in missing.problems)
    assert not (tmp_path / "none.db").exists()


def test_the_benchmark_runs_at_a_tiny_size():
    path = ROOT / "benchmarks" / "library.py"
    spec = importlib.util.spec_from_file_location("library_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.measure(learners=50, notes=300, questions=60, queries=20, seed=3)
    assert figures["notes"] == 300 and figures["questions"] == 60
    assert figures["search_ms_p95"] >= figures["search_ms_p50"] > 0
    assert figures["revision_queue_modules"] > 0 and figures["page_tti_s"] is None
    assert figures["match_count_mismatches"] == 0  # the engine and FTS5 match the same documents
    assert figures["search_hits_mean"] > 0  # the generated queries find something


@pytest.mark.browser
def test_the_benchmarks_library_page_opens_in_chromium_on_a_stored_library():
    chromium_or_skip()
    path = ROOT / "benchmarks" / "library.py"
    spec = importlib.util.spec_from_file_location("library_bench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _, events, _ = module.generate(20, 60, 10, 3)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # Playwright's sync API refuses a thread with a loop
        (seconds,) = pool.submit(module.page_tti, events, 1).result()
    assert 0 < seconds < 300


def test_search_ranks_rarer_words_higher_and_newer_first_on_a_tie(store):
    common = "Ask the social desk before answering a complaint."
    first = store.post("ana", "leaks", "note", common)
    second = store.post("ben", "leaks", "note", common)
    rare = store.post("carl", "leaks", "note", "Escalate a complaint about a recall to the legal team.")
    for cid in (first, second, rare):
        store.accept("coe", cid)
    assert [h.id for h in store.search("complaint")] == [rare, second, first]  # same score: the newest first
    assert [h.id for h in store.search("desk recall")][0] == rare  # one word in one note outweighs one in two
    assert [h.id for h in store.search("complaint", limit=2)] == [rare, second]
    assert store.search("nothing matches zebra") == []


def test_a_revised_date_in_the_manifest_is_recorded_once(db):
    with LibraryStore(db, MODULES) as store:
        store.flag("ana", "leaks", "the screenshots show the old app")
        assert store.record_revisions() == []  # no module of MODULES has a revised date
    revised = [dataclasses.replace(m, revised=dt.date(2026, 5, 1)) if m.id == "leaks" else m for m in MODULES]
    with LibraryStore(db, revised) as store:
        assert store.record_revisions() == ["leaks"]
        assert store.record_revisions() == []  # already recorded: nothing appended again
        assert store.state().notices == {
            "ana": ["What not to share was revised on 2026-05-01: thank you for your feedback"]
        }
        assert "leaks" not in [e.module for e in revision_queue(store.state(), TODAY)]


def _lesson_with_feedback(path: Path, rating: int, comment: str) -> None:
    """A graded lesson notebook whose closing feedback cell says `rating` and `comment`."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(f"FEEDBACK = {{'rating': {rating}, 'comment': {comment!r}}}")
    cell.metadata["tags"] = ["feedback"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A lesson"), cell]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_graded_feedback_flows_into_the_librarys_ratings_once(graded_course, tmp_path):
    """The closing feedback of graded notebooks becomes the learners' ratings of their modules: a module of several
    lessons by the mean of its lessons' ratings, half up; a comment with markup is left out with the reason; a
    second feeding stores nothing; newer feedback replaces the older."""
    manifest = course_manifest(graded_course)
    root = tmp_path / "course"
    shutil.copytree(graded_course / "autograded", root / "autograded")
    lessons = [m for m in manifest.modules if len(m.lessons) > 1][0]
    first, second = (lesson.id for lesson in lessons.lessons[:2])
    _lesson_with_feedback(root / "autograded" / "ada" / lessons.id / f"{first}.ipynb", 4, "Good map.")
    _lesson_with_feedback(root / "autograded" / "ada" / lessons.id / f"{second}.ipynb", 1, "Too long.")
    db = tmp_path / "library.db"
    with LibraryStore(str(db), library_modules(manifest)):
        pass  # the library exists: the apps have opened it

    fed = feed_library(root, db, manifest)
    assert (fed.stored, fed.unchanged) == (3, 0)
    assert fed.refused == ("bob, policy-disclosure: comment left out: comment: holds HTML or script ('<b>'); the "
                           "library stores plain text only; remove the markup and write plain text (a link as its "
                           "plain address)",)  # fmt: skip
    with LibraryStore(str(db), library_modules(manifest)) as store:
        ratings = store.state().ratings
    lessons_of_ada = [lesson.id for lesson in manifest.module("policy-disclosure").lessons]  # each left a comment
    assert (ratings[("policy-disclosure", "ada")].rating, ratings[("policy-disclosure", "ada")].comment) == (
        5,
        "; ".join(f"{lesson}: Clear and short." for lesson in lessons_of_ada),
    )
    assert (ratings[("policy-disclosure", "bob")].rating, ratings[("policy-disclosure", "bob")].comment) == (2, "")
    both = ratings[(lessons.id, "ada")]
    assert (both.rating, both.comment) == (3, f"{first}: Good map.; {second}: Too long.")  # (4 + 1) / 2 = 2.5 -> 3

    again = feed_library(root, db, manifest)
    assert (again.stored, again.unchanged) == (0, 3)
    _lesson_with_feedback(root / "autograded" / "ada" / lessons.id / f"{second}.ipynb", 5, "Better now.")
    later = feed_library(root, db, manifest)
    assert (later.stored, later.unchanged) == (1, 2)
    with LibraryStore(str(db), library_modules(manifest)) as store:
        assert store.state().ratings[(lessons.id, "ada")].rating == 5  # (4 + 5) / 2 = 4.5 -> 5


def test_a_library_named_but_missing_is_an_error_and_nothing_is_created(graded_course, tmp_path):
    missing = tmp_path / "nowhere.db"
    with pytest.raises(DataError, match="no library database here"):
        feed_library(graded_course, missing, course_manifest(graded_course))
    assert not missing.exists()


def test_smtk_grade_autograde_gives_the_feedback_to_the_library(graded_course, tmp_path):
    course = tmp_path / "demo"
    shutil.copytree(graded_course, course)
    db = tmp_path / "library.db"
    with LibraryStore(str(db), library_modules(course_manifest(course))):
        pass
    run = subprocess.run(
        [sys.executable, "-m", "graders.cli", "grade", "autograde", "policy-disclosure", "--course", str(course),
         "--library", str(db)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Library: 2 module rating(s) stored from the graded feedback, 0 unchanged." in run.stdout
    assert "bob, policy-disclosure: comment left out" in run.stdout


def test_a_tier_that_asks_for_shared_notes_counts_the_accepted_ones(graded_course, tmp_path):
    """The carrot: when the Foundation tier asks for one accepted note, ada's certificate waits for the Center of
    Excellence to accept one of hers on a module of her track; a note still pending or on another track does not
    count."""
    from graders.results.certify import certify

    course = tmp_path / "demo"
    shutil.copytree(graded_course, course)
    manifest_path = course / "course.yml"
    text = manifest_path.read_text(encoding="utf-8")
    old = "{id: foundation, title: Foundation, min_passed: 1, share_passed: 0.0, min_average: 0.7}"
    assert old in text
    manifest_path.write_text(text.replace(old, old[:-1] + ", min_contributions: 1}"), encoding="utf-8")
    manifest = course_manifest(course)
    db = tmp_path / "library.db"
    today = dt.date(2024, 3, 1)
    with LibraryStore(str(db), library_modules(manifest)) as lib:
        pending = lib.post("ada", "policy-disclosure", "note", "Ask the social desk before you answer a journalist.")
        other = lib.post("ada", "partner-accounts", "note", "Partners name their page after their town.")
        lib.accept("coe", other)
    assert certify(course, tmp_path / "none", today, library=db).certificates.empty
    with LibraryStore(str(db), library_modules(manifest)) as lib:
        lib.accept("coe", pending)
    found = certify(course, tmp_path / "some", today, library=db).certificates
    assert list(zip(found["learner"], found["track"], found["tier"], strict=True)) == [
        ("ada", "employees", "foundation")
    ]


def test_a_learner_coming_back_gets_what_is_new_on_the_topics_they_follow(store):
    """The digest: accepted notes, questions and answers by others on followed topics since the last visit; nothing
    pending, nothing of their own, nothing on topics they do not follow, nothing from before the visit."""
    store.subscribe("ana", "employees")  # the track: disclosure and leaks
    before = store.post("ben", "disclosure", "note", SAFE_NOTE)
    store.accept("coe", before)
    assert store.visit("ana") == 0  # a first visit
    accepted = store.post("ben", "leaks", "note", "Customer names stay out of every post, even in thanks.")
    store.post("ben", "leaks", "note", "A note the Center of Excellence has not read yet.")  # pending: not news
    store.accept("coe", accepted)
    question = store.ask("cai", "disclosure", "Does a repost of the company's advert need a disclosure?")
    store.answer("dee", question, "Yes: say you work there, in the post itself.")
    store.ask("ana", "leaks", "Her own question is no news to her?")
    other = store.post("ben", "budget", "note", "An executives' note, on a track ana does not follow.")
    store.accept("coe", other)
    since = store.visit("ana")  # back: the digest runs from the first visit
    library = store.state()
    news = digest(library, "ana", since)
    assert [(n.what, n.module, n.author) for n in news] == [
        ("note accepted", "leaks", "ben"),
        ("question", "disclosure", "cai"),
        ("answer", "disclosure", "dee"),
    ]
    assert digest(library, "ana", library.visits["ana"][1]) == [], "nothing after the latest visit"


def test_the_library_app_shows_a_returning_learner_what_is_new(db):
    with LibraryStore(db, MODULES, org_name="Larkspur Appliances") as store:
        store.subscribe("ana", "leaks")
        store.visit("ana")
        note = store.post("ben", "leaks", "note", "Customer names stay out of every post, even in thanks.")
        store.accept("coe", note)
    app = LibraryApp(MODULES, db, user="ana", org_name="Larkspur Appliances")
    assert "1 new on the topics you follow" in app.news.value and "Customer names stay out" in app.news.value
    again = LibraryApp(MODULES, db, user="ana", org_name="Larkspur Appliances")
    assert "Nothing new on the topics you follow" in again.news.value
    app.follow_topic.value = "disclosure"
    app.follow_button.click()
    with LibraryStore(db, MODULES) as store:
        assert store.state().subscriptions["ana"] == {"leaks", "disclosure"}


RULES = LibraryRules(
    anonymous_posts=True, unacceptable_words=("stupid", "idiots"), language_rule="Keep it civil: no insults."
)


def test_a_note_posted_without_a_name_hides_it_from_colleagues_but_not_from_the_coe(db):
    with LibraryStore(db, MODULES, rules=RULES) as store:
        store.subscribe("ana", "leaks")
        store.visit("ana")
        cid = store.post("ben", "leaks", "note", SAFE_NOTE, anonymous=True)
        qid = store.ask("cai", "leaks", "May I share a photo of the canteen menu?", anonymous=True)
        store.accept("coe", cid)
        library = store.state()
        note, question = library.contributions[cid], library.questions[qid]
        assert (note.author, note.byline, question.author, question.byline) == ("ben", ANONYMOUS, "cai", ANONYMOUS)
        assert [c.id for c in library.accepted_by_author("ben")] == [cid]  # still counts toward ben's certificate
        assert "ben" not in [e.person for e in experts(library, "leaks")]  # but names no expert
        news = digest(library, "ana", library.visits["ana"][1])
        assert [(n.what, n.author) for n in news] == [("question", ANONYMOUS), ("note accepted", ANONYMOUS)]
    app = LibraryApp(MODULES, db, user="ana", rules=RULES)
    assert "ben" not in app.news.value and "cai" not in app.news.value and ANONYMOUS in app.news.value
    shown = [c.value for c in app.widget.children if hasattr(c, "value") and isinstance(c.value, str)]
    assert app.anonymous.layout.display == "" and any("Keep it civil" in v for v in shown)


def test_where_the_rules_ask_for_names_a_post_without_one_is_refused_and_nothing_stored(store, db):
    with pytest.raises(Refused, match="anonymous: posts without a name are not allowed"):
        store.post("ben", "leaks", "note", SAFE_NOTE, anonymous=True)
    with pytest.raises(Refused, match="anonymous: "):
        store.ask("ben", "leaks", "Can I ask this without my name?", anonymous=True)
    assert stored(db) == []
    assert LibraryApp(MODULES, db).anonymous.layout.display == "none"  # and the page offers no such box


def test_the_language_rule_refuses_its_words_names_them_and_stores_nothing(db):
    with LibraryStore(db, MODULES, rules=RULES) as store:
        with pytest.raises(Refused) as refused:
            store.post("ben", "leaks", "note", "Only IDIOTS post the roadmap. Stupid, really.")
        assert refused.value.field == "text"
        assert "\u201cstupid\u201d, \u201cidiots\u201d" in refused.value.reason
        assert refused.value.change == "Keep it civil: no insults."
        qid = store.ask("ben", "leaks", "Is the new screen policy stupidly strict?")  # a whole word only
        aid = store.answer("dee", qid, "No.")
        with pytest.raises(Refused, match="stupid"):
            store.answer("eve", qid, "Stupid question.")
        with pytest.raises(Refused, match="stupid"):
            store.edit("coe", store.post("ben", "leaks", "note", SAFE_NOTE), "A stupid note.")
        assert [e.kind for e in stored(db)] == ["asked", "answered", "posted"] and aid


def test_smtk_digest_writes_what_is_new_for_each_follower_once(tmp_path, page):
    from accessibility import axe_violations, described

    modules = library_modules(read_manifest(MANIFEST))
    module, out, db = modules[0], tmp_path / "digests", tmp_path / "library.db"
    odd = "Bo & Co (desk)"  # an id that needs escaping in the page and a safe file name
    with LibraryStore(db, modules) as store:
        store.subscribe("ana", module.id)
        store.subscribe(odd, module.track)
        store.accept("coe", store.post("ben", module.id, "note", SAFE_NOTE))
        store.ask("cai", module.id, "Does a repost need the tag? Yes & no?")
        store.post("ben", module.id, "note", "A note nobody has accepted yet.")
        store.ask("ana", module.id, "Ana's own question is no news to her.")

    def digest_run() -> str:
        args = ["digest", "--library", str(db), "--out", str(out), "--org", str(ROOT / "courses/orgs/demo.yaml")]
        done = subprocess.run([*smtk_command(), *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert digest_run().startswith("Digest: 2 learner(s) with something new, 5 item(s)")
    ana = (out / "ana.html").read_text(encoding="utf-8")
    assert SAFE_NOTE in ana and "Does a repost need the tag? Yes &amp; no?" in ana
    assert "nobody has accepted" not in ana and "own question" not in ana
    (other,) = [p for p in out.glob("*.html") if p.name != "ana.html"]
    assert other.name.startswith("Bo-Co-desk-") and "For Bo &amp; Co (desk)," in other.read_text()
    assert "own question" in other.read_text()  # Ana's question is news to the other follower

    assert digest_run().startswith("Digest: 0 learner(s)")  # nothing new: nothing written, nothing sent twice
    assert (out / "ana.html").read_text(encoding="utf-8") == ana
    with LibraryStore(db, modules) as store:
        store.accept("coe", store.post("dee", module.id, "how-to", "Pin the disclosure line above the fold."))
    assert "ana: 1 new" in digest_run()
    again = (out / "ana.html").read_text(encoding="utf-8")
    assert "Pin the disclosure line" in again and SAFE_NOTE not in again

    page.goto((out / "ana.html").as_uri())
    found = axe_violations(page)
    assert found == [], "\n".join(described(found))


def test_the_trainer_app_lists_the_librarys_revision_queue_with_its_evidence(graded_course, tmp_path, monkeypatch):
    from graders.results.trainer_app import trainer_app
    from graders.results.trainer_data import trainer_data
    from simulations.exercise.live import DB_VARIABLE

    modules = library_modules(course_manifest(graded_course))
    module, db = modules[0], tmp_path / "library.db"
    monkeypatch.setenv(DB_VARIABLE, str(tmp_path / "no-library-here.db"))
    assert trainer_data(graded_course, today=TODAY).revision.empty  # no library yet: nothing is created by looking
    with LibraryStore(db, modules) as store:
        for i, rating in enumerate([1, 2, 1, 2, 1]):
            store.rate(f"learner{i}", module.id, rating, "the screenshots are out of date")
        store.ask("cai", module.id, "Which platforms does this module cover?")
    monkeypatch.setenv(DB_VARIABLE, str(db))
    data = trainer_data(graded_course, today=TODAY)
    first = data.revision.iloc[0]
    assert (first["Rank"], first["Module"]) == (1, module.title)
    assert "low ratings" in first["Evidence"] and "open questions" in first["Evidence"]
    shown = " ".join(c.value for c in trainer_app(data).children if hasattr(c, "value") and isinstance(c.value, str))
    assert "modules to revise first" in shown and module.title in shown


def test_the_library_app_shows_what_each_module_teaches_how_fresh_it_is_and_thanks_who_shared(db):
    modules = [dataclasses.replace(MODULES[0], summary="Say you work here, every time"), *MODULES[1:]]
    with LibraryStore(db, modules) as store:
        store.accept("coe", store.post("ben", "leaks", "note", SAFE_NOTE))
    app = LibraryApp(modules, db, user="ben", today=TODAY)
    assert "Say you work here, every time" in app.modules.value
    assert "review due by 2026-06-20" in app.modules.value  # the budget module, within 30 days of TODAY
    assert "current (review by 2027-03-31)" in app.modules.value
    assert "Thank you: 1 of your contribution(s) are in the library" in app.news.value
    later = LibraryApp(modules, db, user="ana", today=dt.date(2026, 7, 1))
    assert "past its review date (2026-06-20)" in later.modules.value and "Thank you" not in later.news.value


def test_the_tally_of_each_module_follows_the_library(store):
    assert store.state().tally()["leaks"].accepted == 0  # counted once for this state of the library...
    store.accept("coe", store.post("ben", "leaks", "note", SAFE_NOTE))
    store.post("ben", "leaks", "note", "Pending notes are not counted.")
    store.rate("ana", "leaks", 2)
    store.ask("cai", "leaks", "Is a photo of the canteen menu fine?")
    tally = store.state().tally()  # ...and again once it changed
    assert (tally["leaks"].accepted, tally["leaks"].ratings, tally["leaks"].questions) == (1, (2,), 1)
    assert (tally["budget"].accepted, tally["budget"].ratings, tally["budget"].questions) == (0, (), 0)


def test_a_search_without_words_browses_a_topic_newest_first(store, db):
    notes = [store.post("ana", "leaks", "note", f"Note {n} on what not to share.") for n in ("one", "two")]
    store.post("ben", "leaks", "note", "A pending note is not shown.")
    other = store.post("ben", "budget", "note", "An executives' note.")
    question = store.ask("cai", "leaks", "Is the canteen menu fine to share?")
    for cid in (*notes, other):
        store.accept("coe", cid)
    # newest as published: a note when the CoE accepted it, after the question was asked
    assert [h.id for h in store.search("", topic="leaks")] == [notes[1], notes[0], question]
    assert [h.id for h in store.search("  the  ", topic="executives")] == [other]  # common words only: browse
    app = LibraryApp(MODULES, db)
    app.topic.value = "leaks"
    app.find.click()
    assert "The newest 3 in What not to share" in app.results.value and "pending" not in app.results.value
