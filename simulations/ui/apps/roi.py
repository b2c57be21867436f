"""The ROI app: is the social-media training program worth funding? Phillips ROI, its uncertainty, and a brief.

Thin: the figures come from simulations.roi (plan_program, analyse, the CSV reader); this module lays out widgets,
formats money and updates the two charts in place.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import ipywidgets as w
import numpy as np

from simulations.common.audiences import AUDIENCE_LABELS, AUDIENCES
from simulations.common.money import money, percent
from simulations.roi import BENEFIT_KINDS, Assumptions, program_to_csv, read_costs_benefits_csv
from simulations.roi.defaults import assumption_rows
from simulations.roi.scenario import DRAWS, Analysis, Plan, analyse, cost_rows, plan_program
from simulations.ui.apps.common import (
    cards,
    download_link,
    guarded,
    read_upload,
    style,
    table,
    upload_controls,
)
from simulations.ui.render import brief
from simulations.ui.render.chart_view import ChartView
from simulations.ui.render.charts import (
    band,
    band_svg,
    band_text,
    tornado_bars,
    tornado_svg,
    tornado_text,
)

STYLES = {"open": "Open: discusses weaknesses honestly", "sanitised": "Sanitised: avoids anything unfavourable"}
YEARS = {"1 year (the default)": 1, "2 years": 2, "3 years": 3}
TORNADO_ROWS = 8
ASSUMPTION_HEADER = ["What", "Value", "Basis"]


def roi_app(org: Mapping[str, Any], assumptions: Assumptions | None = None) -> w.VBox:
    """The whole app for one organisation profile (the `ORG` parameters)."""
    return RoiApp(org, assumptions).widget


class RoiApp:
    """Inputs on the left, the answer on the right; every change recomputes and updates the same charts."""

    def __init__(self, org: Mapping[str, Any], assumptions: Assumptions | None = None) -> None:
        self.org = org
        self.currency = org.get("currency", "USD")
        self.assumptions = assumptions or Assumptions()
        self.upload_name: str | None = None
        self.uploaded_program = None
        self.analysis: Analysis | None = None

        self.message = w.HTML().add_class("smtk-message")
        self.guard = guarded(self.message)
        people = {a: org["audiences"][a]["headcount"] for a in AUDIENCES if a in org["audiences"]}
        self.coverage = {
            a: w.IntSlider(
                value=100,
                min=0,
                max=100,
                step=5,
                description=f"{AUDIENCE_LABELS[a]} ({people[a]:,})",
                continuous_update=False,
                style={"description_width": "170px"},
                layout=w.Layout(width="380px"),
            ).add_class(f"smtk-coverage-{a}")
            for a in people
        }
        self.style = w.RadioButtons(
            options=[(label, key) for key, label in STYLES.items()], value="open", layout=w.Layout(width="390px")
        ).add_class("smtk-style")
        self.revenue = w.BoundedIntText(
            value=0,
            min=0,
            max=10**10,
            step=10_000,
            description="Extra revenue a year",
            style={"description_width": "170px"},
            layout=w.Layout(width="380px"),
        ).add_class("smtk-revenue")
        self.years = w.Dropdown(
            options=list(YEARS.items()),
            value=1,
            description="Benefits counted",
            style={"description_width": "170px"},
            layout=w.Layout(width="380px"),
        ).add_class("smtk-years")
        self.upload, self.back, self.brief_button, self.brief_links = upload_controls(
            "Upload actual costs (CSV)", "Use the model again", "200px"
        )
        self.template = w.HTML().add_class("smtk-template")

        self.headline = w.HTML().add_class("smtk-headline")
        self.kpis = w.HTML().add_class("smtk-kpis")
        self.risk = w.HTML().add_class("smtk-risk")
        self.band_image = w.Image(format="svg+xml", layout=w.Layout(width="640px")).add_class("smtk-band")
        self.tornado_image = w.Image(format="svg+xml", layout=w.Layout(width="640px")).add_class("smtk-tornado")
        self.band_chart = ChartView(self.band_image, "Spread of the return on investment")
        self.tornado_chart = ChartView(self.tornado_image, "What moves the return most")
        self.lines = w.HTML().add_class("smtk-lines")
        self.assumption_table = w.HTML().add_class("smtk-assumptions")

        for slider in self.coverage.values():
            slider.observe(self.guard(self.refresh), names="value")
        for widget in (self.style, self.revenue, self.years):
            widget.observe(self.guard(self.refresh), names="value")
        self.upload.observe(self.guard(self.on_upload), names="value")
        self.back.on_click(self.guard(self.use_model))
        self.brief_button.on_click(self.guard(self.make_brief))

        model_inputs = [
            w.HTML(
                "<h3>Who is trained</h3><p class='smtk-info'>Share of each audience (%), each trained in its "
                "own format; the number of people is in brackets.</p>"
            ),
            *self.coverage.values(),
            w.HTML("<h3>Training style</h3>"),
            self.style,
            w.HTML(f"<h3>Benefits</h3><p class='smtk-info'>Money in {html.escape(self.currency)}.</p>"),
            self.revenue,
            self.years,
        ]
        self.model_box = w.VBox(model_inputs)
        left = w.VBox(
            [
                self.model_box,
                w.HTML(
                    "<h3>Your own figures</h3><p class='smtk-info'>Replace the model with actual costs and benefits."
                    "</p>"
                ),
                self.upload,
                self.template,
                self.back,
                w.HTML("<h3>Share it</h3>"),
                self.brief_button,
                self.brief_links,
            ],
            layout=w.Layout(width="400px", min_width="400px"),
        )
        right = w.VBox(
            [
                self.message,
                self.headline,
                self.kpis,
                self.risk,
                w.HTML(
                    "<h3>How sure is this?</h3><p class='smtk-info'>The spread of ROI over "
                    f"{DRAWS:,} draws of the uncertain inputs; the shaded band holds the middle 80%.</p>"
                ),
                self.band_chart.widget,
                w.HTML("<h3>What moves the answer most</h3>"),
                self.tornado_chart.widget,
                w.HTML("<h3>Costs and benefits, line by line</h3>"),
                self.lines,
                w.HTML("<h3>Assumptions behind these figures</h3>"),
                self.assumption_table,
            ],
            layout=w.Layout(flex="1 1 auto"),
        ).add_class("smtk-results")  # where the page's "Skip to results" link leads
        self.widget = w.VBox([style(), w.HBox([left, right])]).add_class("smtk-app")
        self.refresh()

    # --- computing --------------------------------------------------------------------------------------------

    def plan(self) -> Plan:
        return Plan(
            coverage={a: s.value / 100 for a, s in self.coverage.items()},
            style=self.style.value,
            revenue_change=float(self.revenue.value),
            years=self.years.value,
        )

    def compute(self) -> Analysis:
        plan = self.plan()
        if self.uploaded_program is not None:
            return analyse(self.uploaded_program, plan.years)
        program, risk = plan_program(self.org, plan, self.assumptions)
        return analyse(program, plan.years, risk=risk)

    def refresh(self, _=None) -> None:
        analysis = self.compute()
        self.analysis = analysis
        self.message.value = ""
        self.brief_links.value = ""
        self.show(analysis)

    # --- showing ----------------------------------------------------------------------------------------------

    def show(self, a: Analysis) -> None:
        r, band = a.result, a.band
        m = self.money
        years = "the first year" if a.years == 1 else f"{a.years} years"
        worth = "pays for itself" if r.roi_pct > 0 else "does not pay for itself"
        source = f"your upload ({html.escape(self.upload_name)})" if self.upload_name else "the model"
        self.headline.value = (
            f"<h2>For {html.escape(self.org['name'])}, the program {worth} in {years}.</h2>"
            f"<p class='smtk-info'>Figures from {source}; money in {html.escape(self.currency)}.</p>"
        )
        tone = "good" if r.roi_pct > 0 else "bad"
        self.kpis.value = cards(
            [
                ("Return on investment", _pct(r.roi_pct), "net benefit / costs", tone),
                ("Benefit-cost ratio", _ratio(r.bcr), "benefits / costs", tone),
                ("Payback", _months(r.payback_months), "of benefits repay the costs", ""),
                ("Net benefit", m(r.net_benefits), f"benefits {m(r.total_benefits)}, costs {m(r.total_costs)}", tone),
                (
                    "Chance ROI is above 0",
                    percent(band.prob_positive),
                    f"80% band {_pct(band.p10)} to {_pct(band.p90)}",
                    "good" if band.prob_positive >= 0.5 else "bad",
                ),
            ]
        )
        self.risk.value = self.risk_text(a)
        spread, swings = _band(a), _tornado(a)
        self.band_chart.show(band_text(spread, DRAWS), band_svg(spread))
        self.tornado_chart.show(tornado_text(swings), tornado_svg(swings))
        self.lines.value = self.lines_html(a)
        self.assumption_table.value = self.assumptions_html()
        self.template.value = download_link(
            program_to_csv(a.program).encode(), "roi-costs-benefits.csv", "text/csv", "CSV template of these figures"
        )

    def risk_text(self, a: Analysis) -> str:
        if a.risk is None:
            return ""
        risk = a.risk
        adjusted = a.result.benefits.get("risk", 0.0)
        return (
            "<p class='smtk-info'>Risk benefit, from the risk-framing simulation: training cuts the expected yearly "
            f"loss from social-media incidents from <b>{self.money(risk.without)}</b> to "
            f"<b>{self.money(risk.with_training)}</b> ({risk.risks} risks, scaled to your headcount); counted at "
            f"{self.money(adjusted)} after the confidence adjustment. The register's figures are illustrative "
            "assumptions: replace them with your own estimates.</p>"
        )

    def lines_html(self, a: Analysis) -> str:
        r, m = a.result, self.money
        rows = [("Cost", line.label or line.name, m(r.costs[line.name])) for line in a.program.costs]
        rows += [
            (f"Benefit: {BENEFIT_KINDS[b.kind].lower()}", b.label or b.name, m(r.benefits[b.name] * a.years))
            for b in a.program.benefits
        ]
        return table(["", "Line", f"Amount over {_years(a.years)}"], rows, numeric=[2])

    def assumptions_html(self) -> str:
        spread = (
            f"<p class='smtk-info'>Uncertainty: each benefit from 50% to 150% of its estimate and each unit cost from "
            f"90% to 130% (overruns are likelier than savings), {DRAWS:,} seeded draws. Adjusted benefit = change x "
            "unit value x share due to training x confidence (Phillips ROI Methodology).</p>"
        )
        if self.uploaded_program is not None:
            return (
                f"<p>Your uploaded figures ({html.escape(self.upload_name or '')}) replace the model's lines, "
                "including their shares due to training and confidence.</p>" + spread
            )
        return table(ASSUMPTION_HEADER, assumption_rows(self.assumptions, self.currency)) + spread

    def money(self, value: float) -> str:
        return money(value, self.currency)

    # --- uploads and the brief ----------------------------------------------------------------------------------

    def on_upload(self, _=None) -> None:
        read = read_upload(self.upload, self.message, read_costs_benefits_csv)
        if read is None:
            return
        self.upload_name, self.uploaded_program = read
        self.model_box.layout.display = "none"
        self.back.layout.display = None
        self.refresh()

    def use_model(self, _=None) -> None:
        self.uploaded_program, self.upload_name = None, None
        self.model_box.layout.display = None
        self.back.layout.display = "none"
        self.refresh()

    def make_brief(self, _=None) -> None:
        doc = self.brief(self.analysis or self.compute())
        slug = self.org.get("slug", "org")
        self.brief_links.value = brief.links(doc, f"roi-brief-{slug}")

    def brief(self, a: Analysis) -> brief.Brief:
        r, band, m = a.result, a.band, self.money
        doc = brief.Brief(f"Social-media training: is it worth it? {self.org['name']}", "Phillips ROI Methodology")
        doc.lead(
            f"ROI {_pct(r.roi_pct)} · benefit-cost ratio {_ratio(r.bcr)} · payback {_months(r.payback_months)} · "
            f"net benefit {m(r.net_benefits)} over {_years(a.years)}"
        )
        doc.paragraph(
            f"Costs {m(r.total_costs)}, adjusted benefits {m(r.total_benefits)}. Chance that ROI is above 0: "
            f"{percent(band.prob_positive)}; 80% band {_pct(band.p10)} to {_pct(band.p90)} ({band.n:,} draws)."
        )
        if a.risk is not None:
            doc.paragraph(
                f"Risk benefit from the risk-framing simulation: expected yearly loss {m(a.risk.without)} without "
                f"training, {m(a.risk.with_training)} with it ({a.risk.risks} illustrative risks scaled to the "
                "organisation's headcount)."
            )
        doc.heading("How sure is this?")
        spread, swings = _band(a), _tornado(a)
        doc.chart(band_svg(spread), band_text(spread, DRAWS), width="75%")
        doc.heading("What moves the answer most")
        doc.chart(tornado_svg(swings), tornado_text(swings), width="75%")
        doc.heading("Costs by category")
        doc.table([(label, m(amount)) for label, amount in cost_rows(r)], ("Category", "Cost"))
        doc.heading("Assumptions")
        if self.uploaded_program is not None:
            doc.paragraph(f"Actual costs and benefits uploaded from {self.upload_name}.")
        else:
            doc.table(assumption_rows(self.assumptions, self.currency), ASSUMPTION_HEADER, small=True)
        doc.paragraph(
            "Adjusted benefit = change x unit value x share due to training x confidence; ROI = (benefits - costs) / "
            "costs; payback = costs / yearly benefits x 12 months. Benefits ranged 50-150%, unit costs 90-130%.",
            small=True,
        )
        return doc


def _band(a: Analysis):
    return band(a.band.roi_pct, a.result.roi_pct, a.band.p10, a.band.p90)


def _tornado(a: Analysis):
    bars = [(a.label(b.input), b.roi_at_low, b.roi_at_high) for b in a.tornado.bars]
    return tornado_bars(a.tornado.base_roi_pct, bars, TORNADO_ROWS)


def _pct(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:+.0f}%"


def _ratio(value: float) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.2f}"


def _months(value: float) -> str:
    return "never" if not np.isfinite(value) else f"{value:.1f} months"


def _years(years: int) -> str:
    return "one year" if years == 1 else f"{years} years"
