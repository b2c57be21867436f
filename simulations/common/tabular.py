"""Reading user-supplied tables (CSV uploads, plain-dict profiles) and reporting every problem in one error.

Mirrors `datafiles.DataError` (file, field, what was expected), but keeps going after the first problem so an app
can show one message listing everything to fix instead of making the user upload the file again and again.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from simulations.common.datafiles import DataError

Source = str | Path | bytes
"""A CSV given as a file path, or as the raw bytes of an upload."""

_REQUIRED = object()
_PLAIN_NUMBER = re.compile(r"(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_GROUPED_NUMBER = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_ROW = re.compile(r"row (\d+)")
_TRUE = {"1", "yes", "y", "true"}
_FALSE = {"0", "no", "n", "false"}


class TableError(DataError):
    """Every problem found in one table; `problems` holds each one as a DataError (file, field, problem)."""

    def __init__(self, name: str, problems: Sequence[DataError]) -> None:
        self.problems = sorted(problems, key=_position)
        if len(self.problems) == 1:
            super().__init__(name, self.problems[0].field, self.problems[0].problem)
            return
        super().__init__(name, "", f"{len(self.problems)} problems")
        lines = "\n".join(f"- {p.field}: {p.problem}" for p in self.problems)
        self.args = (f"{name}: {len(self.problems)} problems to fix:\n{lines}",)


@dataclass
class Problems:
    """Collects the problems of one named table, then raises them together as a TableError."""

    name: str
    found: list[DataError] = field(default_factory=list)

    def add(self, where: str, problem: str) -> None:
        self.found.append(DataError(self.name, where, problem))

    def fail(self, where: str, problem: str) -> NoReturn:
        """Record a problem that stops reading (an unreadable file) and raise everything found so far."""
        self.add(where, problem)
        raise TableError(self.name, self.found)

    def raise_if_any(self) -> None:
        if self.found:
            raise TableError(self.name, self.found)


@dataclass(frozen=True)
class Record:
    """One row of a table or one profile; each accessor records a problem and returns None when a value is wrong.

    A blank or absent value is a problem unless a `default` is given; an absent required column returns None
    silently, because `check_columns` has already reported it once for the whole table.
    """

    values: Mapping[str, Any]
    problems: Problems
    row: int | None = None  # the row number a spreadsheet shows (header = 1); None for a plain mapping

    def where(self, column: str) -> str:
        return column if self.row is None else f"row {self.row}, column {column}"

    def is_blank(self, column: str) -> bool:
        value = self.values.get(column)
        return value is None or (isinstance(value, str) and not value.strip())

    def _value(self, column: str, default: Any, expected: str) -> tuple[bool, Any]:
        """(present, value): present is False when the caller should return `value` (a default or None) as is."""
        value = self.values.get(column)
        if column not in self.values and default is _REQUIRED:
            return False, None
        if self.is_blank(column):
            if default is _REQUIRED:
                self.problems.add(self.where(column), f"expected {expected}, got nothing (empty)")
                return False, None
            return False, default
        return True, value.strip() if isinstance(value, str) else value

    def _wrong(self, column: str, expected: str, value: Any) -> None:
        self.problems.add(self.where(column), f"expected {expected}, got {_show(value)}")

    def text(self, column: str, default: Any = _REQUIRED) -> str | None:
        present, value = self._value(column, default, "text")
        if not present:
            return value
        if not isinstance(value, str):
            self._wrong(column, "text", value)
            return None
        return value

    def choice(self, column: str, options: Sequence[str], default: Any = _REQUIRED) -> str | None:
        expected = f"one of {', '.join(options)}"
        present, value = self._value(column, default, expected)
        if not present:
            return value
        if not isinstance(value, str) or value.lower() not in options:
            self._wrong(column, expected, value)
            return None
        return value.lower()

    def number(
        self,
        column: str,
        *,
        min: float | None = None,
        max: float | None = None,
        whole: bool = False,
        default: Any = _REQUIRED,
    ) -> float | None:
        expected = "a whole number" if whole else "a number"
        present, value = self._value(column, default, expected)
        if not present:
            return value
        number = _to_number(value)
        if number is None or (whole and not number.is_integer()):
            self._wrong(column, expected, value)
            return None
        return self._in_range(column, number, min, max)

    def fraction(self, column: str, default: Any = _REQUIRED) -> float | None:
        """A share between 0 and 1; text may also say it as a percentage ("60%")."""
        expected = "a share between 0 and 1 (or a percentage such as 60%)"
        present, value = self._value(column, default, expected)
        if not present:
            return value
        if isinstance(value, str) and value.endswith("%"):
            number = _to_number(value[:-1])
            number = None if number is None else number / 100
        else:
            number = _to_number(value)
        if number is None or not 0 <= number <= 1:
            self._wrong(column, expected, value)
            return None
        return number

    def flag(self, column: str, default: Any = _REQUIRED) -> bool | None:
        expected = "yes or no (also 1/0, true/false)"
        present, value = self._value(column, default, expected)
        if not present:
            return value
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text.endswith(".0"):  # a spreadsheet may write 1 as 1.0
            text = text[:-2]
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        self._wrong(column, expected, value)
        return None

    def empty(self, column: str, why: str) -> None:
        """Require a blank value (a filled cell where none belongs usually means shifted columns)."""
        if not self.is_blank(column):
            self.problems.add(self.where(column), f"expected an empty cell {why}, got {_show(self.values[column])}")

    def _in_range(self, column: str, number: float, lo: float | None, hi: float | None) -> float | None:
        if lo is not None and number < lo:
            self.problems.add(self.where(column), f"expected a value >= {lo:g}, got {number:g}")
            return None
        if hi is not None and number > hi:
            self.problems.add(self.where(column), f"expected a value <= {hi:g}, got {number:g}")
            return None
        return number


def source_name(source: Source, name: str | None = None) -> str:
    """The name errors show: the given name, else the path, else 'uploaded file'."""
    if name:
        return name
    return "uploaded file" if isinstance(source, bytes | bytearray) else str(source)


def check_columns(
    problems: Problems,
    present: Sequence[str],
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    where: str = "header",
    noun: str = "column",
) -> None:
    """Report every missing, unknown or repeated column or key (a typo in a name must not be silently ignored)."""
    allowed = [*required, *optional]
    seen: set[str] = set()
    for column in present:
        if column in seen:
            problems.add(where, f"{noun} {column!r} appears more than once")
        elif column not in allowed:
            label = f"unknown {noun} {column!r}" if column else f"a {noun} has no name"
            problems.add(where, f"{label}; expected only {', '.join(allowed)}")
        seen.add(column)
    for column in required:
        if column not in seen:
            problems.add(where, f"required {noun} {column!r} is missing")


def read_csv(
    source: Source, name: str | None, required: Sequence[str], optional: Sequence[str] = ()
) -> tuple[list[Record], Problems]:
    """Decode and split a CSV into records; header problems are recorded, an unreadable file raises at once.

    The caller reads each record's values, then calls `problems.raise_if_any()` to report everything together.
    """
    problems = Problems(source_name(source, name))
    text = _decode(source, problems)
    if not text.strip():
        problems.fail("file", f"the file is empty; expected a header row with the columns {', '.join(required)}")
    reader = csv.reader(io.StringIO(text))
    try:
        header = [column.strip().lower() for column in next(reader)]
        body = [(reader.line_num, cells) for cells in reader]
    except csv.Error as exc:
        problems.fail(f"row {reader.line_num}", f"not valid CSV ({exc})")
    check_columns(problems, header, required, optional)
    records = []
    for row, cells in body:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.add(f"row {row}", f"expected {len(header)} values (one per column), got {len(cells)}")
            continue
        records.append(Record(dict(zip(header, cells, strict=True)), problems, row))
    if not records and not problems.found:
        problems.add("file", "no data rows below the header")
    return records, problems


def _decode(source: Source, problems: Problems) -> str:
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
    else:
        try:
            data = Path(source).read_bytes()
        except FileNotFoundError:
            problems.fail("file", "file not found")
        except OSError as exc:
            problems.fail("file", f"cannot read the file ({exc.strerror or exc})")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.fail("file", "the file is UTF-16 text; expected UTF-8: save it as 'CSV UTF-8' and try again")
    if b"\x00" in data:
        problems.fail("file", "this is a binary file, not CSV text (a spreadsheet workbook?): save it as 'CSV UTF-8'")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.fail(
            "file",
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}); "
            "save it as 'CSV UTF-8' and try again",
        )


def _to_number(value: Any) -> float | None:
    """A finite float from a number or from text such as '1200', '1,200.50' or '$1,200'; None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Real):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        sign = text[0] if text[:1] in "+-" and len(text) > 1 else ""
        text = text[len(sign) :].lstrip("$€£")
        if _GROUPED_NUMBER.fullmatch(text):
            text = text.replace(",", "")
        if not _PLAIN_NUMBER.fullmatch(text):
            return None
        number = float(sign + text)
    else:
        return None
    return number if math.isfinite(number) else None


def _position(problem: DataError) -> tuple[int, int]:
    """Sort key: file and header problems first, then rows top to bottom (stable within a row)."""
    match = _ROW.match(problem.field)
    return (1, int(match.group(1))) if match else (0, 0)


def _show(value: Any) -> str:
    """A short description of a wrong value for an error message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
