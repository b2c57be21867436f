"""The course's fact registry (courses/facts.yml): one home for every figure a lesson, app or brief shows.

Each fact has its statement, its value(s) as the course shows them, its kind (a source's finding, the law as a source
states it, or the course's own model or heuristic), its source, the date it was read, a review-by date, a scope
(global or a jurisdiction) and, for an old figure kept on purpose, `history: true` with a line saying why. Lessons
name a fact as `{{fact:ID}}` (or `{{fact:ID.KEY}}` for one of several values) and tailoring renders the text; see
`render_markdown`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, StrictStr, WithJsonSchema, model_validator

from simulations.common.datafiles import REPO, DataError
from simulations.common.models import (
    Day,
    FileModel,
    Flag,
    Text,
    WebAddress,
    check_model,
    choice,
    invalid,
    items,
    json_schema,
    read_yaml,
    unique_by,
)
from simulations.common.vocabulary import JURISDICTIONS

FACTS_FILE = REPO / "courses" / "facts.yml"
KINDS = ("finding", "model", "heuristic", "law")
# Kinds that say what a source published, so a source is required.
SOURCED_KINDS = ("finding", "law")
GLOBAL = "global"
# A source counts as old when it is more than this many years older than the check date (unless marked history).
MAX_SOURCE_AGE_YEARS = 5

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEY = re.compile(r"^[a-z0-9_]+$")
# A reference in a Markdown cell: {{fact:ID}} or {{fact:ID.KEY}}.
REFERENCE = re.compile(r"\{\{\s*fact:([a-z0-9-]+)(?:\.([a-z0-9_]+))?\s*\}\}")


@dataclass(frozen=True)
class Source:
    """Where a fact comes from, as the course cites it; `names` are the words a lesson uses to cite it."""

    title: str
    publisher: str
    year: int
    url: str | None
    names: tuple[str, ...]


@dataclass(frozen=True)
class Fact:
    """One fact of the registry; `values` maps a key to the text a learner reads (`value` is the key of one value)."""

    id: str
    statement: str
    values: dict[str, str]
    kind: str
    source: Source | None
    read: dt.date | None
    review_by: dt.date
    scope: str
    history: bool
    why: str | None
    line: int | None = field(default=None, compare=False)

    def text(self, key: str | None = None) -> str:
        """The text of the value `key`, or of the only value when `key` is None."""
        if key is None:
            if len(self.values) != 1:
                raise KeyError(f"fact {self.id} has several values ({', '.join(self.values)}): name one")
            return next(iter(self.values.values()))
        return self.values[key]

    def number(self, key: str | None = None) -> float:
        """The value as a number, read from its text: "28%" is 0.28, "about $23,000" is 23000.0, "2.8 h" is 2.8."""
        text = self.text(key)
        match = _NUMBER.search(text)
        if match is None:
            raise ValueError(f"fact {self.id}: {text!r} holds no number")
        number = float(match.group(0).replace(",", ""))
        return number / 100 if text[match.end() :].lstrip().startswith("%") else number

    def numbers(self, key: str | None = None) -> tuple[float, ...]:
        """Every number in the value's text, percentages as shares: "70% to 95%" is (0.7, 0.95)."""
        text = self.text(key)
        found = []
        for match in _NUMBER.finditer(text):
            number = float(match.group(0).replace(",", ""))
            found.append(number / 100 if text[match.end() :].lstrip().startswith("%") else number)
        return tuple(found)

    def shown_to(self, jurisdictions: Iterable[str]) -> bool:
        """Whether an organisation under these jurisdictions is shown this fact."""
        return self.scope == GLOBAL or self.scope in set(jurisdictions)

    def age(self, today: dt.date) -> int | None:
        """Years between the source's year and `today` (None for a fact without a source)."""
        return None if self.source is None else today.year - self.source.year


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class Registry:
    """The facts of one registry file, by id, in file order."""

    path: Path
    facts: dict[str, Fact]

    def __getitem__(self, fact_id: str) -> Fact:
        return self.facts[fact_id]

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.facts.values())

    def __len__(self) -> int:
        return len(self.facts)

    def source_names(self) -> tuple[str, ...]:
        """Every name by which a lesson cites a registered source, longest first."""
        names = {n for fact in self if fact.source for n in fact.source.names}
        return tuple(sorted(names, key=lambda n: (-len(n), n)))


@functools.cache
def shipped_facts() -> Registry:
    """The course's own registry, read once per process: where the engines and apps take their figures."""
    return load_facts(FACTS_FILE)


def _figure(value: Any) -> Any:
    """A value written as a bare number (28, 2.5) is the text the learner reads ("28", "2.5")."""
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _matches(pattern: re.Pattern, message: str) -> Any:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise invalid(message)
        return value

    return AfterValidator(check)


FactId = Annotated[
    StrictStr,
    _matches(_ID, "expected lower-case words joined by dashes"),
    Field(json_schema_extra={"pattern": _ID.pattern}, description="lower-case words joined by dashes"),
]
ValueKey = Annotated[
    StrictStr,
    _matches(_KEY, "expected a key of lower-case letters, digits and underscores"),
    Field(json_schema_extra={"pattern": _KEY.pattern}),
]
Figure = Annotated[
    Text,
    BeforeValidator(_figure),
    WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1}, {"type": "number"}]}),
]


class SourceFile(FileModel):
    """Where a fact comes from, as the course cites it."""

    title: Text
    publisher: Text
    year: Annotated[StrictInt, Field(ge=1900, le=2100, description="the year it was published")]
    url: WebAddress | None = Field(None, description="where the source can be read")
    names: items(Text, min_len=1) = Field(description="the words a lesson cites it by")


class FactFile(FileModel):
    """One fact of the registry: what it says, its value(s), its kind, source, dates and scope."""

    id: FactId = Field(description="a lesson writes {{fact:ID}} (one value) or {{fact:ID.KEY}}")
    statement: Text = Field(description="what the figure says, in a sentence")
    value: Figure | None = Field(None, description="the text a learner reads (or `values`)")
    values: Annotated[dict[ValueKey, Figure], Field(min_length=1)] | None = Field(
        None, description="a mapping of key to text, for a fact with several figures (or `value`)"
    )
    kind: choice(KINDS, "finding (a source's result), law (a rule as its text states it), model or heuristic")
    source: SourceFile | None = Field(None, description="required for a finding or a law")
    basis: Text | None = Field(None, description="what a model or heuristic rests on")
    read: Day | None = Field(None, description="the date the figure was checked against the source (absent: not yet)")
    review_by: Day = Field(description="the date by which the fact is checked again; `smtk check` fails after it")
    scope: choice((GLOBAL, *JURISDICTIONS), "global, or the one jurisdiction it applies to") = GLOBAL
    history: Flag = Field(False, description="true for an old figure kept on purpose, with `why`")
    why: Text | None = Field(None, description="why an old figure still matters")

    @model_validator(mode="after")
    def _rules(self) -> FactFile:
        if ("value" in self.model_fields_set) == ("values" in self.model_fields_set):
            raise invalid("give either `value` (one text) or `values` (a mapping of key to text), not both or neither")
        if self.source is None and self.kind in SOURCED_KINDS:
            raise invalid(f"required for a {self.kind}: say where it was published", at="source")
        if self.history and self.why is None:
            raise invalid("required with `history: true`: say why the old figure still matters", at="why")
        if self.kind == "law" and self.scope == GLOBAL:
            jurisdictions = ", ".join(JURISDICTIONS)
            raise invalid(f"a law applies in one jurisdiction: give scope {jurisdictions}, not global", at="scope")
        return self

    def fact(self, line: int | None) -> Fact:
        s = self.source
        source = Source(s.title, s.publisher, s.year, s.url, tuple(s.names)) if s else None
        values = {"value": self.value} if self.value is not None else dict(self.values or {})
        return Fact(
            self.id,
            self.statement,
            values,
            self.kind,
            source,
            self.read,
            self.review_by,
            self.scope,
            self.history,
            self.why,
            line,
        )


class FactsFile(FileModel):
    """The course's fact registry (courses/facts.yml): the one home of every figure a lesson, app or brief shows."""

    facts: Annotated[items(FactFile, min_len=1), unique_by("id", "duplicate id {value!r}: a fact has one home")]


def load_facts(path: str | Path = FACTS_FILE) -> Registry:
    """Read and validate a fact registry; raises DataErrors naming the file, line, column and field of every
    problem at once."""
    data, positions, twice = read_yaml(path)
    found = check_model(data, FactsFile, path, None, positions, twice)
    facts = {f.id: f.fact(positions[("facts", i)][0]) for i, f in enumerate(found.facts)}
    return Registry(Path(path), facts)


def facts_schema() -> dict:
    """The JSON Schema of the fact registry, for editors."""
    return json_schema(FactsFile, "Fact registry", "The course's facts: every figure a lesson, app or brief shows.")


# ---- rendering -----------------------------------------------------------------------------------------------------


class FactReferenceError(ValueError):
    """A lesson names a fact the registry does not hold (or a value the fact does not have)."""


def references(text: str) -> list[tuple[str, str | None]]:
    """The (fact id, value key) pairs a Markdown text refers to, in order."""
    return [(m.group(1), m.group(2)) for m in REFERENCE.finditer(text)]


def _blocks(text: str) -> list[str]:
    """A Markdown text cut into the pieces a fact's scope can remove whole: paragraphs, list items and table rows."""
    pieces: list[str] = []
    for block in re.split(r"(\n[ \t]*\n)", text):
        if not block.strip() or "\n" not in block.strip():
            pieces.append(block)
            continue
        lines = block.split("\n")
        if all(_item_start(line) or line.startswith((" ", "\t")) or not line.strip() for line in lines):
            current: list[str] = []
            for line in lines:
                if _item_start(line) and current:
                    pieces.append("\n".join(current) + "\n")
                    current = []
                current.append(line)
            pieces.append("\n".join(current))
        else:
            pieces.append(block)
    return pieces


def _item_start(line: str) -> bool:
    return bool(re.match(r"^(\s*[-*+]\s|\s*\d+[.)]\s|\|)", line))


def render_markdown(text: str, registry: Registry, jurisdictions: Iterable[str] = ()) -> str:
    """The text a learner reads: each `{{fact:ID}}` replaced by the fact's value; a paragraph, list item or table row
    that names a fact outside the organisation's jurisdictions is left out. Unknown ids raise FactReferenceError."""
    jurisdictions = tuple(jurisdictions)
    for fact_id, key in references(text):
        _lookup(registry, fact_id, key)
    if not REFERENCE.search(text):
        return text
    kept = [
        piece
        for piece in _blocks(text)
        if all(registry[fact_id].shown_to(jurisdictions) for fact_id, _ in references(piece))
    ]
    rendered = "".join(kept)
    return REFERENCE.sub(lambda m: registry[m.group(1)].text(m.group(2) or _only_key(registry[m.group(1)])), rendered)


def _only_key(fact: Fact) -> str | None:
    return None if len(fact.values) == 1 else next(iter(fact.values))


def _lookup(registry: Registry, fact_id: str, key: str | None) -> Fact:
    if fact_id not in registry.facts:
        raise FactReferenceError(f"no fact {fact_id!r} in {registry.path}")
    fact = registry[fact_id]
    if key is None and len(fact.values) != 1:
        several = ", ".join(fact.values)
        raise FactReferenceError(f"fact {fact_id} has several values ({several}): write fact:{fact_id}.KEY")
    if key is not None and key not in fact.values:
        raise FactReferenceError(f"fact {fact_id} has no value {key!r} (it has {', '.join(fact.values)})")
    return fact


def check_references(text: str, registry: Registry) -> list[str]:
    """Problems with the references in a text: each unknown fact or value, as a message."""
    problems = []
    for fact_id, key in references(text):
        try:
            _lookup(registry, fact_id, key)
        except FactReferenceError as exc:
            problems.append(str(exc))
    return problems


def cited(text: str) -> str:
    """A data file's text that may name facts (a risk's sources, a goal's evidence), with each reference written out
    from the course's registry; an unknown reference raises ValueError saying which (the models' Cited type)."""
    registry = shipped_facts()
    problems = check_references(text, registry)
    if problems:
        raise ValueError(problems[0])
    return render_markdown(text, registry, JURISDICTIONS)


def _cited(text: str) -> str:
    try:
        return cited(text)
    except ValueError as exc:
        raise invalid(str(exc)) from None


# Text in a data file that may name facts of the course's registry; each reference is written out on load.
Cited = Annotated[
    StrictStr, AfterValidator(_cited), Field(description="may name facts of the course's registry as {{fact:ID}}")
]


# ---- figures written out in a lesson --------------------------------------------------------------------------------

# A percentage ("28%", "70-95%", "12.5 %") or an amount of money ("$23,000", "\$1.1M", "€3.5k").
_PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s?%")
_MONEY = re.compile(r"\\?[$€£]\s?(\d[\d,]*(?:\.\d+)?)\s?(k|K|M|bn|million|billion)?\b")
_YEAR = re.compile(r"(?<![\d$€£,.])(?:19[5-9]\d|20[0-4]\d)(?![\d,%])")
_SCALE = {None: 1, "k": 1e3, "K": 1e3, "M": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<![ (][A-Z]\.)(?<! al\.)(?<! vs\.)(?<!e\.g\.)(?<!i\.e\.)\s+(?=[A-Z*_(\[])")


def figures(text: str) -> list[tuple[str, frozenset[tuple[str, float]]]]:
    """The percentages and money amounts written in a text: (as written, its numbers as ("%" or "$", value))."""
    found = []
    for m in _PERCENT.finditer(text):
        atoms = {("%", float(m.group(1)))}
        if m.group(2):
            atoms.add(("%", float(m.group(2))))
        found.append((m.group(0), frozenset(atoms)))
    for m in _MONEY.finditer(text):
        value = float(m.group(1).replace(",", "")) * _SCALE[m.group(2)]
        found.append((m.group(0).strip(), frozenset({("$", value)})))
    return found


def citation_units(text: str) -> list[str]:
    """A Markdown text cut into the units a citation belongs to: sentences, list items and table rows (code removed)."""
    text = _CODE.sub(" ", text)
    units = []
    for piece in _blocks(text):
        for line_group in piece.split("\n") if piece.lstrip().startswith("|") else [piece]:
            flat = " ".join(line_group.split())
            units.extend(u for u in _SENTENCE_END.split(flat) if u.strip())
    return units


@dataclass(frozen=True)
class Unregistered:
    """A figure written out next to a source's name that no fact of the registry holds."""

    figure: str
    unit: str


def unregistered_figures(text: str, registry: Registry) -> list[Unregistered]:
    """Figures a learner would read next to a source's name (a registered source's name, or a year of publication)
    that are not a value of a registered fact of a source named there. References are not figures: they render
    from the registry."""
    names = registry.source_names()
    found = []
    previous = ""
    for unit in citation_units(REFERENCE.sub(" ", text)):
        written = figures(unit)
        context, previous = f"{previous} {unit}", unit  # "The same study found that 60%..." cites the sentence before
        if not written:
            continue
        cited = [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", context)]
        if not cited and not _YEAR.search(_MONEY.sub(" ", unit)):
            continue
        allowed: set[tuple[str, float]] = set()
        for fact in registry:
            if fact.source and set(fact.source.names) & set(cited):
                for value in fact.values.values():
                    for _, atoms in figures(value):
                        allowed |= atoms
        for shown, atoms in written:
            if not atoms <= allowed:
                found.append(Unregistered(shown, unit))
    return found


def check_dates(registry: Registry, today: dt.date) -> list[DataError]:
    """Registry problems as of `today`: a fact past review_by, a source over five years old not marked history, a
    source without a URL. Each names the file, the line and the fact. A law is not a figure that ages with its
    source: it stands until it is changed, which its review_by date guards."""
    problems = []
    for index, fact in enumerate(registry):
        where = f"facts[{index}] ({fact.id})"
        if fact.review_by < today:
            problems.append(
                _error(registry, fact, f"{where}.review_by", f"review_by {fact.review_by} has passed: review the fact")
            )
        age = fact.age(today)
        if age is not None and age > MAX_SOURCE_AGE_YEARS and not fact.history and fact.kind != "law":
            problems.append(
                _error(
                    registry,
                    fact,
                    f"{where}.source.year",
                    f"the source is from {fact.source.year}, {age} years before {today}: find a current source or "
                    "mark the fact `history: true` with a `why`",
                )
            )
        if fact.source is not None and fact.source.url is None:
            problems.append(_error(registry, fact, f"{where}.source.url", "no URL: say where the source can be read"))
    return problems


def _error(registry: Registry, fact: Fact, where: str, problem: str) -> DataError:
    return DataError(registry.path, where, problem, line=fact.line)
