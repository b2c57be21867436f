"""A manager's rules for a team's quarter: what each rule does to who shares and to the risk of each post."""

from __future__ import annotations

from dataclasses import replace

import pytest

from simulations.risk import Program, default_catalogue, expected_loss, load_register
from simulations.risk.team import DRIVEN, TOPICS, UNMANAGED, WEEKS, TeamRules, quarter, team_register

REGISTER = load_register()
CARROT = TeamRules(1.0, "first-posts", frozenset(TOPICS) - {"unannounced"}, praise=True, trained=True)


def test_the_unmanaged_quarter_is_the_registers_own_risk_of_the_team():
    own = team_register(REGISTER, 30)
    assert {r.id for r in own.risks} == set(DRIVEN)
    policy = Program(controls=frozenset({"policy"}))
    assert quarter(UNMANAGED, REGISTER, 30, 40.0).expected_loss == pytest.approx(
        expected_loss(own, policy, catalogue=default_catalogue()) * WEEKS / 52
    )


def test_a_bigger_team_drives_more_of_the_register():
    assert quarter(CARROT, REGISTER, 60, 40.0).expected_loss > quarter(CARROT, REGISTER, 30, 40.0).expected_loss


def test_approval_of_every_post_lowers_the_risk_of_a_post_and_stops_sharing():
    strict = quarter(replace(CARROT, approval="every-post"), REGISTER, 30, 40.0)
    carrot = quarter(CARROT, REGISTER, 30, 40.0)
    assert strict.loss_per_100_posts < carrot.loss_per_100_posts
    assert strict.sharers < carrot.sharers / 2


def test_training_and_keeping_unannounced_work_out_lower_the_risk_of_a_post():
    carrot = quarter(CARROT, REGISTER, 30, 40.0).loss_per_100_posts
    assert quarter(replace(CARROT, trained=False), REGISTER, 30, 40.0).loss_per_100_posts > 1.1 * carrot
    assert quarter(replace(CARROT, topics=frozenset(TOPICS)), REGISTER, 30, 40.0).loss_per_100_posts > 1.1 * carrot


def test_praise_and_time_change_who_shares_not_the_risk_of_a_post():
    carrot = quarter(CARROT, REGISTER, 30, 40.0)
    for other in (replace(CARROT, praise=False), replace(CARROT, hours=2.0)):
        q = quarter(other, REGISTER, 30, 40.0)
        assert q.posts != carrot.posts
        assert q.loss_per_100_posts == pytest.approx(carrot.loss_per_100_posts, rel=0.1)


def test_time_is_costed_at_the_loaded_wage_and_no_topic_means_no_posts():
    q = quarter(CARROT, REGISTER, 10, 50.0)
    assert (q.hours, q.time_cost) == (10 * WEEKS, 10 * WEEKS * 50.0)
    silent = quarter(replace(CARROT, topics=frozenset()), REGISTER, 10, 50.0)
    assert (silent.posts, silent.expected_loss, silent.loss_per_100_posts) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hours": 3.0}, "hours a week must be one of"),
        ({"approval": "sometimes"}, "approval must be one of"),
        ({"topics": frozenset({"gossip"})}, "unknown topic(s) gossip"),
    ],
)
def test_bad_rules_are_refused_naming_what_is_expected(change, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        replace(CARROT, **change)


def test_a_team_has_someone_in_it():
    with pytest.raises(ValueError, match="at least one person"):
        quarter(CARROT, REGISTER, 0, 40.0)
