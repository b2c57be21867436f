"""Benchmark of the hub: N learners sign in and start their servers at once, on the kit's hub (`smtk hub`, the demo
organisation, N learners on the employees track) and, in the same run, on a stock JupyterHub with its own local
spawner as it comes (`SimpleLocalProcessSpawner`, JupyterHub's local spawner for users without system accounts,
with no setting changed) and its built-in dummy authenticator, for the same user names, behind the same proxy.

Spawn time: for each learner, from the request that starts their server (POST /hub/api/users/NAME/server, right
after they signed in on the login page) to the hub's API reporting the server ready; all N threads are released
together. Memory per idle learner: once every server is ready and has stood idle a few seconds, the unique memory
(USS, from /proc/PID/smaps_rollup through psutil; PSS beside it) of each learner server's whole process tree,
found by the JUPYTERHUB_USER in its environment; the mean over learners, in MB (10^6 bytes).

The hubs run one after the other (each has the machine to itself), the order swapped with --stock-first. The stock
hub's servers are started through the kit's parent-death wrapper (`python -m graders.serving.lifetime`, which execs
the server in place: same process, same memory) so that nothing outlives the benchmark, and with --allow-root when
run as root (jupyter_server refuses root otherwise).

A third run starts the kit's hub with --prestart (every learner's server started with the hub) and then times each
learner from the login form's POST to their JupyterLab page loaded, all N at once: what a class that signs in
together waits for.

Goals: every learner ready, spawn p95 <= 5 s on 2 cores, memory per idle learner at or below stock's. Prints one
line per hub and, last, one JSON object; `all_ready` says whether every learner's server on the kit's hub was
ready, and the run exits 1 if not. Stock JupyterHub's `ready` counts its own: with its defaults (a server must
answer within 30 s) it gives up on servers that start slower than that when many start at once, and its spawn
times are then those of the servers it kept.
Usage: python benchmarks/hub.py [--learners 20] [--stock-first]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import mean, quantiles

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psutil  # noqa: E402
import requests  # noqa: E402

from graders.paths import BUILD, DEMO_ORG  # noqa: E402
from graders.serving.hub.launch import PROXY, free_port, start_hub  # noqa: E402
from graders.serving.servers import HOST, Server, start  # noqa: E402

PASSWORD = "bench-password-1"
READY_TIMEOUT = 300.0
IDLE_SETTLE = 5.0


def learners(n: int) -> list[str]:
    return [f"learner{i:02d}" for i in range(1, n + 1)]


def roster(path: Path, names: list[str]) -> Path:
    rows = [f"{name},Learner {name[7:]},{name}@example.org,employees,support,Europe,learner" for name in names]
    path.write_text("learner,name,email,tracks,business_unit,region,role\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def stock_hub(folder: Path, names: list[str], port: int) -> Server:
    """JupyterHub as it comes, with its own local spawner and dummy sign-in, for the same user names."""
    folder.mkdir(parents=True, exist_ok=True)
    lifetime = [sys.executable, "-m", "graders.serving.lifetime"]
    config = folder / "jupyterhub_config.py"
    config.write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.JupyterHub.ip = {HOST!r}\n"
        f"c.JupyterHub.port = {port}\n"
        f"c.JupyterHub.hub_port = {free_port()}\n"
        f"c.ConfigurableHTTPProxy.api_url = 'http://{HOST}:{free_port()}'\n"
        f"c.ConfigurableHTTPProxy.command = {[*lifetime, str(PROXY)]!r}\n"
        f"c.JupyterHub.db_url = 'sqlite:///{folder / 'jupyterhub.sqlite'}'\n"
        f"c.JupyterHub.cookie_secret_file = {str(folder / 'cookie_secret')!r}\n"
        "c.JupyterHub.authenticator_class = 'dummy'\n"
        f"c.DummyAuthenticator.password = {PASSWORD!r}\n"
        f"c.Authenticator.allowed_users = {set(names)!r}\n"
        "c.JupyterHub.spawner_class = 'simple'\n"
        f"c.SimpleLocalProcessSpawner.home_dir_template = {str(folder / 'users' / '{username}')!r}\n"
        f"c.Spawner.cmd = {[*lifetime, 'jupyterhub-singleuser']!r}\n"
        f"c.Spawner.args = {['--allow-root'] if os.geteuid() == 0 else []!r}\n",
        encoding="utf-8",
    )
    url = f"http://{HOST}:{port}"
    command = [*lifetime, sys.executable, "-m", "jupyterhub", "-f", str(config)]
    server = start("stock JupyterHub", command, folder, f"{url}/hub/health", folder / "jupyterhub.log")
    server.wait_ready(timeout=120)
    return server


def sign_in(url: str, name: str) -> requests.Session:
    """The login page's form, as a browser posts it; then the person's own API token for the spawn."""
    session = requests.Session()
    session.get(f"{url}/hub/login", timeout=60)
    login = session.post(
        f"{url}/hub/login",
        data={"username": name, "password": PASSWORD, "_xsrf": session.cookies.get("_xsrf")},
        allow_redirects=False,
        timeout=60,
    )
    if login.status_code != 302 or "/hub/login" in login.headers.get("location", ""):
        raise RuntimeError(f"{name} could not sign in ({login.status_code})")
    made = session.post(
        f"{url}/hub/api/users/{name}/tokens",
        headers={"X-XSRFToken": session.cookies.get("_xsrf")},
        json={"note": "benchmark"},
        timeout=60,
    )
    made.raise_for_status()
    session.headers["Authorization"] = f"token {made.json()['token']}"
    return session


def spawn(url: str, name: str, gate: threading.Barrier, times: dict[str, float]) -> None:
    """Sign in, wait for everyone, start the server and time it until the hub says it is ready."""
    session = sign_in(url, name)
    gate.wait()
    started = time.monotonic()
    asked = session.post(f"{url}/hub/api/users/{name}/server", timeout=READY_TIMEOUT)
    if asked.status_code not in (201, 202):
        raise RuntimeError(f"{name}: the hub answered {asked.status_code} to the spawn: {asked.text[:200]}")
    while time.monotonic() - started < READY_TIMEOUT:
        servers = session.get(f"{url}/hub/api/users/{name}", timeout=60).json()["servers"]
        if servers.get("", {}).get("ready"):
            times[name] = time.monotonic() - started
            return
        if "" not in servers:  # neither pending nor ready: the hub gave up on it (its log says why)
            return
        time.sleep(0.1)


def learner_memory(hub_pid: int, names: list[str]) -> dict[str, tuple[float, float]]:
    """USS and PSS (MB) of each learner server's process tree, found under the hub by JUPYTERHUB_USER."""
    found: dict[str, tuple[float, float]] = {}
    for process in psutil.Process(hub_pid).children(recursive=True):
        try:
            user = process.environ().get("JUPYTERHUB_USER")
            if user not in names or (process.parent() and process.parent().environ().get("JUPYTERHUB_USER") == user):
                continue  # not a learner server, or a child of one (counted with its tree)
            tree = [process, *process.children(recursive=True)]
            full = [p.memory_full_info() for p in tree]
        except psutil.Error:
            continue
        found[user] = (sum(m.uss for m in full) / 1e6, sum(m.pss for m in full) / 1e6)
    return found


def measure(label: str, url: str, hub_pid: int, names: list[str]) -> dict:
    times: dict[str, float] = {}
    gate = threading.Barrier(len(names))
    threads = [threading.Thread(target=spawn, args=(url, name, gate, times), daemon=True) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(READY_TIMEOUT + 120)
    time.sleep(IDLE_SETTLE)
    memory = learner_memory(hub_pid, names)
    p50, p95 = percentiles(list(times.values()))
    result = {
        "ready": len(times),
        "spawn_s_p50": p50,
        "spawn_s_p95": p95,
        "mb_per_idle_learner": round(mean(uss for uss, _ in memory.values()), 1) if memory else None,
        "pss_mb_per_idle_learner": round(mean(pss for _, pss in memory.values()), 1) if memory else None,
        "servers_measured": len(memory),
    }
    print(f"{label}: {json.dumps(result)}", flush=True)
    return result


def wait_services(hub, timeout: float = 120.0) -> None:
    """Until each of the kit's services (the apps, the formgrader) answers on its own port: they start with the hub
    and would otherwise share the machine with the learners' spawns."""
    deadline = time.monotonic() + timeout
    for service in hub.settings["services"]:
        while time.monotonic() < deadline:
            try:
                requests.get(f"http://{HOST}:{service['port']}/", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.5)


def run_smtk(folder: Path, names: list[str]) -> dict:
    out = folder / "course"
    if (BUILD / "demo" / "release").is_dir():  # a course built before: tailoring only brings it up to date
        shutil.copytree(BUILD / "demo", out, ignore=shutil.ignore_patterns("hub", "logs", "learner"))
    hub = start_hub(DEMO_ORG, roster(folder / "roster.csv", names), out, port=free_port(), progress=False)
    try:
        wait_services(hub)
        return measure("smtk", hub.url, hub.server.process.pid, names)
    finally:
        hub.stop()


def open_lab(url: str, name: str, gate: threading.Barrier, times: dict[str, float]) -> None:
    """Sign in on the login page, all at once, and time it until the person's JupyterLab page has loaded."""
    session = requests.Session()
    session.get(f"{url}/hub/login", timeout=60)
    gate.wait()
    started = time.monotonic()
    login = session.post(
        f"{url}/hub/login",
        data={"username": name, "password": PASSWORD, "_xsrf": session.cookies.get("_xsrf")},
        allow_redirects=False,
        timeout=60,
    )
    if login.status_code != 302:
        return
    lab = session.get(f"{url}/user/{name}/lab", timeout=READY_TIMEOUT)  # through the server's OAuth with the hub
    if lab.status_code == 200 and f"/user/{name}/lab" in lab.url:
        times[name] = time.monotonic() - started


def percentiles(values: list[float]) -> tuple[float | None, float | None]:
    values = sorted(values)
    cuts = quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    return (round(cuts[49], 2), round(cuts[94], 2)) if values else (None, None)


def run_smtk_prestarted(folder: Path, names: list[str]) -> dict:
    """The kit's hub with --prestart: the servers start with the hub, then the class signs in at once."""
    out = folder / "course-prestart"
    if (BUILD / "demo" / "release").is_dir():
        shutil.copytree(BUILD / "demo", out, ignore=shutil.ignore_patterns("hub", "logs", "learner"))
    roster_path = roster(folder / "roster-prestart.csv", names)
    hub = start_hub(DEMO_ORG, roster_path, out, port=free_port(), progress=False, prestart=True)
    try:
        started = [s for s in hub.prestarted.values() if s is not None]
        times: dict[str, float] = {}
        gate = threading.Barrier(len(names))
        threads = [threading.Thread(target=open_lab, args=(hub.url, n, gate, times), daemon=True) for n in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(READY_TIMEOUT + 120)
        p50, p95 = percentiles(list(times.values()))
        result = {
            "ready": len(started),
            "prestart_s_all": max(started) if started else None,
            "sign_in_to_lab_s_p50": p50,
            "sign_in_to_lab_s_p95": p95,
            "labs_opened": len(times),
        }
        print(f"smtk --prestart: {json.dumps(result)}", flush=True)
        return result
    finally:
        hub.stop()


def run_stock(folder: Path, names: list[str]) -> dict:
    port = free_port()
    server = stock_hub(folder / "stock", names, port)
    try:
        return measure("stock", f"http://{HOST}:{port}", server.process.pid, names)
    finally:
        server.stop(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--stock-first", action="store_true")
    args = parser.parse_args()
    names = learners(args.learners)
    with tempfile.TemporaryDirectory(prefix="smtk-hub-bench-") as tmp:
        folder = Path(tmp)
        runs = [("stock", run_stock), ("smtk", run_smtk)]
        results = dict((label, run(folder, names)) for label, run in (runs if args.stock_first else runs[::-1]))
        results["smtk_prestarted"] = run_smtk_prestarted(folder, names)
    smtk, stock, warm = results["smtk"], results["stock"], results["smtk_prestarted"]
    all_ready = smtk["ready"] == args.learners and warm["ready"] == warm["labs_opened"] == args.learners
    summary = {"learners": args.learners, "smtk": smtk, "smtk_prestarted": warm, "stock": stock, "all_ready": all_ready}
    if all_ready and stock["ready"] == args.learners:  # ratios only of like with like
        summary["spawn_p95_ratio_stock_over_smtk"] = round(stock["spawn_s_p95"] / smtk["spawn_s_p95"], 2)
        summary["memory_ratio_smtk_over_stock"] = round(smtk["mb_per_idle_learner"] / stock["mb_per_idle_learner"], 2)
    print(json.dumps(summary))
    if not all_ready:
        sys.exit(1)


if __name__ == "__main__":
    main()
