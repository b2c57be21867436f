"""The risk simulation's data files as typed models: the register, the controls and the tailoring file load to the
same objects as the hand-written parsers gave, and every problem is named by file, line, column and field, all of
a file's at once, in file order."""

import pytest
from before_models import BEFORE, loaded, snapshot
from test_models import at, plant, problems

from simulations.risk.controls import DEFAULT_CONTROLS, load_controls
from simulations.risk.profile import DEFAULT_TAILORING, load_tailoring
from simulations.risk.register import DEFAULT_REGISTER, load_register

RISK = [name for name in loaded() if name.startswith("risk-")]


@pytest.mark.parametrize("name", RISK)
def test_shipped_risk_files_load_to_the_same_objects_as_before(name):
    assert snapshot(loaded()[name]()) == (BEFORE / f"{name}.txt").read_text(encoding="utf-8")


REGISTER_TYPE = ("    likelihood: 0.20\n", "    likelihood: often\n")
REGISTER_UNKNOWN = ("    frequency: bernoulli\n", "    frequncy: bernoulli\n")
REGISTER_RANGE = ("  coe: 6\n", "  coe: -6\n")
CONTROLS_TYPE = ("    cost_per_learner: 3000\n", "    cost_per_learner: 3k\n")
CONTROLS_UNKNOWN = ("    cost: 20000\n", "    cost: 20000\n    cots: 1\n")
CONTROLS_RANGE = (
    "      - {risk: confidential-leak, likelihood: 0.15}",
    "      - {risk: confidential-leak, likelihood: 2}",
)
TAILORING_TYPE = (
    "      - {risk: undisclosed-endorsement, likelihood: 1.5}",
    "      - {risk: undisclosed-endorsement, likelihood: x}",
)
TAILORING_UNKNOWN = (
    "    plans_for: the 1-in-100-year loss\n",
    "    plans_for: the 1-in-100-year loss\n    colour: red\n",
)
TAILORING_RANGE = (
    "      - {risk: complaint-escalates, likelihood: 1.2}",
    "      - {risk: complaint-escalates, impact: 0}",
)

CASES = {
    "register wrong type": (
        load_register,
        DEFAULT_REGISTER,
        REGISTER_TYPE,
        ("likelihood: often", "likelihood"),
        "risks[0].likelihood",
        'expected a number (got "often")',
    ),
    "register unknown key": (
        load_register,
        DEFAULT_REGISTER,
        REGISTER_UNKNOWN,
        ("frequncy:", "frequncy"),
        "risks[0].frequncy",
        "unknown field (did you mean frequency?)",
    ),
    "register out of range": (
        load_register,
        DEFAULT_REGISTER,
        REGISTER_RANGE,
        ("coe: -6", "coe"),
        "reference_audiences.coe",
        "expected a value >= 0 (got -6)",
    ),
    "register cross-field": (
        load_register,
        DEFAULT_REGISTER,
        ("    impact: {p50: 150000, p90: 1500000}", "    impact: {p50: 150000, p90: 15000}"),
        ("impact: {p50: 150000, p90: 15000}", "p90"),
        "risks[0].impact.p90",
        "expected p90 >= p50 (150000), got 15000",
    ),
    "register unknown fact": (
        load_register,
        DEFAULT_REGISTER,
        (
            "{{fact:altimeter-preventable}} of {{fact:altimeter-readiness",
            "{{fact:no-such-fact}} of {{fact:altimeter-readiness",
        ),
        ("fact:no-such-fact", '"Altimeter'),
        "risks[0].sources[0]",
        "no fact 'no-such-fact' in ",
    ),
    "controls wrong type": (
        load_controls,
        DEFAULT_CONTROLS,
        CONTROLS_TYPE,
        ("cost_per_learner: 3k", "cost_per_learner"),
        "training[0].cost_per_learner",
        'expected a number (got "3k")',
    ),
    "controls unknown key": (
        load_controls,
        DEFAULT_CONTROLS,
        CONTROLS_UNKNOWN,
        ("cots: 1", "cots"),
        "controls[0].cots",
        "unknown field (did you mean cost?)",
    ),
    "controls out of range": (
        load_controls,
        DEFAULT_CONTROLS,
        CONTROLS_RANGE,
        ("confidential-leak, likelihood: 2", "likelihood"),
        "controls[0].effects[0].likelihood",
        "expected a value <= 1 (got 2)",
    ),
    "controls unknown risk": (
        load_controls,
        DEFAULT_CONTROLS,
        ("      - {risk: confidential-leak, likelihood: 0.15}", "      - {risk: meteor-strike, likelihood: 0.15}"),
        ("{risk: meteor-strike", "risk"),
        "controls[0].effects[0].risk",
        "expected one of confidential-leak, inappropriate-behaviour,",
    ),
    "controls track twice": (
        load_controls,
        DEFAULT_CONTROLS,
        ("  - audience: coe\n", "  - audience: executives\n"),
        ("- audience: executives", "audience", 2),
        "training[1].audience",
        "duplicate training track for 'executives'",
    ),
    "tailoring wrong type": (
        load_tailoring,
        DEFAULT_TAILORING,
        TAILORING_TYPE,
        ("undisclosed-endorsement, likelihood: x", "likelihood"),
        "industries.consumer-goods.adjust[0].likelihood",
        'expected a number (got "x")',
    ),
    "tailoring unknown key": (
        load_tailoring,
        DEFAULT_TAILORING,
        TAILORING_UNKNOWN,
        ("colour: red", "colour"),
        "appetites.low.colour",
        "unknown field; expected one of basis, sources, metric, plans_for",
    ),
    "tailoring out of range": (
        load_tailoring,
        DEFAULT_TAILORING,
        TAILORING_RANGE,
        ("complaint-escalates, impact: 0", "impact"),
        "industries.consumer-goods.adjust[1].impact",
        "expected a positive value (got 0)",
    ),
    "tailoring missing appetite": (
        load_tailoring,
        DEFAULT_TAILORING,
        ("  high:\n    metric: expected\n", "  higher:\n    metric: expected\n"),
        ("higher:", "higher"),
        "appetites.higher",
        "expected one of low, moderate, high",
    ),
}


@pytest.mark.parametrize(("load", "source", "edit", "where", "field", "problem"), CASES.values(), ids=CASES)
def test_a_planted_risk_file_error_names_file_line_column_and_field(
    tmp_path, load, source, edit, where, field, problem
):
    path, text = plant(tmp_path, source, edit)
    found = problems(load, path)
    assert found[0][:3] == (*at(text, *where), field) and found[0][3].startswith(problem), found


@pytest.mark.parametrize(
    ("load", "source", "edits", "fields"),
    [
        (
            load_register,
            DEFAULT_REGISTER,
            (REGISTER_UNKNOWN, REGISTER_RANGE, REGISTER_TYPE),
            ["reference_audiences.coe", "risks[0].likelihood", "risks[0].frequncy"],
        ),
        (
            load_controls,
            DEFAULT_CONTROLS,
            (CONTROLS_RANGE, CONTROLS_UNKNOWN, CONTROLS_TYPE),
            ["training[0].cost_per_learner", "controls[0].cots", "controls[0].effects[0].likelihood"],
        ),
        (
            load_tailoring,
            DEFAULT_TAILORING,
            (TAILORING_UNKNOWN, TAILORING_RANGE, TAILORING_TYPE),
            [
                "industries.consumer-goods.adjust[0].likelihood",
                "industries.consumer-goods.adjust[1].impact",
                "appetites.low.colour",
            ],
        ),
    ],
    ids=["register", "controls", "tailoring"],
)
def test_three_errors_in_a_risk_file_are_all_reported_in_file_order(tmp_path, load, source, edits, fields):
    path, _ = plant(tmp_path, source, *edits)
    found = problems(load, path)
    assert [field for _, _, field, _ in found] == fields
    assert [line for line, _, _, _ in found] == sorted(line for line, _, _, _ in found)


@pytest.mark.parametrize(
    ("load", "source"),
    [(load_register, DEFAULT_REGISTER), (load_controls, DEFAULT_CONTROLS), (load_tailoring, DEFAULT_TAILORING)],
    ids=["register", "controls", "tailoring"],
)
def test_invalid_yaml_in_a_risk_file_names_the_line_and_column(tmp_path, load, source):
    path, text = plant(tmp_path, source, ("    basis: assumption\n", "    basis: assumption: yes\n"))
    (found,) = problems(load, path)
    assert found[:3] == (*at(text, "basis: assumption:", ": yes"), "(top level)")
    assert found[3].startswith("not valid YAML: mapping values are not allowed here")
