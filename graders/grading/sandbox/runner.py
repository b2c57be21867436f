"""Runs inside the sandboxed learner process: executes the cells the grader sends, one at a time, like a kernel would.

Outputs are recorded as nbformat outputs (streams, display data, execute results, errors) so nbgrader scores them
exactly as it scores a kernel's. Cells arrive one by one, so hidden tests are not in this process before they run.
Test cells bypass the IPython machinery a learner could patch: builtins, streams, trace hooks and the interrupt
handler are restored first, comparisons go through `strict.Guard`, and errors are caught here, not by IPython.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import linecache
import os
import secrets
import signal
import socket
import sys
import traceback

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell

from graders.grading.sandbox import strict, wire
from graders.grading.sandbox.messages import CellResult

OUTPUT_CAP = 2 * 1024 * 1024  # characters of stream text kept per cell: the rest is cut and said so


class _Hook(DisplayHook):
    def start_displayhook(self):
        self._pending = None

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self._pending = (format_dict, md_dict or {})

    def finish_displayhook(self):
        sys.stdout.flush()
        sys.stderr.flush()
        if getattr(self, "_pending", None):
            data, metadata = self._pending
            self.shell.outputs.append(
                {
                    "output_type": "execute_result",
                    "execution_count": self.prompt_count,
                    "data": data,
                    "metadata": metadata,
                }
            )
        self._pending = None


class _Publisher(DisplayPublisher):
    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        sys.stdout.flush()
        sys.stderr.flush()
        self.shell.outputs.append({"output_type": "display_data", "data": data, "metadata": metadata or {}})

    def clear_output(self, wait=False):
        self.shell.outputs.clear()


class GradingShell(InteractiveShell):
    """An IPython shell whose outputs become nbformat outputs instead of kernel messages."""

    displayhook_class = _Hook
    display_pub_class = _Publisher

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.outputs: list[dict] = []

    def _showtraceback(self, etype, evalue, stb):
        sys.stdout.flush()
        sys.stderr.flush()
        self.outputs.append({"output_type": "error", "ename": etype.__name__, "evalue": str(evalue), "traceback": stb})


def make_shell() -> GradingShell:
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "Linux"
    return GradingShell.instance(config=config)


class CellTimeout(KeyboardInterrupt):
    """Raised in the learner process when a cell runs past its wall clock (nbgrader interrupts the kernel too)."""


class Runner:
    """One learner process: the shell, the pristine state test cells are run from, and the output capture."""

    def __init__(self, shell: GradingShell, cell_seconds: float):
        self.shell = shell
        self.cell_seconds = cell_seconds
        self.builtins = dict(builtins.__dict__)
        self.stdout, self.stderr = sys.stdout, sys.stderr
        self.scientific = strict.scientific_types()
        self.guard_name = "_smtk_" + secrets.token_hex(8)
        self.test_count = 0
        self.patched: set[str] = set()

    # -- capture --------------------------------------------------------------------------------------------------
    def _start_capture(self) -> list[int]:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = []
        for fd in (1, 2):
            memfd = os.memfd_create(f"cell-fd{fd}")
            saved.append(os.dup(fd))
            os.dup2(memfd, fd)
            os.close(memfd)
        return saved

    def _stop_capture(self, saved: list[int]) -> list[dict]:
        streams = []
        for fd, name, stream in ((1, "stdout", self.stdout), (2, "stderr", self.stderr)):
            with contextlib.suppress(Exception):  # a full or closed stream must not lose the other outputs
                stream.flush()
            size = os.lseek(fd, 0, os.SEEK_END)
            os.lseek(fd, 0, os.SEEK_SET)
            data = os.read(fd, min(size, OUTPUT_CAP))
            text = data.decode("utf-8", "replace")
            if size > OUTPUT_CAP:
                text += f"\n[smtk: output cut: the cell wrote {size / 1e6:.0f} MB to {name}]\n"
            if text:
                streams.append({"output_type": "stream", "name": name, "text": text})
        for fd, old in zip((1, 2), saved, strict=True):
            os.dup2(old, fd)
            os.close(old)
        return streams

    def _alarm(self, *_):
        raise CellTimeout(f"the cell ran longer than {self.cell_seconds:g} s and was interrupted")

    # -- cells ----------------------------------------------------------------------------------------------------
    def run(self, index: int, source: str, test: bool) -> CellResult:
        self.shell.outputs = []
        signal.signal(signal.SIGALRM, self._alarm)
        saved = self._start_capture()
        signal.setitimer(signal.ITIMER_REAL, self.cell_seconds)
        try:
            if test:
                self._run_test(source)
            else:
                self.shell.run_cell(source, store_history=True)
        except BaseException as exc:  # noqa: BLE001 - anything escaping the shell is still this cell's error
            self._record_error(exc)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self._restore()  # our own code (capture, JSON, the socket) must not run on learner-patched builtins
        streams = self._stop_capture(saved)
        outputs = streams + self.shell.outputs
        return CellResult(
            index=index, outputs=outputs, execution_count=self.shell.execution_count - 1, patched=sorted(self.patched)
        )

    def _restore(self) -> None:
        """Put back what learner code may have replaced before a test cell runs: builtins, streams, hooks."""
        current = builtins.__dict__
        for name in set(current) - set(self.builtins):
            self.patched.add(name)
            del current[name]
        for name, value in self.builtins.items():
            if current.get(name, self) is not value:
                self.patched.add(name)
                current[name] = value
        self.shell.user_ns["__builtins__"] = builtins
        sys.stdout, sys.stderr = self.stdout, self.stderr
        sys.settrace(None)
        sys.setprofile(None)
        signal.signal(signal.SIGALRM, self._alarm)

    def _run_test(self, source: str) -> None:
        self._restore()
        self.test_count += 1
        count = self.shell.execution_count
        self.shell.execution_count += 1
        filename = f"<test cell {count}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        tree = strict.rewrite(ast.parse(source, filename), self.guard_name)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        namespace = self.shell.user_ns
        namespace[self.guard_name] = strict.Guard(self.scientific)
        try:
            exec(compile(tree, filename, "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), filename, "eval"), namespace)
                if value is not None:
                    self._record_result(value, count)
        finally:
            namespace.pop(self.guard_name, None)
            changed = [k for k, v in self.builtins.items() if builtins.__dict__.get(k, self) is not v]
            if changed:
                self.patched.update(changed)
                raise AssertionError(f"smtk: the test was run with builtins replaced: {', '.join(sorted(changed))}")

    def _record_result(self, value, count: int) -> None:
        if type(value) in (int, float, bool):
            data = {"text/plain": repr(value)}
        elif strict.Guard(self.scientific).trusted(value):
            data, _ = self.shell.display_formatter.format(value)
        else:
            data = {"text/plain": f"<{type(value).__name__} object>"}
        self.shell.outputs.append(
            {"output_type": "execute_result", "execution_count": count, "data": data, "metadata": {}}
        )

    def _record_error(self, exc: BaseException) -> None:
        try:
            stb = self.shell.InteractiveTB.structured_traceback(type(exc), exc, exc.__traceback__, tb_offset=1)
            if not isinstance(stb, list) or not all(isinstance(line, str) for line in stb):
                raise TypeError
        except BaseException:  # noqa: BLE001 - a patched formatter must not hide the error
            stb = traceback.format_exception(type(exc), exc, exc.__traceback__)
        self.shell.outputs.append(
            {"output_type": "error", "ename": type(exc).__name__, "evalue": _text(exc), "traceback": stb}
        )


def _text(exc: BaseException) -> str:
    try:
        return str(exc)
    except BaseException:  # noqa: BLE001
        return f"<unprintable {type(exc).__name__}>"


def serve(sock: socket.socket, shell: GradingShell, cell_seconds: float) -> None:
    """The learner process's loop: announce readiness, then run each cell the grader sends until it says done."""
    runner = Runner(shell, cell_seconds)
    while True:
        message = wire.recv(sock)
        if message.get("op") != "cell":
            return
        result = runner.run(message["index"], message["source"], bool(message.get("test")))
        try:
            wire.send(sock, result)
        except (TypeError, ValueError):
            result["outputs"] = [_jsonable(o) for o in result["outputs"]]
            wire.send(sock, result)


def _jsonable(output: dict) -> dict:
    """A display output whose data is not JSON (a learner's odd repr) becomes its text only."""
    import json

    try:
        json.dumps(output)
        return output
    except (TypeError, ValueError):
        text = str(output.get("data", {}).get("text/plain", ""))
        return {**output, "data": {"text/plain": text}, "metadata": {}}
