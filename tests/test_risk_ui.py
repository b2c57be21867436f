"""The risk widgets in a kernel-less process: heat map placement, locking, recording and restoring; coverage sliders
and the open-versus-sanitised comparison redraw their curves from the engine's numbers."""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from simulations.risk import DEFAULT_SCALE, Program, load_register, model_view, simulate
from simulations.ui.lessons.record import LABEL, WIDGET_STATE
from simulations.ui.lessons.risk_curves import CoverageExplorer, LossCurves, StyleComparison, money
from simulations.ui.lessons.risk_heatmap import RiskHeatMap

REGISTER = load_register()
N = len(REGISTER)


def saved_notebook(path, key: str, data) -> str:
    """A notebook file whose widget state holds a record, as JupyterLab saves it."""
    state = {
        "m": {
            "model_name": "TextareaModel",
            "state": {"description": f"{LABEL}{key}", "value": json.dumps({"key": key, "data": data})},
        }
    }
    path.write_text(
        json.dumps(
            {"cells": [], "metadata": {"widgets": {WIDGET_STATE: {"state": state}}}, "nbformat": 4, "nbformat_minor": 5}
        )
    )
    return str(path)


def test_clicking_cells_places_the_chosen_risk_and_moves_to_the_next():
    heatmap = RiskHeatMap(REGISTER, key="ui-click")
    assert heatmap.reveal_button.disabled and not heatmap.placed_all
    first, second = REGISTER.ids[:2]
    assert heatmap.picker.value == first
    heatmap.cells[3, 2].click()
    assert heatmap.placements == {first: ("likely", "major")}
    assert heatmap.cells[3, 2].description == "1"
    assert heatmap.picker.value == second
    heatmap.picker.value = first  # move a risk: the last click wins
    heatmap.cells[0, 0].click()
    assert heatmap.placements[first] == ("rare", "minor") and heatmap.cells[3, 2].description == ""
    assert "Placed 1 of" in heatmap.status.value
    assert json.loads(heatmap.recorder.widget.value)["data"]["placements"] == {first: ["rare", "minor"]}


def test_reveal_needs_every_risk_then_locks_and_scores():
    heatmap = RiskHeatMap(REGISTER, key="ui-reveal")
    with pytest.raises(ValueError, match="place every risk first; not placed yet: 1, 2"):
        heatmap.reveal()
    assert heatmap.result.value == ""
    for _ in range(N):
        heatmap.cells[2, 2].click()
    assert heatmap.placed_all and not heatmap.reveal_button.disabled
    assert heatmap.cells[2, 2].description == " ".join(str(n) for n in range(1, N + 1))
    heatmap.reveal_button.click()
    assert heatmap.revealed and heatmap.reveal_button.disabled
    assert all(cell.disabled for cell in heatmap.cells.values()) and heatmap.picker.disabled
    score = heatmap.calibration()
    assert f"{score.gap:.3f}" in heatmap.result.value and "The model" in heatmap.result.value
    record = json.loads(heatmap.recorder.widget.value)["data"]
    assert record["revealed"] is True and record["gap"] == score.gap
    with pytest.raises(RuntimeError, match="locked"):
        heatmap.place(REGISTER.ids[0], "rare", "minor")
    heatmap.cells[0, 0].click()  # a click on a locked map changes nothing
    assert heatmap.placements[REGISTER.ids[0]] == ("possible", "major")


def test_place_in_code_checks_every_entry_first():
    heatmap = RiskHeatMap(REGISTER, key="ui-code")
    view = model_view(REGISTER)
    with pytest.raises(ValueError, match="unknown impact band 'huge'"):
        heatmap.place({REGISTER.ids[0]: ("rare", "minor"), REGISTER.ids[1]: ("rare", "huge")})
    with pytest.raises(KeyError, match="meteor"):
        heatmap.place("meteor", "rare", "minor")
    assert heatmap.placements == {}
    heatmap.place({i: (int(r["likelihood_band"]), int(r["impact_band"])) for i, r in view.iterrows()})
    assert heatmap.placed_all
    assert heatmap.calibration().gap < 0.005


def test_saved_placements_are_restored_and_a_revealed_map_stays_locked(tmp_path):
    placements = {i: ["likely", "severe"] for i in REGISTER.ids}
    path = saved_notebook(tmp_path / "nb.ipynb", "ui-restore", {"placements": placements, "revealed": True, "gap": 0.1})
    heatmap = RiskHeatMap(REGISTER, key="ui-restore", notebook=path)
    assert heatmap.recorder.restored and heatmap.placed_all and heatmap.revealed
    assert heatmap.placements == {i: ("likely", "severe") for i in REGISTER.ids}
    assert heatmap.reveal_button.disabled and "model" in heatmap.result.value
    assert heatmap.cells[3, 3].description == " ".join(str(n) for n in range(1, N + 1))


def test_a_damaged_record_keeps_what_fits_and_says_what_it_ignored(tmp_path):
    saved = {
        "placements": {
            REGISTER.ids[0]: ["rare", "minor"],
            "meteor": ["rare", "minor"],
            REGISTER.ids[1]: ["often", "minor"],
            REGISTER.ids[2]: 7,
        },
        "revealed": True,  # cannot be revealed with risks missing: stays open
    }
    path = saved_notebook(tmp_path / "nb.ipynb", "ui-damaged", saved)
    heatmap = RiskHeatMap(REGISTER, key="ui-damaged", notebook=path)
    assert heatmap.placements == {REGISTER.ids[0]: ("rare", "minor")}
    assert not heatmap.revealed and not heatmap.cells[0, 0].disabled
    assert heatmap.ignored == ["meteor", REGISTER.ids[1], REGISTER.ids[2]]
    assert "Ignored saved placements" in heatmap.status.value
    path = saved_notebook(tmp_path / "other.ipynb", "ui-damaged", ["not", "a", "record"])
    assert RiskHeatMap(REGISTER, key="ui-damaged", notebook=path).placements == {}


def png(image) -> np.ndarray:
    return imread(io.BytesIO(image.value), format="png")


def test_sliders_redraw_the_curve_from_the_engine():
    explorer = CoverageExplorer(REGISTER, audience_sizes=REGISTER.reference_audiences, trials=5_000, seed=3)
    assert explorer.chart.redraws == 1 and explorer.program == Program()
    before = png(explorer.chart.image)
    explorer.sliders["employees"].value = 80
    explorer.checkboxes["policy"].value = True
    assert explorer.chart.redraws == 3
    assert explorer.program == Program({"employees": 0.8}, {"policy"})
    (expected,) = simulate(REGISTER, [explorer.program], trials=5_000, seed=3)
    line = explorer.chart.lines["With the program"]
    assert np.array_equal(line.get_xdata(), expected.exceedance(120)["loss"].to_numpy())
    assert not np.array_equal(png(explorer.chart.image), before)
    assert money(expected.expected) in explorer.readout.value and "Program cost a year" in explorer.readout.value
    explorer.style.value = "sanitised"
    assert explorer.program.style == "sanitised" and explorer.chart.redraws == 4


def test_an_unchanged_program_is_not_recomputed():
    """A slider echoing its value (as a FloatSlider does on first render) must not cost a simulation."""
    explorer = CoverageExplorer(REGISTER, coverage={"coe": 0.5}, trials=2_000)
    explorer.redraw()
    explorer.sliders["coe"].value = 50
    assert explorer.chart.redraws == 1


def test_the_fast_redraw_draws_what_a_full_redraw_draws():
    (baseline, program) = simulate(REGISTER, [Program(), Program({"employees": 1.0})], trials=5_000)
    fast = LossCurves({"Without": baseline}, ["With"])
    fast.update({"With": baseline})
    fast.update({"With": program})  # blitted onto the saved background
    full = LossCurves({"Without": baseline}, ["With"], blit=False)
    full.update({"With": program})
    assert fast.redraws == 2 and full.redraws == 1
    a, b = png(fast.image), png(full.image)
    assert a.shape == b.shape
    assert np.abs(a - b).max() <= 2 / 255 + 1e-6  # the same picture, up to antialiasing rounding
    assert np.abs(a - png_of(baseline)).max() > 0.1  # and not the first curve left in place


def png_of(dist) -> np.ndarray:
    chart = LossCurves({"Without": dist}, ["With"], blit=False)
    chart.update({"With": dist})
    return png(chart.image)


def test_the_redraw_benchmark_reports_both_ways():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "sim_risk.py"
    spec = importlib.util.spec_from_file_location("sim_risk", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.measure_redraw(REGISTER, changes=2)
    assert figures["risk_redraw_changes"] == 2
    for key in ("risk_redraw_ms_p95", "risk_redraw_stock_ms_p95", "risk_redraw_speedup_p95"):
        assert figures[key] > 0


def test_open_versus_sanitised_shows_both_sides():
    comparison = StyleComparison(REGISTER, coverage=0.8, trials=5_000)
    assert comparison.chart.redraws == 1
    assert "Learners distrust the training" in comparison.table.value and "unfavourable" in comparison.table.value
    open_, sanitised = comparison.results["open"], comparison.results["sanitised"]
    assert open_.by_risk["distrust-worse-sources"] < sanitised.by_risk["distrust-worse-sources"]
    assert open_.by_risk["unfavourable-in-class"] > sanitised.by_risk["unfavourable-in-class"]
    comparison.slider.value = 0
    assert comparison.chart.redraws == 2
    assert (
        comparison.results["open"].expected == comparison.results["sanitised"].expected == comparison.baseline.expected
    )


def test_heat_map_bands_are_labelled_on_the_grid():
    heatmap = RiskHeatMap(REGISTER, key="ui-labels")
    labels = " ".join(child.value for child in heatmap.grid.children if hasattr(child, "value"))
    for band in (*DEFAULT_SCALE.likelihood, *DEFAULT_SCALE.impact):
        assert band.label in labels
    assert "under $75k" in labels and "over $1M" in labels


def test_a_worked_solution_is_placed_only_when_nothing_was_saved(tmp_path):
    """The source notebook's worked placements fill an empty map; the release's stub (which raises) places nothing,
    and a learner's saved placements win over the solution."""
    worked = {i: ("possible", "moderate") for i in REGISTER.ids}

    def stub():
        raise NotImplementedError()

    assert RiskHeatMap(REGISTER, key="ui-solution", solution=lambda: worked).placements == worked
    assert RiskHeatMap(REGISTER, key="ui-stub", solution=stub).placements == {}
    saved = saved_notebook(tmp_path / "nb.ipynb", "ui-mine", {"placements": {REGISTER.ids[0]: ["rare", "minor"]}})
    mine = RiskHeatMap(REGISTER, key="ui-mine", notebook=saved, solution=lambda: worked)
    assert mine.placements == {REGISTER.ids[0]: ("rare", "minor")}
