"""The `smtk` command: one-liners over the Python API; defaults are read from the API functions so they cannot drift."""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable
from pathlib import Path

from graders import __version__
from graders.dashboards import run_dashboards
from graders.demo import run_demo
from graders.kernels import install_kernels
from graders.paths import BUILD
from graders.servers import ServerError
from graders.tailor import TailorError, tailor
from simulations.validate import DataError

# Errors a user can act on: printed as one message, never as a traceback.
USER_ERRORS = (DataError, ServerError, TailorError, FileNotFoundError)


def default(function: Callable, name: str):
    """The default of parameter `name` of an API function, so the CLI shows what the API does."""
    return inspect.signature(function).parameters[name].default


def cmd_demo(args: argparse.Namespace) -> int:
    return run_demo(args.org, args.out, args.lab_port, args.voila_port, open_browser=not args.no_browser)


def cmd_dashboards(args: argparse.Namespace) -> int:
    return run_dashboards(
        args.org,
        args.port,
        args.pool_size,
        args.max_kernels,
        args.cull_idle_timeout,
        open_browser=not args.no_browser,
    )


def cmd_kernels_install(args: argparse.Namespace) -> int:
    for folder in install_kernels():
        print(f"installed kernel {folder.name} in {folder}")
    return 0


def cmd_tailor(args: argparse.Namespace) -> int:
    out = args.out or BUILD / Path(args.org).stem
    result = tailor(args.org, out, args.manifest)
    print(
        f"Course for {result.org.name} in {result.root}: "
        f"{len(result.built)} module(s) built, {len(result.unchanged)} unchanged."
    )
    for module_id in result.built + result.unchanged:
        print(f"  release: {result.release(module_id)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smtk", description="Social Media Training Kit: tailor, serve, grade and certify social-media training."
    )
    parser.add_argument("--version", action="version", version=f"smtk {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser(
        "demo",
        help="build the demo organisation's course and serve JupyterLab and Voilà",
        description="Tailor the course for an organisation (the demo one by default), start "
        "JupyterLab and Voilà on 127.0.0.1 and print their URLs. Ctrl-C stops both.",
    )
    demo.add_argument("--org", type=Path, default=default(run_demo, "org"), help="organisation profile (YAML)")
    demo.add_argument("--out", type=Path, default=None, help="course root to build (default: build/<org>)")
    demo.add_argument("--lab-port", type=int, default=default(run_demo, "lab_port"), help="JupyterLab port")
    demo.add_argument("--voila-port", type=int, default=default(run_demo, "voila_port"), help="Voilà port")
    demo.add_argument("--no-browser", action="store_true", help="never open a browser (none opens without a display)")
    demo.set_defaults(run=cmd_demo)

    dash = commands.add_parser(
        "dashboards",
        help="serve the executive apps (ROI, benchmarking) with Voilà",
        description="Serve courses/dashboards/ with Voilà on 127.0.0.1: kernels preheated, tracebacks hidden, "
        "at most --max-kernels visitors at once (the next one gets a polite busy page), idle kernels stopped. "
        "Ctrl-C stops it.",
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
    dash.add_argument("--no-browser", action="store_true", help="never open a browser (none opens without a display)")
    dash.set_defaults(run=cmd_dashboards)

    kernels = commands.add_parser("kernels", help="manage the kit's Jupyter kernels")
    kernel_commands = kernels.add_subparsers(dest="kernels_command", metavar="ACTION", required=True)
    install = kernel_commands.add_parser("install", help="install the learner kernel into this environment")
    install.set_defaults(run=cmd_kernels_install)

    tailor_cmd = commands.add_parser(
        "tailor",
        help="build the course for one organisation",
        description="Inject an organisation's profile into every module of its tracks "
        "(papermill) and generate the student release (nbgrader).",
    )
    tailor_cmd.add_argument("org", type=Path, help="organisation profile (YAML), e.g. courses/orgs/demo.yaml")
    tailor_cmd.add_argument("--out", type=Path, default=None, help="course root to build (default: build/<org>)")
    tailor_cmd.add_argument(
        "--manifest", type=Path, default=default(tailor, "manifest_path"), help="course manifest (default: %(default)s)"
    )
    tailor_cmd.set_defaults(run=cmd_tailor)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except USER_ERRORS as exc:
        print(f"smtk: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("smtk: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
