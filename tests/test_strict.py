"""Rewritten test cells: plain values compare as usual, a learner's lying object never passes."""

from __future__ import annotations

import ast

import pytest

from graders.grading.sandbox.strict import Guard, rewrite, scientific_types


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class Design:
    """A course object (like triage.Design) kept as a value in a dict the test looks up."""


def run_test(source: str, **names) -> None:
    tree = rewrite(ast.parse(source), "_guard")
    exec(compile(tree, "<test cell>", "exec"), {"_guard": Guard(scientific_types()), **names})


def test_plain_values_compare_as_usual():
    run_test("assert answer == 42 and answer in [41, 42]\nassert 'a' < 'b' <= 'b'", answer=42)
    with pytest.raises(AssertionError):
        run_test("assert answer == 42", answer=41)


def test_a_lying_object_never_passes():
    for source in ("assert answer == 42", "assert answer in [42]", "assert [answer] == [42]", "assert answer"):
        with pytest.raises(AssertionError, match="smtk: a test"):
            run_test(source, answer=AlwaysEqual())


def test_membership_in_a_mapping_checks_its_keys_only():
    changes = {"a second person": Design(), "most urgent first": Design()}
    run_test("assert best in CHANGES and 'other' not in CHANGES", best="a second person", CHANGES=changes)
    with pytest.raises(AssertionError):
        run_test("assert best in CHANGES", best="nobody", CHANGES=changes)
    with pytest.raises(AssertionError, match="smtk: a test"):
        run_test("assert best in CHANGES", best=AlwaysEqual(), CHANGES=changes)
    with pytest.raises(AssertionError, match="smtk: a test"):
        run_test("assert 'k' in CHANGES", CHANGES={AlwaysEqual(): 1})
    with pytest.raises(AssertionError, match="smtk: a test"):
        run_test("assert CHANGES == CHANGES", CHANGES=changes)  # equality still compares the values
