"""The fake-clip scenario: a fabricated video of the chief executive spreads. The default policy sends the clip and
every post about it to verification through a known channel and the crisis team, the press to PR, and leaves the
ordinary complaint alone; its rubric scores a shift that verifies above one that answers the fake in public."""

from __future__ import annotations

import numpy as np
import pytest
from test_models import at, plant, problems

import simulations.triage as triage
from simulations.triage.scenario import SCENARIO_DIR

SCENARIO = "deepfake-executive"
SEED = 7


def shift() -> triage.Stream:
    return triage.generate_stream(SCENARIO, seed=SEED, org_name="Globex", products=["Toaster X"])


def about_the_fake(stream: triage.Stream) -> np.ndarray:
    posts = stream.posts
    return ((posts["inject"] >= 0) & (posts["category"] == "synthetic_media")).to_numpy()


def test_the_scenario_loads_with_the_fake_and_the_posts_around_it():
    scenario = triage.load_scenario(SCENARIO)
    assert SCENARIO in triage.list_scenarios()
    categories = {inj.category for inj in scenario.injects}
    assert categories == {"synthetic_media", "complaint"}
    assert {inj.author for inj in scenario.injects} >= {"journalist", "employee", "influencer", "troll", "customer"}
    stream = shift()
    # 1 clip, 20 shares, 8 "is it real?", 1 employee, 1 influencer, 1 journalist, 1 impersonating account
    assert about_the_fake(stream).sum() == 33
    background = stream.posts["inject"].to_numpy() < 0
    assert not (stream.posts["category"].to_numpy()[background] == "synthetic_media").any(), "no fakes in the chatter"


def test_the_default_policy_sends_the_fake_to_verification_and_the_press_to_pr():
    stream = shift()
    posts = stream.posts[about_the_fake(stream)]
    press = posts["author"] == "journalist"
    assert set(posts.loc[~press, "route"]) == {"verify_synthetic"}
    assert set(posts.loc[~press, "rule"]) == {"synthetic_media"}
    assert set(posts.loc[press, "route"]) == {"escalate_pr"}
    verify = stream.policy.routes["verify_synthetic"]
    assert (verify.kind, verify.contact, verify.time_limit_min) == ("escalate", "crisis", 30)
    assert "a channel you already know" in verify.does and verify.does.startswith("Do not reply")
    # the route's own 30 minutes bind every post about the fake; the impersonating account (critical) has 15
    limits = posts.loc[~press, "time_limit_s"].to_numpy()
    assert limits.max() == 1800 and limits.min() == 900
    complaint = stream.posts[(stream.posts["inject"] >= 0) & (stream.posts["category"] == "complaint")]
    assert list(complaint["route"]) == ["restore"]


def test_the_fake_comes_before_the_large_influencer_node_but_after_the_journalist_node():
    ids = [rule.id for rule in triage.load_policy().rules]
    assert ids.index("journalist") < ids.index("synthetic_media") < ids.index("large_influencer")


def plays(stream: triage.Stream) -> tuple[triage.Score, triage.Score]:
    """A good shift (every post its recommended route, 5 minutes after it arrives) and a bad one that answers the
    fake in public instead (fix the facts), everything else the same."""
    good = triage.follow_policy(stream, response_time_s=300)
    bad = good.copy()
    debunked = bad["route"].to_numpy() == "verify_synthetic"
    bad["route"] = np.where(debunked, "fix_facts", bad["route"].astype(str))
    return (
        triage.score(triage.simulate(stream, good, seed=SEED)),
        triage.score(triage.simulate(stream, triage.as_decisions(bad, stream), seed=SEED)),
    )


def test_the_rubric_scores_verifying_above_answering_the_fake_in_public():
    stream = shift()
    good, bad = plays(stream)
    n = len(stream)
    kinds = np.array([stream.policy.routes[r].kind for r in stream.posts["route"]])
    should = int((kinds == "escalate").sum())
    assert good.routing_accuracy == 1.0 and good.escalation_recall == 1.0
    # the 32 posts sent for verification (all but the journalist's) are mishandled; nothing else changes
    assert bad.routing_accuracy == pytest.approx((n - 32) / n)
    assert bad.escalation_recall == pytest.approx((should - 32) / should)
    assert bad.escalation_precision == good.escalation_precision == 1.0
    assert bad.negative_reach > good.negative_reach
    assert bad.points < good.points


def test_a_planted_error_in_the_scenario_names_file_line_column_and_field(tmp_path):
    path, text = plant(
        tmp_path,
        SCENARIO_DIR / f"{SCENARIO}.yaml",
        ("    category: synthetic_media\n    severity: critical\n", "    category: deepfake\n    severity: critical\n"),
    )
    (found,) = problems(triage.load_scenario, path)
    assert found[:3] == (*at(text, "category: deepfake", "category"), "injects[6].category")
    assert found[3].startswith("expected one of praise, question,")
