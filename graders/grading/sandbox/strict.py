"""Test cells that learner objects cannot fool: comparisons and asserts only trust values of known, exact types.

A learner's object whose `__eq__` always returns True (or whose `__bool__`, `__contains__` or `__lt__` lies) would
pass any `assert answer == expected`. Test cells are rewritten so every comparison and every assert first checks
that its operands are plain values (exact builtin, numpy or pandas types, recursively for containers).
"""

from __future__ import annotations

import ast
import collections
import datetime
import decimal
import fractions
import operator

_PLAIN = {
    int,
    float,
    complex,
    bool,
    str,
    bytes,
    type(None),
    range,
    slice,
    type(Ellipsis),
    datetime.date,
    datetime.datetime,
    datetime.time,
    datetime.timedelta,
    decimal.Decimal,
    fractions.Fraction,
}
_CONTAINERS = {list, tuple, set, frozenset, dict, collections.OrderedDict, collections.Counter, collections.deque}
_MAX_ITEMS = 100_000

_OPS = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
_OP_NAMES = {op: i for i, op in enumerate(_OPS)}
_OP_FUNCS = list(_OPS.values())
_MEMBERSHIP = frozenset(i for i, kind in enumerate(_OPS) if kind in (ast.In, ast.NotIn))
_MAPPINGS = frozenset({dict, collections.OrderedDict, collections.Counter})


def _scientific_types() -> set[type]:
    """numpy's array and scalar types and pandas' containers and scalars (exact classes, never subclasses)."""
    found: set[type] = set()
    try:
        import numpy as np

        found |= {np.ndarray, np.bool_, *(t for t in np.sctypeDict.values() if isinstance(t, type))}
    except ImportError:
        pass
    try:
        import pandas as pd

        found |= {
            pd.Series,
            pd.DataFrame,
            pd.Index,
            pd.RangeIndex,
            pd.MultiIndex,
            pd.DatetimeIndex,
            pd.CategoricalIndex,
            pd.Categorical,
            pd.Timestamp,
            pd.Timedelta,
            pd.Interval,
            pd.Period,
            type(pd.NaT),
            type(pd.NA),
        }
    except ImportError:
        pass
    return found


class Guard:
    """The checks a rewritten test cell calls; built once per test cell from types captured before learner code ran."""

    def __init__(self, scientific: frozenset[type]):
        self.plain = frozenset(_PLAIN | scientific)
        self.containers = frozenset(_CONTAINERS)
        self._type = type
        self._len = len

    def trusted(self, value, budget: list[int] | None = None) -> bool:
        budget = [_MAX_ITEMS] if budget is None else budget
        kind = self._type(value)
        if kind in self.plain:
            if kind.__module__.startswith("numpy") and getattr(value, "dtype", None) is not None:
                if value.dtype.kind == "O":
                    return all(self.trusted(v, budget) for v in value.ravel().tolist())
            elif kind.__module__.startswith("pandas") and hasattr(value, "dtypes"):
                return all(self.trusted(v, budget) for v in _pandas_objects(value))
            return True
        if kind in self.containers:
            budget[0] -= self._len(value)
            if budget[0] < 0:
                return True  # too large to inspect fully: its type is already exact
            items = list(value.items()) if kind in (dict, collections.OrderedDict, collections.Counter) else value
            for item in items:
                if kind in (dict, collections.OrderedDict, collections.Counter):
                    if not (self.trusted(item[0], budget) and self.trusted(item[1], budget)):
                        return False
                elif not self.trusted(item, budget):
                    return False
            return True
        return False

    def compare(self, op: int, left, right):
        checked = (left, right)
        if op in _MEMBERSHIP and self._type(right) in _MAPPINGS:
            checked = (left, list(right))  # `x in mapping` looks at the keys only; the values take no part
        for value in checked:
            if not self.trusted(value):
                raise AssertionError(
                    f"smtk: a test compared a value of type {self._type(value).__name__!r}; tests only accept plain "
                    "values (numbers, strings, lists, dicts, numpy, pandas), so a custom object cannot pass them"
                )
        return _OP_FUNCS[op](left, right)

    def chain(self, ops: tuple[int, ...], *operands):
        return all(self.compare(op, operands[i], operands[i + 1]) for i, op in enumerate(ops))

    def truth(self, value):
        if not self.trusted(value):
            raise AssertionError(
                f"smtk: a test asserted a value of type {self._type(value).__name__!r}; "
                "tests only accept plain values, so a custom object cannot pass them"
            )
        return value


def _pandas_objects(value):
    frames = [value] if hasattr(value, "select_dtypes") else []
    if frames:
        objects = value.select_dtypes(include="object")
        return objects.to_numpy().ravel().tolist()
    if getattr(value, "dtype", None) is not None and value.dtype.kind == "O":
        return list(value)
    return []


class _Rewriter(ast.NodeTransformer):
    def __init__(self, name: str):
        self.name = name

    def _call(self, method: str, args: list[ast.expr]) -> ast.Call:
        func = ast.Attribute(value=ast.Name(id=self.name, ctx=ast.Load()), attr=method, ctx=ast.Load())
        return ast.Call(func=func, args=args, keywords=[])

    def visit_Compare(self, node: ast.Compare):
        self.generic_visit(node)
        if not all(type(op) in _OP_NAMES for op in node.ops):
            return node  # `is` / `is not` compare identities, which an object cannot fake
        ops = [_OP_NAMES[type(op)] for op in node.ops]
        if len(ops) == 1:
            return self._call("compare", [ast.Constant(ops[0]), node.left, node.comparators[0]])
        return self._call(
            "chain", [ast.Tuple([ast.Constant(o) for o in ops], ast.Load()), node.left, *node.comparators]
        )

    def visit_Assert(self, node: ast.Assert):
        self.generic_visit(node)
        node.test = self._call("truth", [node.test])
        return node


def rewrite(tree: ast.Module, name: str) -> ast.Module:
    """Route every comparison and assert of a test cell through the guard bound to `name`."""
    return ast.fix_missing_locations(_Rewriter(name).visit(tree))


def scientific_types() -> frozenset[type]:
    return frozenset(_scientific_types())
