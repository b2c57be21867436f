"""Widget: build a KPI framework from the hub's catalogue and see which Kirkpatrick levels it leaves unmeasured."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.common.vocabulary import UNIT_LABELS
from simulations.lessons.kpis import LEVELS, Kpi, framework_gaps, kpis_for_unit, levels_covered

ALL_UNITS = "every unit"


def kpi_framework(kpis: tuple[Kpi, ...], contacts: dict[str, dict[str, str]], chosen: tuple[str, ...] = ()) -> w.VBox:
    """A unit filter, a tick box per KPI and the framework by level, with owners from the organisation profile.

    Tick boxes rather than a multi-select list: their labels wrap on a phone, and ticking several needs no modifier
    key. The filter hides the KPIs other units report and unticks them, so the framework holds only what is offered.
    """
    unit = w.Dropdown(
        options=[(ALL_UNITS.capitalize(), ALL_UNITS), *((label, u) for u, label in UNIT_LABELS.items())],
        description="Business unit",
        style={"description_width": "initial"},
    )
    boxes = {k.id: w.Checkbox(value=k.id in chosen, description=f"[{k.level}] {k.name}", indent=False) for k in kpis}
    for box in boxes.values():
        box.layout.width = "auto"
    picker = w.VBox([w.HTML("<b>KPIs in the framework</b> (tick each one the program reports):"), *boxes.values()])
    report = w.HTML()

    def offer(_=None) -> None:
        offered = {k.id for k in (kpis if unit.value == ALL_UNITS else kpis_for_unit(kpis, unit.value))}
        for kpi_id, box in boxes.items():
            box.layout.display = None if kpi_id in offered else "none"
            if kpi_id not in offered:
                box.value = False
        show()

    def show(_=None) -> None:
        framework = [k for k in kpis if boxes[k.id].value]
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

    unit.observe(offer, names="value")
    for box in boxes.values():
        box.observe(show, names="value")
    show()
    return w.VBox([unit, picker, report])
