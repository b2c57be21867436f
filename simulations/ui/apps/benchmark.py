"""The benchmarking app: how does the organisation's program compare with peers, where is it on the maturity
ladder, and what should it do next? Thin: the figures come from simulations.benchmark."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as w
import pandas as pd

from simulations.benchmark import (
    MEASURES,
    PRICE_YEAR,
    SIZE_LABELS,
    STAGES,
    BenchmarkReport,
    benchmark,
    load_peers,
    size_band,
)
from simulations.benchmark.organisation import org_profile
from simulations.common.audiences import AUDIENCE_LABELS, AUDIENCES, coverage_column
from simulations.common.money import money
from simulations.ui.apps.common import guarded, read_upload, style, table, upload_controls
from simulations.ui.render import brief
from simulations.ui.render.chart_view import ChartView
from simulations.ui.render.charts import (
    percentile_svg,
    percentile_text,
    radar_svg,
    radar_text,
)

FLAG_LABELS = {
    "policy_in_place": "A social media policy",
    "formal_triage": "A formal triage process",
    "recurring_program": "Recurring training (beyond hiring)",
    "coe": "A Center of Excellence",
    "certification_program": "A certification program",
}
WIDE = {"description_width": "220px"}


def benchmark_app(org: Mapping[str, Any], peers: pd.DataFrame | None = None) -> w.VBox:
    """The whole app for one organisation profile (the `ORG` parameters); `peers` defaults to the built-in data."""
    return BenchmarkApp(org, peers).widget


class BenchmarkApp:
    """Today's program on the left, the comparison on the right; every change recomputes the report."""

    def __init__(self, org: Mapping[str, Any], peers: pd.DataFrame | None = None) -> None:
        self.org = org
        self.builtin = peers if peers is not None else load_peers()
        self.peers = self.builtin
        self.report: BenchmarkReport | None = None
        self._quiet = False
        self.message = w.HTML().add_class("smtk-message")
        self.guard = guarded(self.message)
        start = org_profile(org)

        self.industry = w.Dropdown(description="Industry", style=WIDE, layout=w.Layout(width="440px"))
        self.industry.add_class("smtk-industry")
        self.size = w.Dropdown(
            options=[(f"{band}: {label}", band) for band, label in SIZE_LABELS.items()],
            value=size_band(start["employees"]),
            description="Size",
            style=WIDE,
            layout=w.Layout(width="440px"),
        ).add_class("smtk-size")
        self.spend = w.BoundedFloatText(
            value=start["training_spend_per_employee"],
            min=0,
            max=100_000,
            step=0.5,
            description="Spend per employee a year ($)",
            style=WIDE,
            layout=w.Layout(width="340px"),
        ).add_class("smtk-spend")
        self.coverage = {
            a: w.IntSlider(
                value=round(100 * start[coverage_column(a)]),
                min=0,
                max=100,
                step=5,
                description=f"{AUDIENCE_LABELS[a]} trained (%)",
                continuous_update=False,
                style=WIDE,
                layout=w.Layout(width="440px"),
            ).add_class(f"smtk-coverage-{a}")
            for a in AUDIENCES
        }
        self.flags = {
            flag: w.Checkbox(value=bool(start[flag]), description=FLAG_LABELS[flag], indent=False).add_class(
                f"smtk-flag-{flag}"
            )
            for flag in FLAG_LABELS
        }
        self.crises = w.BoundedFloatText(
            value=start["crises_per_year"],
            min=0,
            max=1_000,
            step=0.1,
            description="Social media crises a year",
            style=WIDE,
            layout=w.Layout(width="340px"),
        ).add_class("smtk-crises")
        self.upload, self.back, self.brief_button, self.brief_links = upload_controls(
            "Upload peer data (CSV)", "Use the built-in peers", "220px"
        )

        self.data_note = w.HTML().add_class("smtk-data-note")
        self.headline = w.HTML().add_class("smtk-headline")
        self.ladder = w.HTML().add_class("smtk-ladder")
        self.radar_image = w.Image(format="svg+xml", layout=w.Layout(width="580px")).add_class("smtk-radar")
        self.percentile_image = w.Image(format="svg+xml", layout=w.Layout(width="640px")).add_class("smtk-percentiles")
        self.radar_chart = ChartView(self.radar_image, "Your organisation against the peer median")
        self.percentile_chart = ChartView(self.percentile_image, "Where you stand among peers")
        self.gaps = w.HTML().add_class("smtk-gaps")
        self.details = w.HTML().add_class("smtk-standings")
        self._set_industries()

        inputs = [self.industry, self.size, self.spend, *self.coverage.values(), *self.flags.values(), self.crises]
        for widget in inputs:
            widget.observe(self.guard(self.refresh), names="value")
        self.upload.observe(self.guard(self.on_upload), names="value")
        self.back.on_click(self.guard(self.use_builtin))
        self.brief_button.on_click(self.guard(self.make_brief))

        left = w.VBox(
            [
                w.HTML("<h3>Compare with</h3>"),
                self.industry,
                self.size,
                w.HTML("<h3>Your program today</h3><p class='smtk-info'>From the organisation profile; "
                       "change a value to see where it would put you.</p>"),
                self.spend,
                *self.coverage.values(),
                *self.flags.values(),
                self.crises,
                w.HTML("<h3>Your own peer data</h3><p class='smtk-info'>A CSV in the same columns replaces the "
                       "built-in peers.</p>"),
                self.upload,
                self.back,
                w.HTML("<h3>Share it</h3>"),
                self.brief_button,
                self.brief_links,
            ],
            layout=w.Layout(width="460px", min_width="460px"),
        )  # fmt: skip
        right = w.VBox(
            [
                self.message,
                self.data_note,
                self.headline,
                self.ladder,
                w.HTML("<h3>Who is trained, against the peer median</h3>"),
                self.radar_chart.widget,
                w.HTML("<h3>Where you stand on each measure</h3>"),
                self.percentile_chart.widget,
                w.HTML("<h3>The three biggest gaps, and what to do next</h3>"),
                self.gaps,
                w.HTML("<h3>The figures</h3>"),
                self.details,
            ],
            layout=w.Layout(flex="1 1 auto"),
        ).add_class("smtk-results")  # where the page's "Skip to results" link leads
        self.widget = w.VBox([style(), w.HBox([left, right])]).add_class("smtk-app")
        self.refresh()

    # --- computing --------------------------------------------------------------------------------------------

    def profile(self) -> dict[str, Any]:
        profile: dict[str, Any] = {
            "industry": self.industry.value,
            "size_band": self.size.value,
            "training_spend_per_employee": self.spend.value,
            "crises_per_year": self.crises.value,
        }
        profile.update({coverage_column(a): s.value / 100 for a, s in self.coverage.items()})
        profile.update({flag: box.value for flag, box in self.flags.items()})
        return profile

    def refresh(self, _=None) -> None:
        if self._quiet:
            return
        report = benchmark(self.profile(), self.peers)
        self.report = report
        self.message.value = ""
        self.brief_links.value = ""
        self.show(report)

    def _set_industries(self) -> None:
        """The organisation's own industry first (even without peers: the engine then compares with all peers)."""
        own = str(self.org["industry"]).lower()
        available = sorted(set(self.peers["industry"]))
        options = [own, *(i for i in available if i != own)]
        labels = [(i if i in available else f"{i} (no peers in the data)", i) for i in options]
        current = self.industry.value if self.industry.value in options else own
        self._quiet = True  # one refresh after the swap, not one per intermediate value
        try:
            self.industry.options = labels
            self.industry.value = current
        finally:
            self._quiet = False

    # --- showing ----------------------------------------------------------------------------------------------

    def show(self, r: BenchmarkReport) -> None:
        source = "built-in SYNTHETIC peer data" if r.synthetic else html.escape(r.source)
        warning = (
            "<div class='smtk-notice'>These peers are <b>synthetic</b>: generated from a documented model calibrated "
            "on published survey figures, not real companies. Read a percentile as a rough guide, not a market "
            "fact; upload real peer data if you have it.</div>"
            if r.synthetic
            else ""
        )
        self.data_note.value = (
            f"{warning}<p class='smtk-info'>{html.escape(r.group.note)} Source: {source}."
            + (f" Spend is in USD of {PRICE_YEAR}, as the peer data is." if r.synthetic else "")
            + "</p>"
        )
        m = r.maturity
        following = (
            f"Next: <b>{html.escape(m.next_stage)}</b>, which needs {html.escape(_join(m.missing))}."
            if m.next_stage
            else "This is the top of the hierarchy."
        )
        self.headline.value = (
            f"<h2>{html.escape(self.org['name'])} is at stage {m.level} of {len(STAGES)}: {html.escape(m.stage)}.</h2>"
            f"<p>{following}</p>"
        )
        self.ladder.value = self.ladder_html(r)
        radar = (r.radar.labels, r.radar.organisation, r.radar.peer_median)
        self.radar_chart.show(radar_text(*radar), radar_svg(*radar))
        percentiles = _percentile_rows(r)
        self.percentile_chart.show(percentile_text(percentiles), percentile_svg(percentiles))
        self.gaps.value = self.gaps_html(r)
        self.details.value = table(
            ["Measure", "You", "Peer median", "Percentile"],
            [(s.label, _value(s.measure, s.value), _value(s.measure, s.peer_median), f"{s.percentile:.0f}")
             for s in r.standings],
            numeric=[1, 2, 3],
        )  # fmt: skip

    def ladder_html(self, r: BenchmarkReport) -> str:
        steps = []
        for level, stage in enumerate(STAGES, start=1):
            here = level == r.maturity.level
            colour = "#2f6fb0" if here else ("#d0e4f7" if level < r.maturity.level else "#f6f8fa")
            ink = "#fff" if here else "#1f2328"
            steps.append(
                f'<div class="smtk-step{" smtk-current" if here else ""}" style="background:{colour};color:{ink};'
                f'padding:6px 10px;border-radius:6px;min-width:110px;margin-top:{(len(STAGES) - level) * 8}px">'
                f"<b>{level}. {html.escape(stage)}</b><br><small>{r.peer_stages[stage]:.0%} of peers</small></div>"
            )
        return f'<div style="display:flex;flex-wrap:wrap;gap:6px;align-items:flex-start">{"".join(steps)}</div>'

    def gaps_html(self, r: BenchmarkReport) -> str:
        if not r.gaps:
            return "<p>No measure is behind the median peer.</p>"
        items = "".join(
            f"<li><b>{html.escape(g.label)}</b>: you {_value(g.measure, g.value)}, peer median "
            f"{_value(g.measure, g.peer_median)} (percentile {g.percentile:.0f}).<br>{html.escape(g.next_step)}</li>"
            for g in r.gaps
        )
        return f"<ol>{items}</ol>"

    # --- uploads and the brief ----------------------------------------------------------------------------------

    def on_upload(self, _=None) -> None:
        read = read_upload(self.upload, self.message, load_peers)
        if read is None:
            return
        self.peers = read[1]
        self.back.layout.display = None
        self._set_industries()
        self.refresh()

    def use_builtin(self, _=None) -> None:
        self.peers = self.builtin
        self.back.layout.display = "none"
        self._set_industries()
        self.refresh()

    def make_brief(self, _=None) -> None:
        doc = self.brief(self.report or benchmark(self.profile(), self.peers))
        slug = self.org.get("slug", "org")
        self.brief_links.value = brief.links(doc, f"benchmark-brief-{slug}")

    def brief(self, r: BenchmarkReport) -> brief.Brief:
        m = r.maturity
        doc = brief.Brief(f"Social-media program against peers: {self.org['name']}", "Benchmark")
        doc.lead(f"Maturity: stage {m.level} of {len(STAGES)}, {m.stage}")
        if m.next_stage:
            doc.paragraph(f"Next stage, {m.next_stage}, needs {_join(m.missing)}.")
        doc.paragraph(r.group.note + (" The peers are SYNTHETIC (a documented model)." if r.synthetic else ""))
        radar, percentiles = (r.radar.labels, r.radar.organisation, r.radar.peer_median), _percentile_rows(r)
        doc.heading("Who is trained, against the peer median")
        doc.chart(radar_svg(*radar), radar_text(*radar), width="45%")
        doc.heading("Where you stand on each measure")
        doc.chart(percentile_svg(percentiles), percentile_text(percentiles), width="85%")
        doc.heading("The three biggest gaps, and what to do next")
        doc.table(
            [
                (f"{i}. {g.label}", _value(g.measure, g.value), _value(g.measure, g.peer_median), g.next_step)
                for i, g in enumerate(r.gaps, start=1)
            ],
            ("Gap", "You", "Peer median", "Next step"),
        )
        return doc


def _percentile_rows(r: BenchmarkReport) -> list[tuple[str, float]]:
    return [(s.label, s.percentile) for s in r.standings]


def _value(measure: str, value: float) -> str:
    kind = MEASURES[measure].kind
    if kind == "money":
        return money(value) if value >= 100 else f"${value:,.2f}"
    if kind == "share":
        return f"{value:.0%}"
    if kind == "flag":
        return "yes" if value >= 0.5 else "no"
    return f"{value:.1f} a year"


def _join(items: tuple[str, ...]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
