"""Widget: the business case for training an organisation's five audiences, as Phillips' ROI, BCR and payback."""

from __future__ import annotations

import html

import ipywidgets as w

from simulations.roi import COST_CATEGORIES, Assumptions, default_program, evaluate


def business_case(org: dict, risk_reduction: float = 80_000) -> w.VBox:
    """Sliders for the benefits a sponsor debates; costs come from the organisation's audience sizes and wages."""
    headcount = {a: v["headcount"] for a, v in org["audiences"].items()}
    wages = {a: v["hourly_wage"] for a, v in org["audiences"].items()}
    currency = org.get("currency", "USD")
    style = {"description_width": "initial"}
    layout = w.Layout(width="520px")
    risk = w.IntSlider(
        value=risk_reduction,
        min=0,
        max=1_000_000,
        step=10_000,
        description="Expected loss avoided a year",
        style=style,
        layout=layout,
        continuous_update=False,
    )
    confidence = w.FloatSlider(
        value=0.7,
        min=0.1,
        max=1.0,
        step=0.05,
        description="Confidence in that estimate",
        style=style,
        layout=layout,
        continuous_update=False,
    )
    hours = w.FloatSlider(
        value=2.0,
        min=0.0,
        max=8.0,
        step=0.5,
        description="Hours saved a year per employee",
        style=style,
        layout=layout,
        continuous_update=False,
    )
    out = w.HTML()
    # Room on the risk slider for at least three times the program's cost, so break-even is always within reach.
    costs = evaluate(default_program(headcount, wages)).total_costs
    risk.max = max(risk.max, int(-(-3 * costs // 100_000) * 100_000))

    def show(_=None) -> None:
        saved = {**Assumptions().hours_saved, "employees": hours.value}
        assumptions = Assumptions(risk_confidence=confidence.value, hours_saved=saved)
        program = default_program(headcount, wages, risk_reduction=risk.value, assumptions=assumptions)
        r = evaluate(program)
        costs = "".join(
            f"<tr><td>{html.escape(COST_CATEGORIES[k])}</td><td>{v:,.0f} {currency}</td></tr>"
            for k, v in r.cost_categories.items()
        )
        payback = "never" if r.payback_months == float("inf") else f"{r.payback_months:.1f} months"
        out.value = (
            f"<p><b>ROI {r.roi_pct:,.0f}%</b> &middot; benefit-cost ratio {r.bcr:.2f} &middot; payback {payback}</p>"
            f"<p>First-year adjusted benefits {r.annual_benefits:,.0f} {currency} against fully loaded costs "
            f"{r.total_costs:,.0f} {currency}.</p>"
            f'<table class="smtk-table"><tr><th>cost</th><th>first year</th></tr>{costs}</table>'
        )

    for slider in (risk, confidence, hours):
        slider.observe(show, names="value")
    show()
    return w.VBox([risk, confidence, hours, out])
