"""An HTML card of the organisation facts a module builds on (platforms, regions, risk appetite, audience sizes)."""

from __future__ import annotations

import html

from IPython.display import HTML

from simulations.common.audiences import AUDIENCE_LABELS

FACTS = ("industry", "platforms", "regions", "risk_appetite", "audiences")


def org_facts(org: dict, facts: tuple[str, ...] = FACTS) -> HTML:
    """The chosen facts of an ORG parameters dict as a short list under the organisation's name."""
    rows = {
        "industry": ("Industry", org["industry"].replace("-", " ")),
        "platforms": ("Platforms in use", ", ".join(org["platforms"])),
        "regions": ("Regions", ", ".join(org["regions"])),
        "risk_appetite": ("Risk appetite", org["risk_appetite"]),
        "audiences": (
            "People to train",
            "; ".join(f"{AUDIENCE_LABELS[a]} {v['headcount']:,}" for a, v in org["audiences"].items()),
        ),
    }
    items = "".join(f"<li><b>{rows[f][0]}:</b> {html.escape(rows[f][1])}</li>" for f in facts)
    return HTML(f'<div class="smtk-org"><p><b>{html.escape(org["name"])}</b></p><ul>{items}</ul></div>')
