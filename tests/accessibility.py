"""axe-core in a real page: the WCAG 2.2 AA rules a page must pass (axe-core is a devDependency of the light front
end, installed by `npm ci` in graders/serving/frontend; without it the check is not run)."""

from __future__ import annotations

from graders.paths import ROOT

AXE = ROOT / "graders" / "serving" / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_result(page) -> dict | None:
    """axe-core's result for the page as it is now (None where axe-core is not installed)."""
    if not AXE.exists():
        return None
    page.add_script_tag(path=str(AXE))
    return page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)


def violations(result: dict) -> list[tuple[str, str]]:
    return [(v["id"], v["help"]) for v in result["violations"]]
