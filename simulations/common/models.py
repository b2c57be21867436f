"""The data files a trainer edits as typed models: YAML read with each value's position, validated by a pydantic
model that refuses unknown fields, and every problem reported at once, in file order, as
`file:line:column: dotted.field: what is expected (got value)`.

The shared field types (text, web addresses, money, shares, dates, minutes, platforms, jurisdictions...) live here,
once; their descriptions become the hover help of an editor that reads the models' JSON Schemas.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import types
import typing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    Strict,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    WithJsonSchema,
    create_model,
)
from pydantic_core import PydanticCustomError

from simulations.common.audiences import ROSTER_ROLES
from simulations.common.datafiles import DataError, DataErrors, read_text
from simulations.common.money import SYMBOLS
from simulations.common.vocabulary import JURISDICTIONS, PLATFORMS

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class FileModel(BaseModel):
    """A mapping in a trainer-edited file: unknown fields are refused (a typo is never silently ignored)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        allow_inf_nan=False,
        model_title_generator=lambda cls: cls.__name__.removesuffix("Model").removesuffix("File"),
    )


def invalid(message: str, at: str | int | None = None, **ctx: Any) -> PydanticCustomError:
    """A problem found by a validator, worded for the trainer; `at` is where below the validated value it sits
    (a field name, an index, or a dotted path such as `syndicated[1].id`), for the line and the field it names."""
    if at is not None:
        ctx["at"] = f"[{at}]" if isinstance(at, int) else at
    return PydanticCustomError("smtk", message, ctx or None)


# ---- shared field types ---------------------------------------------------------------------------------------------


def _nonblank(value: str) -> str:
    if not value.strip():
        raise invalid("expected non-empty text")
    return value


def _web_address(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise invalid("expected a web address starting with https://")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise invalid("expected an e-mail address (name@example.org)")
    return value


def _slug(value: str) -> str:
    if not SLUG.match(value):
        raise invalid("expected lower-case letters, digits and dashes")
    return value


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


def _date(value: Any) -> Any:
    """YAML reads 2027-05-31 as a date; a quoted "2027-05-31" is accepted too."""
    found = as_date(value)
    if found is None:
        raise invalid("expected a date as YYYY-MM-DD")
    return found


def _no_none(value: Any) -> Any:
    """An empty list may be written as nothing at all (`prerequisites:`)."""
    return [] if value is None else value


Text = Annotated[StrictStr, AfterValidator(_nonblank), Field(min_length=1)]
OptionalText = Annotated[StrictStr, Field(description="may be empty")]
Slug = Annotated[StrictStr, AfterValidator(_slug), Field(json_schema_extra={"pattern": SLUG.pattern})]
WebAddress = Annotated[StrictStr, AfterValidator(_web_address), Field(json_schema_extra={"pattern": "^https?://"})]
OptionalWebAddress = Annotated[
    StrictStr, AfterValidator(lambda v: _web_address(v) if v else v), Field(description="a web address, or nothing")
]
Email = Annotated[StrictStr, AfterValidator(_email), Field(json_schema_extra={"pattern": _EMAIL.pattern})]
Amount = Annotated[float, Strict(), Field(ge=0)]
Money = Annotated[float, Strict(), Field(ge=0, description="an amount of money in the profile's currency")]
Share = Annotated[float, Strict(), Field(ge=0, le=1, description="a share between 0 and 1, e.g. 0.25 for 25%")]
Count = Annotated[StrictInt, Field(ge=0)]
Minutes = Annotated[StrictInt, Field(ge=1, description="minutes, a whole number")]
Day = Annotated[
    dt.date,
    BeforeValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "description": "a date, YYYY-MM-DD"}),
]
Flag = StrictBool


def choice(options: Iterable[str], description: str | None = None) -> Any:
    """Text that must be one of `options` (offered as completions by an editor)."""
    options = tuple(options)

    def check(value: Any) -> Any:
        if not isinstance(value, str):
            raise invalid("expected text")
        if value not in options:
            raise invalid(f"expected one of {', '.join(options)}")
        return value

    schema: dict[str, Any] = {"type": "string", "enum": list(options)}
    if description:
        schema["description"] = description
    return Annotated[str, BeforeValidator(check), WithJsonSchema(schema)]


def items(item: Any, *, min_len: int = 0, unique: bool = False, what: str = "") -> Any:
    """A list of `item`s (nothing written reads as an empty list); with `unique`, none listed twice."""

    def check(values: list) -> list:
        seen = []
        for index, value in enumerate(values):
            if value in seen:
                raise invalid(f"{value!r} is listed twice{what}", at=index)
            seen.append(value)
        return values

    validators = [AfterValidator(check)] if unique else []
    extra = {"uniqueItems": True} if unique else None
    return Annotated[
        list[item], BeforeValidator(_no_none), *validators, Field(min_length=min_len, json_schema_extra=extra)
    ]


def unique_by(key: str, message: str) -> AfterValidator:
    """A check of a list of mappings: none has the `key` of one before it; `message` says so, with {value}."""

    def check(values: list) -> list:
        seen: set[Any] = set()
        for i, item in enumerate(values):
            value = getattr(item, key)
            if value in seen:
                raise invalid(message.format(value=value), at=f"[{i}].{key}")
            seen.add(value)
        return values

    return AfterValidator(check)


def unique_choices(options: Iterable[str], *, min_len: int = 0) -> Any:
    """A list of `options`, each at most once (platforms, tracks, jurisdictions...)."""
    return items(choice(options), min_len=min_len, unique=True)


def number(*, ge: float | None = None, le: float | None = None, description: str | None = None) -> Any:
    """A number (whole or not) within [ge, le]; YAML's true and false are not numbers."""
    return Annotated[float, Strict(), Field(ge=ge, le=le, description=description)]


def minutes(*, ge: float = 0, le: float | None = None, description: str = "minutes") -> Any:
    """A duration in minutes, whole or not (90, 2.5)."""
    return number(ge=ge, le=le, description=f"{description}, in minutes")


def hours(*, ge: float = 0, le: float | None = None, description: str = "hours") -> Any:
    """A duration in hours, whole or not (4, 0.5)."""
    return number(ge=ge, le=le, description=f"{description}, in hours")


def one_or_more(item: Any, options: Iterable[str] | None = None, description: str | None = None) -> Any:
    """One `item` or a list of them (`author: customer` or `author: [customer, troll]`), read as a list."""
    single: dict[str, Any] = {"type": "string", "enum": list(options)} if options is not None else {"type": "string"}
    schema: dict[str, Any] = {"anyOf": [single, {"type": "array", "items": single, "minItems": 1}]}
    if description:
        schema["description"] = description
    return Annotated[
        items(item, min_len=1), BeforeValidator(lambda v: [v] if isinstance(v, str) else v), WithJsonSchema(schema)
    ]


def weights_over(name: str, options: Iterable[str], description: str) -> Any:
    """Relative weights over `options`, read as {option: weight} for every option (0 when not written): either one
    option (always that one) or a mapping of options to weights, at least one of them positive."""
    options = tuple(options)
    fields = {o: (number(ge=0), Field(0.0, description=f"relative weight of {o}")) for o in options}
    model = create_model(name, __base__=FileModel, **fields)
    said = f"one of {', '.join(options)}, or a mapping of them to weights"

    def one(value: Any) -> Any:
        if isinstance(value, str):
            if value not in options:
                raise invalid(f"expected {said}")
            return {value: 1.0}
        return value

    def positive(value: BaseModel) -> dict[str, float]:
        found = {o: getattr(value, o) for o in options}
        if sum(found.values()) <= 0:
            raise invalid(f"expected {said}, with a positive weight")
        return found

    schema = {"anyOf": [{"type": "string", "enum": list(options)}, model.model_json_schema()]}
    return Annotated[
        model,
        BeforeValidator(one),
        AfterValidator(positive),
        WithJsonSchema({**schema, "description": f"{description}: {said}"}),
    ]


def keyed(name: str, keys: Iterable[str], item: Any, description: str, default: Any = ...) -> type[FileModel]:
    """A mapping with one field per key (each an `item`, required unless `default` is given), keys written as they
    are (`business-units`)."""
    fields = {k.replace("-", "_"): (item, Field(default, alias=k, description=f"{description}: {k}")) for k in keys}
    return create_model(name, __base__=FileModel, **fields)


Platform = choice(PLATFORMS, "a social media platform, as its owner writes it")
Platforms = unique_choices(PLATFORMS, min_len=1)
Jurisdictions = Annotated[
    unique_choices(JURISDICTIONS), Field(description="the jurisdictions whose legal facts the lessons show")
]
Currency = choice(SYMBOLS, "the currency of the profile's money amounts")
RosterRole = choice(ROSTER_ROLES)


# ---- loading ---------------------------------------------------------------------------------------------------------


def read_yaml(path: str | Path) -> tuple[Any, dict[Loc, tuple[int, int]], list[DataError]]:
    """A YAML file's data, the (line, column) each value's field starts at, and keys written twice as problems."""
    path = Path(path)
    text = read_text(path)
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise DataError(path, "", f"not valid YAML: {problem}", line=line, column=column) from None
    finally:
        loader.dispose()
    positions: dict[Loc, tuple[int, int]] = {}
    twice: list[DataError] = []
    if node is not None:
        _positions(path, node, (), positions, twice)
    return data, positions, twice


def _positions(path: Path, node: yaml.Node, loc: Loc, found: dict, twice: list) -> None:
    found.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*loc, str(key.value))
            where = (key.start_mark.line + 1, key.start_mark.column + 1)
            if child in found:
                first = found[child][0]
                twice.append(DataError(path, field_name(child), f"written twice (first on line {first})", *where))
                continue
            found[child] = where
            _positions(path, value, child, found, twice)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _positions(path, item, (*loc, index), found, twice)


def load_model(path: str | Path, model: type[M], context: dict[str, Any] | None = None) -> M:
    """Read `path` and validate it as `model`; raises DataErrors listing every problem, in file order.

    Validators see `context` plus `path` (the file) through pydantic's validation context."""
    path = Path(path)
    data, positions, twice = read_yaml(path)
    return check_model(data, model, path, context, positions, twice)


def check_model(
    data: Any,
    model: type[M],
    path: str | Path,
    context: dict[str, Any] | None = None,
    positions: dict[Loc, tuple[int, int]] | None = None,
    twice: Iterable[DataError] = (),
) -> M:
    """Validate `data` read from `path` (a file, or what a learner typed, named so) as `model`; raises DataErrors
    listing every problem, with the line and column of each when `positions` (from `read_yaml`) are given."""
    path = Path(path)
    twice, positions = list(twice), positions or {}
    try:
        result = model.model_validate(data, context={**(context or {}), "path": path})
    except ValidationError as exc:
        problems = [_problem(path, model, data, positions, error) for error in exc.errors()]
        raise DataErrors(sorted([*twice, *problems], key=_file_order)) from None
    if twice:
        raise DataErrors(twice)
    return result


def _file_order(error: DataError) -> tuple[int, int]:
    return (error.line or 0, error.column or 0)


def field_name(loc: Loc) -> str:
    """A location as the messages name it: audiences.employees.headcount, tracks[3].modules[0].id."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def parse_field(text: str) -> Loc:
    """The location a field name stands for: `syndicated[1].id` -> ("syndicated", 1, "id")."""
    return tuple(int(p[1:-1]) if p.startswith("[") else p for p in re.findall(r"\[\d+\]|[^.\[\]]+", text))


def _data_loc(data: Any, loc: Loc) -> Loc:
    """pydantic's location of an error as a path through the file's data: the tags it adds for a union's members
    (`str`, `list[str]`, `function-after[...]`) are dropped; a missing field is kept as the last part."""
    found: list[str | int] = []
    current = data
    for index, part in enumerate(loc):
        if part == "[key]":  # a mapping's key was refused: the key is the field
            continue
        if isinstance(current, dict) and str(part) in {str(k) for k in current}:
            key = next(k for k in current if str(k) == str(part))
            found.append(str(part))
            current = current[key]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            found.append(part)
            current = current[part]
        elif isinstance(current, dict) and index == len(loc) - 1:
            found.append(str(part))
            current = None
    return tuple(found)


def _position(positions: dict[Loc, tuple[int, int]], loc: Loc) -> tuple[int | None, int | None]:
    """Where a field starts, or the nearest enclosing field that is written (a missing field's mapping)."""
    while loc not in positions and loc:
        loc = loc[:-1]
    return positions.get(loc, (None, None))


def _problem(path: Path, model: type[BaseModel], data: Any, positions: dict, error: dict) -> DataError:
    ctx = error.get("ctx") or {}
    loc = _data_loc(data, error["loc"])
    if "at" in ctx:
        loc = (*loc, *parse_field(ctx["at"]))
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        problem = "unknown field" + (f" (did you mean {close[0]}?)" if close else "")
        problem += f"; expected one of {', '.join(allowed)}" if allowed else ""
    elif kind == "missing":
        problem = "required field is missing"
    else:
        problem = _MESSAGES[kind](ctx) if kind in _MESSAGES else error["msg"]
        mapping_rule = kind == "smtk" and isinstance(value, dict)  # a rule across a mapping's fields: it names them
        if "at" not in ctx and not mapping_rule and not _quoted(value, problem):
            problem += f" (got {show(value)})"
    line, column = _position(positions, loc)
    return DataError(path, field_name(loc), problem, line=line, column=column)


def _quoted(value: Any, problem: str) -> bool:
    """Whether the problem already says the value (a file name inside a path counts; the x inside "expected" not)."""
    return (
        isinstance(value, str) and bool(value) and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", problem) is not None
    )


_MESSAGES: dict[str, Callable[[dict], str]] = {
    **dict.fromkeys(("int_type", "int_parsing", "int_from_float"), lambda c: "expected a whole number"),
    **dict.fromkeys(("float_type", "float_parsing", "finite_number"), lambda c: "expected a number"),
    **dict.fromkeys(("bool_type", "bool_parsing"), lambda c: "expected true or false"),
    **dict.fromkeys(("string_type",), lambda c: "expected text"),
    **dict.fromkeys(("string_too_short",), lambda c: "expected non-empty text"),
    **dict.fromkeys(("list_type", "tuple_type"), lambda c: "expected a list"),
    **dict.fromkeys(("model_type", "dict_type", "model_attributes_type"), lambda c: "expected a mapping of fields"),
    **dict.fromkeys(
        ("date_type", "date_parsing", "date_from_datetime_inexact"), lambda c: "expected a date as YYYY-MM-DD"
    ),
    "too_short": lambda c: f"expected at least {c['min_length']} item(s)",
    "too_long": lambda c: f"expected at most {c['max_length']} item(s)",
    "greater_than_equal": lambda c: f"expected a value >= {show(c['ge'])}",
    "greater_than": lambda c: (
        "expected a positive value" if c["gt"] == 0 else f"expected a value above {show(c['gt'])}"
    ),
    "less_than_equal": lambda c: f"expected a value <= {show(c['le'])}",
    "less_than": lambda c: f"expected a value below {show(c['lt'])}",
}


def show(value: Any) -> str:
    """A wrong value as the trainer wrote it, short: "1,200", 3, true, nothing, a list of 2."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return f"a mapping of {len(value)} field(s)"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)  # 1.0 reads as 1, as the trainer would write it
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, str | int | float) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """The fields the mapping at `loc` of a `model` file may hold, as written in the file (aliases)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, RootModel):  # a mapping of any keys (an answer bank)
            current = _unwrap(current.model_fields["root"].annotation)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next((f for name, f in current.model_fields.items() if (f.alias or name) == part), None)
            if field is None:
                return []
            current = field.annotation
        elif typing.get_origin(current) in (list, tuple):
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """The type inside Annotated[...] and X | None."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = next((a for a in members if _unwrap(a) is not str), members[0])
        else:
            return annotation


def json_schema(model: type[BaseModel], title: str, description: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) of a file kind, for editors: completion, hover help and inline errors."""
    schema = model.model_json_schema(by_alias=True)
    return {"$schema": SCHEMA_DIALECT, **schema, "title": title, "description": description}
