"""axe-core in a real page: the WCAG 2.0, 2.1 and 2.2 A and AA rules a page must pass, on what it shows right now.

axe-core comes from npm, pinned in graders/serving/frontend/package-lock.json (a devDependency of the light front
end, installed by `npm ci` there, which `make frontend` runs); nothing is downloaded while tests run."""

from __future__ import annotations

import os

import pytest

from graders.paths import ROOT

AXE = ROOT / "graders" / "serving" / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
RUN = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"


def axe_result(page) -> dict | None:
    """axe-core's result for the page as it is now (None where axe-core is not installed)."""
    if not AXE.exists():
        return None
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN, WCAG_22_AA)


def violations(result: dict) -> list[tuple[str, str]]:
    return [(v["id"], v["help"]) for v in result["violations"]]


def axe_or_skip() -> None:
    """Skip when axe-core is not installed (a failure under CI=true, where `make test` installs it)."""
    if AXE.exists():
        return
    reason = f"{AXE} is missing (run `make frontend`, which installs the front end's pinned npm packages)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is, each rule with the elements that fail it (skips without axe)."""
    axe_or_skip()
    result = axe_result(page)
    assert len(result["passes"]) >= 5, "axe-core found almost nothing to check: is the page drawn?"
    return result["violations"]


def described(found: list[dict]) -> list[str]:
    """One line per failing element (rule, what it asks, where), for an assertion message a person can act on."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {' > '.join(map(str, node['target']))}: "
        f"{node['failureSummary'][:160]}"
        for v in found
        for node in v["nodes"]
    ]


def failing_elements(found: list[dict]) -> int:
    """How many elements fail a rule (an element failing two rules counts twice, as axe-core reports it)."""
    return sum(len(v["nodes"]) for v in found)
