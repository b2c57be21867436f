"""Widget: build a KPI framework from the hub's catalogue and see which Kirkpatrick levels it leaves unmeasured."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.common.vocabulary import UNIT_LABELS
from simulations.lessons.kpis import LEVELS, Kpi, framework_gaps, kpis_for_unit, levels_covered

ALL_UNITS = "every unit"


def kpi_framework(kpis: tuple[Kpi, ...], contacts: dict[str, dict[str, str]], chosen: tuple[str, ...] = ()) -> w.VBox:
    """A unit filter, a multi-select of KPIs and the framework by level, with owners from the organisation profile."""
    unit = w.Dropdown(
        options=[(ALL_UNITS.capitalize(), ALL_UNITS), *((label, u) for u, label in UNIT_LABELS.items())],
        description="Business unit",
        style={"description_width": "initial"},
    )
    select = w.SelectMultiple(
        description="KPIs",
        rows=8,
        style={"description_width": "initial"},
        layout=w.Layout(width="640px"),
    )
    report = w.HTML()

    def offer(_=None) -> None:
        offered = kpis if unit.value == ALL_UNITS else tuple(kpis_for_unit(kpis, unit.value))
        keep = select.value
        select.options = [(f"[{k.level}] {k.name}", k.id) for k in offered]
        select.value = tuple(k.id for k in offered if k.id in keep)
        show()

    def show(_=None) -> None:
        framework = [k for k in kpis if k.id in select.value]
        rows = []
        for level, items in levels_covered(framework).items():
            cell = (
                "<br>".join(
                    f"{html.escape(k.name)} <i>({html.escape(contacts[k.owner]['name'])}; {html.escape(k.source)})</i>"
                    for k in items
                )
                or '<b style="color:#b42318">not measured</b>'
            )
            rows.append(f"<tr><td><b>{LEVELS.index(level) + 1}. {level}</b></td><td>{cell}</td></tr>")
        gaps = framework_gaps(framework)
        verdict = (
            f'<p style="color:#b42318">Unmeasured: {", ".join(gaps)}.</p>'
            if gaps
            else '<p style="color:#1a7f37">Every level is measured.</p>'
        )
        report.value = f'<table class="smtk-table">{"".join(rows)}</table>{verdict}'

    select.options = [(f"[{k.level}] {k.name}", k.id) for k in kpis]
    select.value = tuple(k.id for k in kpis if k.id in chosen)
    unit.observe(offer, names="value")
    select.observe(show, names="value")
    show()
    return w.VBox([unit, select, report])
