"""Where the kit's shipped data and the repository's content live, so no module counts parent folders itself; and the
error a data file's problem raises (file, line, column, dotted field, what is expected)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
DATA = PACKAGE / "data"
REPO = PACKAGE.parent
DEMO_PROFILE = REPO / "courses" / "orgs" / "demo.yaml"


class DataError(ValueError):
    """A data file is wrong: carries the file, the dotted field path and the problem, for a one-line user message;
    with the line (and column) where the field is written when they are known."""

    def __init__(
        self, path: str | Path, field: str, problem: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.path = str(path)
        self.field = field or "(top level)"
        self.problem = problem
        self.line = line
        self.column = column if line else None
        where = f"{self.path}:{line}" if line else self.path
        where += f":{column}" if line and column else ""
        super().__init__(f"{where}: {self.field}: {problem}")

    @property
    def errors(self) -> tuple[DataError, ...]:
        """Every problem this error reports: itself."""
        return (self,)


class DataErrors(DataError):
    """Several problems in one file, reported together in file order; reads as the first one for callers that take
    one (path, field, problem, line), and prints one line each."""

    def __init__(self, errors: list[DataError]) -> None:
        first = errors[0]
        super().__init__(first.path, first.field, first.problem, first.line, first.column)
        self._errors = tuple(errors)
        self.args = ("\n".join(str(e) for e in errors),)

    @property
    def errors(self) -> tuple[DataError, ...]:
        return self._errors


def read_text(path: Path) -> str:
    """A data file's text; a missing or unreadable file raises DataError naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(path, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, "", f"cannot read the file ({exc})") from None
