"""Validation of the data files a trainer edits (YAML/CSV): errors name file, field and expectation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from simulations.common.datafiles import DataError, DataErrors, read_text  # noqa: F401

_MISSING = object()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def load_yaml(path: str | Path, lines: bool = False) -> Field:
    """Read a YAML file into a `Field` rooted at the top level; unreadable or invalid YAML raises DataError.

    With `lines`, errors also name the line each field starts on (read from YAML's own node marks)."""
    path = Path(path)
    text = read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(path, "", f"not valid YAML{where}: {problem}") from None
    return Field(path, data, "", _node_lines(yaml.compose(text, Loader=yaml.SafeLoader)) if lines else None)


def _node_lines(node: yaml.Node | None, where: str = "", found: dict[str, int] | None = None) -> dict[str, int]:
    """The line (1-based) each dotted field of a composed YAML document starts on, named as `Field` names them."""
    found = {} if found is None else found
    if node is None:
        return found
    found.setdefault(where, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = f"{where}.{key.value}" if where else str(key.value)
            found[name] = key.start_mark.line + 1
            _node_lines(value, name, found)
            found[name] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, f"{where}[{i}]", found)
    return found


@dataclass(frozen=True)
class Field:
    """One value inside a data file, with typed accessors that raise DataError naming where the value sits."""

    path: Path
    value: Any
    where: str
    lines: dict[str, int] | None = field(default=None, compare=False, repr=False)

    @property
    def line(self) -> int | None:
        """The line this value starts on, or the nearest enclosing one; None when the file was read without lines."""
        if self.lines is None:
            return None
        where = self.where
        while where not in self.lines and where:
            where = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", where)
        return self.lines.get(where)

    def fail(self, problem: str) -> NoReturn:
        raise DataError(self.path, self.where, problem, line=self.line)

    def _child_name(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.where}[{key}]"
        return f"{self.where}.{key}" if self.where else str(key)

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and key in self.value

    def get(self, key: str, default: Any = _MISSING) -> Field:
        """The child `key` of a mapping; a missing key is an error unless a default is given."""
        self.mapping()
        if key not in self.value:
            if default is _MISSING:
                Field(self.path, None, self._child_name(key), self.lines).fail("required field is missing")
            return Field(self.path, default, self._child_name(key), self.lines)
        return Field(self.path, self.value[key], self._child_name(key), self.lines)

    def only(self, allowed: Iterable[str]) -> Field:
        """Reject keys outside `allowed` (a typo in a field name should not be silently ignored)."""
        allowed = set(allowed)
        extra = sorted(str(k) for k in self.mapping() if k not in allowed)
        if extra:
            self.fail(f"unknown field(s) {', '.join(extra)}; expected only {', '.join(sorted(allowed))}")
        return self

    def mapping(self) -> dict:
        if not isinstance(self.value, dict):
            self.fail(f"expected a mapping of fields, got {_show(self.value)}")
        return self.value

    def items(self, *, min_len: int = 0) -> Iterator[Field]:
        """The elements of a list, each named `where[i]`."""
        if self.value is None and min_len == 0:
            return iter(())
        if not isinstance(self.value, list):
            self.fail(f"expected a list, got {_show(self.value)}")
        if len(self.value) < min_len:
            self.fail(f"expected at least {min_len} item(s), got {len(self.value)}")
        return (Field(self.path, v, self._child_name(i), self.lines) for i, v in enumerate(self.value))

    def entries(self) -> Iterator[tuple[str, Field]]:
        """The (key, value) pairs of a mapping."""
        return ((str(k), Field(self.path, v, self._child_name(str(k)), self.lines)) for k, v in self.mapping().items())

    def str(self, *, nonempty: bool = True) -> str:
        if not isinstance(self.value, str):
            self.fail(f"expected text, got {_show(self.value)}")
        if nonempty and not self.value.strip():
            self.fail("expected non-empty text")
        return self.value

    def str_list(self, *, min_len: int = 0) -> list[str]:
        return [item.str() for item in self.items(min_len=min_len)]

    def email(self) -> str:
        """An e-mail address (name@domain.tld), e.g. a contact's."""
        value = self.str()
        if not _EMAIL.match(value):
            self.fail(f"expected an e-mail address, got {value!r}")
        return value

    def url(self) -> str:
        """A web address starting with https:// or http://, e.g. a policy's or a tool's."""
        value = self.str()
        if not value.startswith(("https://", "http://")):
            self.fail(f"expected a web address starting with https://, got {value!r}")
        return value

    def choice(self, options: Iterable[str]) -> str:
        options = list(options)
        value = self.str()
        if value not in options:
            self.fail(f"expected one of {', '.join(options)}, got {value!r}")
        return value

    def int(self, *, min: int | None = None, max: int | None = None) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            self.fail(f"expected a whole number, got {_show(self.value)}")
        self._check_range(self.value, min, max)
        return self.value

    def float(self, *, min: float | None = None, max: float | None = None) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            self.fail(f"expected a number, got {_show(self.value)}")
        value = float(self.value)
        if value != value:
            self.fail("expected a number, got NaN")
        self._check_range(value, min, max)
        return value

    def bool(self) -> bool:
        if not isinstance(self.value, bool):
            self.fail(f"expected true or false, got {_show(self.value)}")
        return self.value

    def date(self) -> dt.date:
        found = as_date(self.value)
        if found is None:
            self.fail(f"expected a date as YYYY-MM-DD, got {_show(self.value)}")
        return found

    def _check_range(self, value: float, lo: float | None, hi: float | None) -> None:
        if lo is not None and value < lo:
            self.fail(f"expected a value >= {lo}, got {value}")
        if hi is not None and value > hi:
            self.fail(f"expected a value <= {hi}, got {value}")


def as_date(value: Any) -> dt.date | None:
    """A YAML value as a date: YAML reads 2027-05-31 as one, and a quoted "2027-05-31" is accepted too; else None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _show(value: Any) -> str:
    """A short description of a wrong value for an error message."""
    if value is None:
        return "nothing (empty)"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"
