"""CSV of actual costs and benefits: a good file reproduces the hand example; a bad one lists every problem at once."""

import pytest

from simulations.common.datafiles import DataError
from simulations.common.tabular import TableError
from simulations.roi import default_program, evaluate, program_to_csv, read_costs_benefits_csv

GOOD = """\
type,category,item,quantity,unit_value,attribution,confidence,recurring
cost,design,Course design,1,"$20,000",,,no
cost,delivery,Executive private sessions,2,2500,,,yes
cost,participants_time,Employees' time (hours),1500,40,,,yes
cost,platform,Learning platform seats,1000,5,,,yes
cost,evaluation,Evaluation study,1,4000,,,

benefit,risk,Expected loss avoided,100000,1,80%,0.75,
benefit,productivity,Hours saved,2000,40,0.5,0.6,
benefit,revenue,Revenue from referrals,300000,0.25,0.4,50%,
"""


def read(text: str, name: str = "actuals.csv"):
    return read_costs_benefits_csv(text.encode("utf-8"), name)


def problems_of(data: bytes, name: str = "actuals.csv") -> TableError:
    with pytest.raises(TableError) as caught:
        read_costs_benefits_csv(data, name)
    return caught.value


def test_good_file_gives_the_hand_computed_example():
    r = evaluate(read(GOOD))
    assert r.total_costs == 94_000
    assert r.annual_benefits == pytest.approx(99_000)
    assert round(r.roi_pct, 2) == 5.32
    assert round(r.bcr, 2) == 1.05
    assert round(r.payback_months, 2) == 11.39
    assert round(evaluate(read(GOOD), years=3).roi_pct, 2) == 26.92  # recurring column honoured


def test_recurring_column_is_optional_and_headers_ignore_case():
    text = "Type,Category,Item,Quantity,Unit_Value,Attribution,Confidence\ncost,design,Design,1,500,,\n"
    assert evaluate(read(text)).total_costs == 500


def test_every_problem_is_listed_with_row_column_and_file_name():
    bad = """\
type,category,item,quantity,unit_value,attribution,recurring,colour
cost,design,Course design,abc,20000,,no,red
cost,platform,Seats,1000,-5,,yes,blue
expense,travel,,1,1,,,
benefit,risk,Loss avoided,100000,1,1.5,,
cost,design,Course design,1,1,,maybe,
cost,design,Short row,1
"""
    err = problems_of(bad.encode())
    assert isinstance(err, DataError)
    expected = [
        "header: unknown column 'colour'",
        "header: required column 'confidence' is missing",
        "row 2, column quantity: expected a number, got 'abc'",
        "row 3, column unit_value: expected a value >= 0, got -5",
        "row 4, column type: expected one of cost, benefit, got 'expense'",
        "row 4, column category: expected one of design, delivery",
        "row 4, column item: expected text, got nothing (empty)",
        "row 5, column attribution: expected a share between 0 and 1 (or a percentage such as 60%), got '1.5'",
        "row 6, column recurring: expected yes or no (also 1/0, true/false), got 'maybe'",
        "row 6, column item: expected a unique item name; 'Course design' is already on row 2",
        "row 7: expected 8 values (one per column), got 4",
    ]
    message = str(err)
    assert message.startswith(f"actuals.csv: {len(expected)} problems to fix:")
    positions = [message.find(line) for line in expected]
    assert -1 not in positions
    assert positions == sorted(positions)  # file and header first, then rows top to bottom
    assert len(err.problems) == len(expected)
    assert all(p.path == "actuals.csv" for p in err.problems)


def test_cells_that_do_not_belong_are_reported():
    text = (
        "type,category,item,quantity,unit_value,attribution,confidence,recurring\n"
        "cost,design,Design,1,100,0.5,,\n"
        "benefit,risk,Loss,1,1,1,1,yes\n"
        "benefit,design,Wrong kind,1,1,1,1,\n"
    )
    message = str(problems_of(text.encode()))
    assert "row 2, column attribution: expected an empty cell for a cost, got '0.5'" in message
    assert "row 3, column recurring: expected an empty cell for a benefit" in message
    assert "row 4, column category: expected one of risk, productivity, revenue, got 'design'" in message


@pytest.mark.parametrize(
    "data, problem",
    [
        (b"", "file: the file is empty; expected a header row with the columns type, category, item"),
        (b"  \n\n", "file: the file is empty"),
        (b"type,category,item,quantity,unit_value,attribution,confidence\n", "file: no data rows below the header"),
        (GOOD.replace("Course design", "Cours\xe9").encode("latin-1"), "file: not UTF-8 text (byte 0xe9 at position"),
        (GOOD.encode("utf-16"), "file: the file is UTF-16 text; expected UTF-8"),
        (b"PK\x03\x04\x14\x00\x00\x00", "file: this is a binary file, not CSV text"),
        (
            b"type,category,item,quantity,unit_value,attribution,confidence\nbenefit,risk,Loss,1,1,1,1\n",
            "file: expected at least one cost line",
        ),
    ],
    ids=["empty", "blank", "header-only", "latin-1", "utf-16", "workbook", "no-costs"],
)
def test_unreadable_or_empty_files_name_the_file(data, problem):
    err = problems_of(data, "upload.csv")
    assert str(err).startswith(f"upload.csv: {problem}")
    assert len(err.problems) == 1


def test_utf8_with_byte_order_mark_reads(tmp_path):
    path = tmp_path / "actuals.csv"
    path.write_bytes(GOOD.encode("utf-8-sig"))
    assert evaluate(read_costs_benefits_csv(path)).total_costs == 94_000


def test_errors_name_the_path_when_no_name_is_given(tmp_path):
    path = tmp_path / "missing.csv"
    with pytest.raises(TableError, match=f"^{path}: file: file not found$"):
        read_costs_benefits_csv(path)
    with pytest.raises(TableError, match="^uploaded file: file: the file is empty"):
        read_costs_benefits_csv(b"")


def test_template_round_trips_the_default_program():
    program = default_program(
        {"executives": 12, "employees": 3_000}, {"executives": 150, "employees": 45}, risk_reduction=80_000
    )
    again = read(program_to_csv(program))
    before, after = evaluate(program), evaluate(again)
    assert after.total_costs == before.total_costs
    assert after.annual_benefits == pytest.approx(before.annual_benefits)
    assert evaluate(again, years=3).total_costs == evaluate(program, years=3).total_costs


@pytest.mark.parametrize("cell, amount", [("1200", 1200), ('"1,200.50"', 1200.5), ('"$1,200"', 1200), ("1e3", 1000)])
def test_number_spellings_from_spreadsheets(cell, amount):
    text = f"type,category,item,quantity,unit_value,attribution,confidence\ncost,design,Design,1,{cell},,\n"
    assert evaluate(read(text)).total_costs == amount


def test_malformed_numbers_are_problems_not_crashes():
    text = "type,category,item,quantity,unit_value,attribution,confidence\n" + "".join(
        f"cost,design,Design {i},1,{cell},,\n" for i, cell in enumerate(["--5", '"1,20"', "nan", "inf", "1 2 3x"])
    )
    err = problems_of(text.encode())
    assert [p.field for p in err.problems] == [f"row {r}, column unit_value" for r in range(2, 7)]
    assert all(p.problem.startswith("expected a number") for p in err.problems)
