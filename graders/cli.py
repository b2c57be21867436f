"""The `smtk` command: one-liners over the Python API; defaults are read from the API functions so they cannot drift."""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path

from graders import __version__


def user_errors() -> tuple[type[BaseException], ...]:
    """Errors a user can act on: printed as one message, never as a traceback. Imported when a command has failed
    (each command imports only what it needs, so `smtk --help` starts in a fraction of a second)."""
    from graders.course.root import GradeError
    from graders.course.tailor import TailorError
    from graders.results.lti_services import LmsError
    from graders.results.xapi import LRSError
    from graders.serving.servers import ServerError
    from simulations.common.datafiles import DataError

    return (DataError, ServerError, TailorError, LRSError, GradeError, LmsError, FileNotFoundError)


def default(function: Callable, name: str):
    """The default of parameter `name` of an API function, so the CLI shows what the API does."""
    return inspect.signature(function).parameters[name].default


def cmd_demo(args: argparse.Namespace) -> int:
    from graders.serving.demo import run_demo

    return run_demo(
        args.org,
        args.out,
        args.lab_port,
        args.voila_port,
        open_browser=not args.no_browser,
        trainer_port=args.trainer_port,
        cohort=None if args.no_cohort else functools.partial(demo_cohort, today=args.today),
    )


def demo_cohort(root: Path, today: dt.date | None = None) -> None:
    """The demo's course step: build (or reuse) the fictional demo cohort, its timeline ending in the month of `today`
    (default: the real date); a machine that cannot grade skips it."""
    from graders.course.root import GradeError
    from graders.grading.demo_cohort import build_cohort

    print("Demo cohort: making and grading the fictional learners' work (later runs reuse it) ...", flush=True)
    try:
        print(build_cohort(root, today=today, progress=False).summary(), flush=True)
    except GradeError as exc:
        print(f"Demo cohort: not built: {exc}", flush=True)


def cmd_dashboards(args: argparse.Namespace) -> int:
    from graders.serving.dashboards import run_dashboards

    return run_dashboards(
        args.org,
        args.port,
        args.pool_size,
        args.max_kernels,
        args.cull_idle_timeout,
        args.disconnect_grace,
        open_browser=not args.no_browser,
    )


def cmd_hub(args: argparse.Namespace) -> int:
    from graders.serving.hub.launch import run_hub

    return run_hub(args.org, args.roster, args.out, args.port, args.cull_idle_timeout, args.hub_config, args.prestart)


def cmd_kernels_install(args: argparse.Namespace) -> int:
    from graders.course.kernels import install_kernels
    from graders.course.lab_settings import install_lab_settings

    for folder in install_kernels():
        print(f"installed kernel {folder.name} in {folder}")
    print(f"JupyterLab settings for the kit in {install_lab_settings()}")
    return 0


def cmd_tailor(args: argparse.Namespace) -> int:
    from graders.course.tailor import tailor
    from graders.paths import BUILD

    out = args.out or BUILD / Path(args.org).stem
    result = tailor(args.org, out, args.manifest)
    print(
        f"Course for {result.org.name} in {result.root}: "
        f"{len(result.built)} module(s) built, {len(result.unchanged)} unchanged."
    )
    for module_id in result.built + result.unchanged:
        print(f"  release: {result.release(module_id)}")
    for page in result.start_pages:
        print(f"  start here: {page}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from graders.course.check import check_course, format_report

    report = check_course(args.manifest, args.today, args.soon, args.org, args.library, args.minutes)
    print(format_report(report))
    return 0 if report.ok else 1


def cmd_banks(args: argparse.Namespace) -> int:
    from graders.grading.banks import prove_banks

    runs = prove_banks(args.org, args.module or None, args.manifest, workers=args.workers)
    for run in runs:
        print(run.summary())
    failed = sum(len(run.failures) for run in runs)
    answers = sum(len(run.scores) for run in runs)
    print(f"{answers} bank answer(s) of {len(runs)} module(s) graded: {'OK' if not failed else f'{failed} problem(s)'}")
    return 1 if failed else 0


def cmd_facts(args: argparse.Namespace) -> int:
    from graders.course.facts import list_facts

    print(list_facts(args.manifest, args.today, "csv" if args.csv else "summary" if args.summary else "table"))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from graders.course.schemas import write_schemas

    for path in write_schemas(args.out):
        print(path)
    return 0


def cmd_certify(args: argparse.Namespace) -> int:
    from graders.results.certify import certify
    from graders.results.xapi import send

    revoke = [tuple(pair.split(":", 1)) for pair in args.revoke]
    result = certify(
        args.course,
        args.out,
        args.today,
        args.within_days,
        args.base_url,
        exercises=args.exercises,
        library=_configured_library(args.library),
        revoke=revoke,
        reason=args.reason,
    )
    for row in result.certificates.itertuples(index=False):
        print(f"  {row.learner:<20} {row.track:<15} {row.tier_title:<13} valid until {row.expires}")
    if len(result.summary):
        print(result.summary.to_string(index=False, na_rep="-"))
    print(
        f"{len(result.certificates)} certificate(s), {len(result.due)} due for re-certification within "
        f"{args.within_days} days, {result.statements} xAPI statement(s); files in {result.out}"
    )
    print(
        f"{result.credentials} Open Badges 3.0 credential(s); {result.withdrawn} revoked or lapsed in the status list"
    )
    if args.lrs:
        import json

        lines = (result.out / "xapi-statements.jsonl").read_text(encoding="utf-8").splitlines()
        sent, version = send(args.lrs, [json.loads(line) for line in lines], args.lrs_auth)
        print(f"sent {sent} statement(s) to {args.lrs} in xAPI {version}")
    return 0


def _configured_library(library: str | None) -> str | None:
    from graders.results.library_feed import configured_library

    return configured_library(library)


def cmd_grade_collect(args: argparse.Namespace) -> int:
    from graders.grading.collect import collect

    print(collect(args.assignment, args.src, args.course).summary())
    return 0


def cmd_grade_autograde(args: argparse.Namespace) -> int:
    from graders.grading.pipeline import autograde

    report = autograde(args.assignment, args.course, args.workers, args.scheduler, wait=args.wait)
    print(report.summary())
    _feed_library(args.course, args.library)
    return 0


def _feed_library(course: Path, library: str | None) -> None:
    """After grading: the learners' closing feedback into the library's ratings, when there is a library (the one
    named, or the one the apps were started with)."""
    from graders.results.library_feed import feed_course

    fed = feed_course(course, library)
    if fed is not None:
        print(fed.summary())


def cmd_grade_feedback(args: argparse.Namespace) -> int:
    from graders.results.exports import feedback

    print(feedback(args.assignment, args.course).summary())
    return 0


def cmd_grade_export(args: argparse.Namespace) -> int:
    from graders.results.exports import export

    print(export(args.course, args.assignment, args.out).summary())
    return 0


def cmd_grade_items(args: argparse.Namespace) -> int:
    from graders.course.manifest import course_manifest
    from graders.results.gradebook import item_scores
    from graders.results.item_stats import item_statistics
    from graders.results.trainer_data import item_forms

    items = item_scores(args.course)
    if (Path(args.course) / "course.yml").exists():  # a course built by smtk tailor: name simulations as such
        items = item_forms(items, course_manifest(args.course))
    table = item_statistics(items[items["module"] == args.assignment] if args.assignment else items)
    if args.csv:
        table.to_csv(args.csv, index=False)
    flagged = int((table["flags"].str.len() > 0).sum())
    print(table.to_string(index=False, na_rep="-") if len(table) else "No graded items yet.")
    print(f"{flagged} of {len(table)} item(s) flagged for review." + (f" Written {args.csv}" if args.csv else ""))
    return 0


def cmd_grade_passback(args: argparse.Namespace) -> int:
    import json

    from graders.course.lti_key import tool_jwks
    from graders.results.passback import passback
    from simulations.common.datafiles import DataError
    from simulations.profile.org import load_org

    if args.keyset:
        services = load_org(args.org).lti
        if services is None or services.services is None:
            raise DataError(args.org, "lti.services", "required: it names the tool's private key")
        print(json.dumps(tool_jwks(services.services.private_key), indent=2))
        return 0
    report = passback(args.org, args.course, retries=args.retries)
    print(report.summary())
    return 0 if report.ok else 1


def cmd_roster_import(args: argparse.Namespace) -> int:
    from graders.results.roster_import import import_roster

    tracks = tuple(t for t in re.split(r"[;,\s]+", args.tracks or "") if t)
    print(import_roster(args.org, args.roster, tracks=tracks, retries=args.retries).summary())
    return 0


def cmd_package_cmi5(args: argparse.Namespace) -> int:
    from graders.course.cmi5_package import package_cmi5
    from simulations.profile.org import load_org

    package = package_cmi5(args.org, args.hub_url, args.course, args.out)
    print(f"Wrote {package.path} ({package.size} bytes): a cmi5 course package, {package.aus} assignable unit(s),")
    print(f"  each launching into the hub at {args.hub_url.rstrip('/')}/hub/cmi5/module/... Import it in the LMS.")
    if load_org(args.org).cmi5 is None:
        print(f"  Note: {args.org} has no cmi5.lms_urls: the hub takes no cmi5 launch until it lists the LMS's.")
    return 0


def _package(package: argparse.ArgumentParser) -> None:
    kinds = package.add_subparsers(dest="package_kind", metavar="KIND", required=True)
    cmi5 = kinds.add_parser(
        "cmi5",
        help="a cmi5 course package (cmi5.xml: one assignable unit per module, launching into the hub)",
        description="Write the organisation's course as a cmi5 course package for the LMS: one block per track, one "
        "assignable unit per released module, each launching into the hub at that module.",
    )
    cmi5.add_argument("org", type=Path, help="organisation profile (YAML)")
    cmi5.add_argument("--hub-url", required=True, help="the hub's public address, e.g. https://training.example.com")
    cmi5.add_argument("--course", type=Path, default=None, help="course root (default: build/<org>, built if missing)")
    cmi5.add_argument(
        "--out", type=Path, default=None, help="a .zip, or a folder for cmi5.xml (default: build/<org>-cmi5.zip)"
    )
    cmi5.set_defaults(run=cmd_package_cmi5)


def _roster(roster: argparse.ArgumentParser) -> None:
    actions = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="write the LMS course's members into the roster (LTI 1.3 Names and Role Provisioning)",
        description="Read the LMS course's members and merge them into ROSTER (created if missing): people already "
        "on it keep their sign-in name, tracks, unit and region; nobody is removed.",
    )
    imp.add_argument("org", type=Path, help="organisation profile (YAML) with an lti.services block")
    imp.add_argument("roster", type=Path, help="the roster CSV to write (merged with it when it exists)")
    imp.add_argument("--tracks", default="", help="tracks for new learners, e.g. employees or 'employees;partners'")
    imp.add_argument("--retries", type=int, default=5, help="retries per request")
    imp.set_defaults(run=cmd_roster_import)


def _grade(grade: argparse.ArgumentParser) -> None:
    from graders.grading.pipeline import autograde
    from graders.results.passback import passback

    grade.description = "Grade a course root made by `smtk tailor`. Manual answers are graded in nbgrader's formgrader."
    actions = grade.add_subparsers(dest="grade_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str, run) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, help=help_text, description=help_text)
        parser.add_argument("--course", type=Path, default=Path(default(autograde, "course")), help="course root")
        parser.set_defaults(run=run)
        return parser

    collect_cmd = action(
        "collect", "bring learners' notebooks (folder, zip or exchange) into submitted/", cmd_grade_collect
    )
    collect_cmd.add_argument("assignment", help="module id, e.g. policy-disclosure")
    collect_cmd.add_argument("src", type=Path, help="folder or zip of <learner>.ipynb or <learner>/<assignment>/")
    auto = action("autograde", "grade every submission not graded yet, each in its own sandbox", cmd_grade_autograde)
    auto.add_argument("assignment", help="module id")
    auto.add_argument("--workers", type=int, default=default(autograde, "workers"), help="submissions at once")
    auto.add_argument("--scheduler", default=None, help="run on a Dask distributed cluster at this address")
    auto.add_argument("--wait", action="store_true", help="wait for another grading run of this course to finish")
    auto.add_argument(
        "--library",
        default=None,
        help="the library's database (SQLite file or PostgreSQL URL) to give the learners' closing feedback to "
        "(default: $SMTK_EXERCISE_DB, the one the apps were started with, when it exists)",
    )
    fb = action("feedback", "HTML feedback for each graded learner, without hidden tests", cmd_grade_feedback)
    fb.add_argument("assignment", help="module id")
    back = action(
        "passback",
        "post each learner's score per module to the LMS's gradebook (LTI 1.3 Assignment and Grade Services)",
        cmd_grade_passback,
    )
    back.add_argument("org", type=Path, help="organisation profile (YAML) with an lti.services block")
    back.add_argument("--retries", type=int, default=default(passback, "retries"), help="retries per request")
    back.add_argument("--keyset", action="store_true", help="print the tool's public keyset (JWKS) for the LMS")
    items = action(
        "items",
        "item statistics after a cohort: difficulty, discrimination (point-biserial) and flags per graded item",
        cmd_grade_items,
    )
    items.add_argument("assignment", nargs="?", default=None, help="module id (default: every assignment)")
    items.add_argument("--csv", type=Path, default=None, help="also write the table as CSV to this file")
    exp = action("export", "grades per learner and item as CSV and JSON", cmd_grade_export)
    exp.add_argument("assignment", nargs="?", default=None, help="module id (default: every assignment)")
    exp.add_argument("--out", type=Path, default=None, help="folder to write into (default: <course>/exports)")


def _demo(demo: argparse.ArgumentParser) -> None:
    from graders.serving.demo import run_demo

    demo.description = (
        "Tailor the course for an organisation (the demo one by default), start a learner's JupyterLab "
        "(their copy of the course, without nbgrader's authoring tools), a trainer's JupyterLab (the course root, "
        "formgrader) and Voilà on 127.0.0.1 and print their URLs. Ctrl-C stops them all. Before the servers start, "
        "a demo cohort of fictional learners hands in work that `smtk grade` collects and autogrades (once: later "
        "runs reuse it), so the trainer app and `smtk certify` have figures to show."
    )
    demo.add_argument("--org", type=Path, default=default(run_demo, "org"), help="organisation profile (YAML)")
    demo.add_argument("--out", type=Path, default=None, help="course root to build (default: build/<org>)")
    demo.add_argument(
        "--lab-port", type=int, default=default(run_demo, "lab_port"), help="the learners' JupyterLab port"
    )
    demo.add_argument(
        "--trainer-port", type=int, default=default(run_demo, "trainer_port"), help="the trainers' JupyterLab port"
    )
    demo.add_argument("--voila-port", type=int, default=default(run_demo, "voila_port"), help="Voilà port")
    demo.add_argument("--no-browser", action="store_true", help="never open a browser (none opens without a display)")
    demo.add_argument(
        "--no-cohort",
        action="store_true",
        help="skip the demo cohort (fictional learners' work, graded, so the trainer app and certify show figures)",
    )
    demo.add_argument(
        "--today",
        type=_date,
        default=None,
        help="the demo cohort's work runs up to this date's month, YYYY-MM-DD (default: today)",
    )
    demo.set_defaults(run=cmd_demo)


def _dashboards(dash: argparse.ArgumentParser) -> None:
    from graders.serving.dashboards import run_dashboards

    dash.description = (
        "Serve courses/dashboards/ with Voilà on 127.0.0.1: kernels preheated, tracebacks hidden, "
        "at most --max-kernels visitors at once (the next one gets a polite busy page), idle kernels stopped. "
        "Ctrl-C stops it."
    )
    dash.add_argument("--org", type=Path, default=default(run_dashboards, "org"), help="organisation profile (YAML)")
    dash.add_argument("--port", type=int, default=default(run_dashboards, "port"), help="port (default: %(default)s)")
    dash.add_argument(
        "--pool-size",
        type=int,
        default=default(run_dashboards, "pool_size"),
        help="preheated kernels kept ready per app (default: %(default)s)",
    )
    dash.add_argument(
        "--max-kernels",
        type=int,
        default=default(run_dashboards, "max_kernels"),
        help="most visitors at once, 0 for no cap (default: %(default)s)",
    )
    dash.add_argument(
        "--cull-idle-timeout",
        type=int,
        default=default(run_dashboards, "cull_idle_timeout"),
        help="stop a kernel idle this many seconds with no page open (default: %(default)s)",
    )
    dash.add_argument(
        "--disconnect-grace",
        type=float,
        default=default(run_dashboards, "disconnect_grace"),
        help="stop a visitor's kernel whose page never connected, or lost its connection, after this many seconds; "
        "0 for never (default: %(default)s)",
    )
    dash.add_argument("--no-browser", action="store_true", help="never open a browser (none opens without a display)")
    dash.set_defaults(run=cmd_dashboards)


def _hub(hub: argparse.ArgumentParser) -> None:
    from graders.serving.hub.launch import run_hub

    hub.description = (
        "Build ORG's course, release each track to nbgrader's exchange and run JupyterHub on 127.0.0.1: "
        "people on the roster sign in (the first sign-in sets a password), learners work their tracks in their own "
        "JupyterLab, trainers and executives open the apps. Ctrl-C stops everything."
    )
    hub.add_argument("org", type=Path, help="organisation profile (YAML)")
    hub.add_argument("--roster", type=Path, required=True, help="roster CSV: learner,name,email,tracks,...,role")
    hub.add_argument("--out", type=Path, default=None, help="course root (default: build/<org>)")
    hub.add_argument("--port", type=int, default=default(run_hub, "port"), help="port (default: %(default)s)")
    hub.add_argument(
        "--cull-idle-timeout",
        type=int,
        default=default(run_hub, "cull_idle_seconds"),
        help="stop a learner's server after this many idle seconds (default: %(default)s)",
    )
    hub.add_argument(
        "--hub-config",
        type=Path,
        default=None,
        help="a JupyterHub config file loaded after the kit's settings (single sign-on: see docs/hub.md)",
    )
    hub.add_argument(
        "--prestart",
        action="store_true",
        help="start every learner's server once the hub is up, before a class signs in (idle ones are culled)",
    )
    hub.set_defaults(run=cmd_hub)


def _kernels(kernels: argparse.ArgumentParser) -> None:
    kernel_commands = kernels.add_subparsers(dest="kernels_command", metavar="ACTION", required=True)
    install = kernel_commands.add_parser(
        "install", help="install the learner kernel and the JupyterLab settings the kit needs into this environment"
    )
    install.set_defaults(run=cmd_kernels_install)


def _tailor(tailor_cmd: argparse.ArgumentParser) -> None:
    from graders.course.tailor import tailor

    tailor_cmd.description = (
        "Inject an organisation's profile into every module of its tracks "
        "(papermill) and generate the student release (nbgrader)."
    )
    tailor_cmd.add_argument("org", type=Path, help="organisation profile (YAML), e.g. courses/orgs/demo.yaml")
    tailor_cmd.add_argument("--out", type=Path, default=None, help="course root to build (default: build/<org>)")
    tailor_cmd.add_argument(
        "--manifest", type=Path, default=default(tailor, "manifest_path"), help="course manifest (default: %(default)s)"
    )
    tailor_cmd.set_defaults(run=cmd_tailor)


def _check(check: argparse.ArgumentParser) -> None:
    from graders.course.check import check_course

    check.description = (
        "Check the course manifest: modules past review_by, validation errors, points that differ from "
        "the notebook, missing notebooks, unknown or circular prerequisites. Exits 1 when anything is found."
    )
    check.add_argument(
        "--manifest",
        type=Path,
        default=default(check_course, "manifest_path"),
        help="course manifest (default: %(default)s)",
    )
    check.add_argument(
        "--today", type=_date, default=default(check_course, "today"), help="check as of this date, YYYY-MM-DD"
    )
    check.add_argument(
        "--soon",
        type=int,
        default=default(check_course, "soon_days"),
        help="also list modules due within this many days (default: %(default)s)",
    )
    check.add_argument(
        "--org", type=Path, default=None, help="also check that prerequisites lie in the tracks this profile builds"
    )
    check.add_argument(
        "--no-minutes",
        dest="minutes",
        action="store_false",
        help="list a lesson whose minutes its estimate does not bear out as a note, not a problem (while drafting)",
    )
    check.add_argument(
        "--library",
        default=None,
        metavar="DB",
        help="also list the library's revision queue (its SQLite file or PostgreSQL URL): modules by evidence",
    )
    check.set_defaults(run=cmd_check)


def _banks(banks: argparse.ArgumentParser) -> None:
    from graders.grading.banks import prove_banks

    banks.description = (
        "Build the organisation's course in a scratch folder and grade every answer of the modules' "
        "answer banks (<lesson>.bank.yml) through the autograder: each right answer must get the item's full points, "
        "each wrong one fewer. Exits 1 when one does not."
    )
    banks.add_argument("org", type=Path, help="organisation profile (YAML), e.g. courses/orgs/demo.yaml")
    banks.add_argument("module", nargs="*", help="modules to grade (default: every module of its tracks with a bank)")
    banks.add_argument(
        "--manifest",
        type=Path,
        default=default(prove_banks, "manifest_path"),
        help="course manifest (default: %(default)s)",
    )
    banks.add_argument(
        "--workers",
        type=int,
        default=default(prove_banks, "workers"),
        help="notebooks graded at once (default: %(default)s)",
    )
    banks.set_defaults(run=cmd_banks)


def _facts(facts: argparse.ArgumentParser) -> None:
    from graders.course.facts import list_facts

    facts.description = (
        "List every fact of the registry beside the course manifest (courses/facts.yml): its kind, "
        "scope, value, source, the source's year and age, whether it is kept as history, and its review-by date."
    )
    facts.add_argument(
        "--manifest",
        type=Path,
        default=default(list_facts, "manifest_path"),
        help="course manifest (default: %(default)s)",
    )
    facts.add_argument("--today", type=_date, default=default(list_facts, "today"), help="ages as of this date")
    shape = facts.add_mutually_exclusive_group()
    shape.add_argument("--csv", action="store_true", help="print CSV, one row per fact, URLs included")
    shape.add_argument("--summary", action="store_true", help="print one line: count, median source year, oldest")
    facts.set_defaults(run=cmd_facts)


def _schema(schema: argparse.ArgumentParser) -> None:
    from graders.course.schemas import write_schemas

    schema.description = (
        "Write one JSON Schema per kind of file trainers edit: org.schema.json (organisation profiles), "
        "course.schema.json (the course manifest), triage-policy, triage-scenario and triage-chatter.schema.json "
        "(the triage simulation's policy, scenarios and background chatter), risk-register, risk-controls and "
        "risk-tailoring.schema.json (the risk simulation's files), curriculum-kpis, curriculum-cases and "
        "curriculum-goals.schema.json (the lessons' catalogues), dashboard-apps.schema.json (the apps.yml of a "
        "dashboards folder), answer-bank.schema.json (each lesson's answer bank), facts.schema.json "
        "(the fact registry), exercise-roles and exercise.schema.json (the live exercise's roles and exercises). "
        "Editors with a YAML language server "
        "(VS Code's YAML extension) read the schema named in a file's first line to complete and check it as it is "
        "typed."
    )
    schema.add_argument(
        "--out", type=Path, default=default(write_schemas, "out"), help="folder to write into (default: %(default)s)"
    )
    schema.set_defaults(run=cmd_schema)


def _certify(cert: argparse.ArgumentParser) -> None:
    from graders.results.certify import certify

    cert.description = (
        "Read the course's gradebook, award each learner's tier per track, and write PDF certificates, "
        "Open Badges 2.0 files, certificates.csv, recertification.csv, grades.csv/.json (per learner and item), "
        "track-summary.csv and xAPI statements (xapi-statements.jsonl in 1.0.3, xapi-2.0-statements.jsonl in 2.0) "
        "into --out; beside each 2.0 badge, an Open Badges 3.0 credential signed by the issuer's did:web key "
        "(kept in the course root's credentials/), and the status list that marks revoked or lapsed ones."
    )
    cert.add_argument("--course", type=Path, default=Path(default(certify, "course")), help="course root")
    cert.add_argument("--out", type=Path, default=Path(default(certify, "out")), help="output folder")
    cert.add_argument("--today", type=_date, default=None, help="date to compute expiry against (YYYY-MM-DD)")
    cert.add_argument(
        "--within-days", type=int, default=default(certify, "within_days"), help="re-certification horizon"
    )
    cert.add_argument("--base-url", default=None, help="where the badges folder will be published (hosted badges)")
    cert.add_argument(
        "--lrs", default=None, help="learning record store URL for the xAPI statements (2.0, or 1.0.3 per its /about)"
    )
    cert.add_argument("--lrs-auth", default=None, help="USER:PASSWORD for the learning record store")
    cert.add_argument(
        "--exercises",
        default=None,
        help="the live crisis exercises' database (SQLite file or PostgreSQL URL; `smtk dashboards` keeps it in "
        "build/exercises/events.db): each ended exercise's review PDF into exercises/ and its players' xAPI statements",
    )
    cert.add_argument(
        "--library",
        default=None,
        help="the library's database (SQLite file or PostgreSQL URL), for tiers that ask for accepted contributions "
        "(default: $SMTK_EXERCISE_DB, the one the apps were started with, when it exists)",
    )
    cert.add_argument(
        "--revoke",
        action="append",
        default=[],
        type=_pair,
        metavar="LEARNER:TRACK",
        help="withdraw that learner's certificate for the track as of --today (repeatable; recorded in the course "
        "root's credentials/revocations.csv, shown in the published status list and the 2.0 assertion)",
    )
    cert.add_argument("--reason", default="", help="why the certificates given with --revoke are withdrawn")
    cert.set_defaults(run=cmd_certify)


def cmd_digest(args: argparse.Namespace) -> int:
    from graders.course.manifest import load_manifest
    from graders.results.library_digest import write_digests
    from simulations.profile.org import load_org

    library = _configured_library(args.library)
    if library is None:
        raise SystemExit("smtk digest: no library: give --library (the Library app's database file or URL)")
    org_name = load_org(args.org).name if args.org else ""
    manifest = load_manifest(args.manifest) if args.manifest else load_manifest()
    sent = write_digests(library, manifest, args.out, org_name)
    print(f"Digest: {len(sent)} learner(s) with something new, {sum(s.items for s in sent)} item(s), in {args.out}")
    for s in sent:
        print(f"  {s.learner}: {s.items} new -> {s.path}")
    return 0


def _digest(digest: argparse.ArgumentParser) -> None:
    digest.description = (
        "Write the library's digest for everyone who follows a topic: one HTML page per learner with the notes the "
        "Center of Excellence accepted and the questions and answers on the topics they follow since their last "
        "digest, for the company's mail or intranet to send. Each page written is recorded in the library, so the "
        "next run starts after it; a learner with nothing new gets no page."
    )
    digest.add_argument(
        "--library",
        default=None,
        help="the library's database (SQLite file or PostgreSQL URL; default: $SMTK_EXERCISE_DB, the one the apps "
        "were started with, when it exists)",
    )
    digest.add_argument("--out", type=Path, default=Path("build/digests"), help="folder to write into")
    digest.add_argument("--org", type=Path, default=None, help="the organisation's profile, for its name")
    digest.add_argument(
        "--manifest", type=Path, default=None, help="course manifest whose modules the library holds (default: shipped)"
    )
    digest.set_defaults(run=cmd_digest)


def _pair(text: str) -> str:
    if text.count(":") != 1 or not all(text.split(":")):
        raise argparse.ArgumentTypeError(f"expected LEARNER:TRACK, got {text!r}")
    return text


# Every command: its one-line help and the function that adds its arguments. Only the command being run is set up,
# so a command imports only what it needs (the whole kit takes seconds to import) and `smtk --help` is quick.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "demo": ("build the demo organisation's course and serve JupyterLab and Voilà", _demo),
    "dashboards": ("serve the executive apps (ROI, benchmarking) with Voilà", _dashboards),
    "hub": ("run the course for a whole organisation on JupyterHub", _hub),
    "kernels": ("manage the kit's Jupyter kernels", _kernels),
    "tailor": ("build the course for one organisation", _tailor),
    "check": ("list modules past their review-by date and problems in the course manifest", _check),
    "banks": ("grade every answer of the answer banks for one organisation", _banks),
    "facts": ("list the course's fact registry with each source's age", _facts),
    "schema": ("write the JSON Schema of each kind of file trainers edit (profile, manifest, triage...)", _schema),
    "certify": ("award certification tiers, write certificates, Open Badges and xAPI exports", _certify),
    "grade": ("collect, autograde (parallel, sandboxed), feedback and export grades", _grade),
    "roster": ("the roster of who takes the course (CSV)", _roster),
    "package": ("package the course for the company's LMS (cmi5)", _package),
    "digest": ("write the library's digest of what is new for everyone who follows a topic", _digest),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The `smtk` parser, with the arguments of `command` (every command's, when None)."""
    parser = argparse.ArgumentParser(
        prog="smtk", description="Social Media Training Kit: tailor, serve, grade and certify social-media training."
    )
    parser.add_argument("--version", action="version", version=f"smtk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (help_text, configure) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text)
        if command is None or command == name:
            configure(sub)
    return parser


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), "")
    args = build_parser(command).parse_args(argv)  # an unknown or missing command: argparse says so
    try:
        return args.run(args)
    except Exception as exc:
        if not isinstance(exc, user_errors()):
            raise
        for problem in getattr(exc, "errors", None) or (exc,):  # every problem of a data file (DataError.errors)
            print(f"smtk: error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("smtk: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
