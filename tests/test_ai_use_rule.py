"""The organisation's rule for AI tools at work, as the policy lesson builds its question from it: each profile's own
rule, or the course's default (said to be one) when a profile sets none."""

from __future__ import annotations

import pytest
import yaml
from roundtrip import EXAMPLE_ORGS

from simulations.lessons.ai_use import DEFAULT_RULE, ai_use_rule, situations
from simulations.profile.org import load_org


@pytest.mark.parametrize("slug", list(EXAMPLE_ORGS))
def test_each_situation_is_written_from_the_organisations_own_rule(slug):
    org = load_org(EXAMPLE_ORGS[slug])
    params = org.to_parameters()
    rule, own = ai_use_rule(params)
    assert own and rule["tools"] == list(org.ai_use.tools) and rule["label"] == org.ai_use.label
    shown = situations(rule, org.products[0])
    assert sorted(shown) == ["a", "b", "c", "d", "e", "f"]
    # what never goes in is named in each situation that puts it in; the allowed ones name only the approved tools
    assert org.ai_use.never_input[0] in shown["b"] and org.ai_use.never_input[-1] in shown["f"]
    assert org.ai_use.tools[0] in shown["a"] and org.ai_use.tools[-1] in shown["d"]
    assert f"\u201c{org.ai_use.label}\u201d" in shown["d"] and org.ai_use.label not in shown["e"]
    assert all(org.products[0] in shown[k] for k in ("a", "d"))


def test_a_profile_without_a_rule_gets_the_courses_default_marked_as_such(tmp_path):
    data = yaml.safe_load(EXAMPLE_ORGS["demo"].read_text(encoding="utf-8"))
    del data["ai_use"]
    path = tmp_path / "no-rule.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    org = load_org(path)
    assert org.ai_use is None
    rule, own = ai_use_rule(org.to_parameters())
    assert not own and rule == DEFAULT_RULE
    assert DEFAULT_RULE["never_input"][0] in situations(rule, "AeroKettle")["b"]
