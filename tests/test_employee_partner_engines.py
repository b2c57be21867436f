"""The small engines behind the employees and partners modules, and their thin widgets driven like a learner would."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graders.paths import DEMO_ORG
from simulations.lessons.attention import HALF_LIFE_HOURS, hours_until, remaining_share, spread_range
from simulations.lessons.confidential import CATEGORIES, business_figures, scan
from simulations.lessons.replies import MAX_CHARS, check_reply
from simulations.lessons.sources import CHECK, DONT, RELY, SHELF_LIFE_DAYS, Source, assess, is_current
from simulations.profile.org import load_org

# --- where to find answers and how to validate them ---

SOURCES = {
    "owner, original, current": (Source("owner", True, "platform", 30), RELY, 1),
    "anonymous and alone": (Source("anonymous", True, "policy", 1), DONT, 1),
    "anonymous but corroborated": (Source("anonymous", True, "policy", 1, corroborated=True), CHECK, 1),
    "retold": (Source("owner", False, "law", 10), CHECK, 1),
    "stale platform answer": (Source("owner", True, "platform", 91), CHECK, 1),
    "one colleague's word": (Source("named", True, "policy", 5), CHECK, 1),
    "colleague, corroborated": (Source("named", True, "policy", 5, corroborated=True), RELY, 1),
    "retold, stale and hearsay": (Source("named", False, "figure", 4000), CHECK, 3),
}


@pytest.mark.parametrize("case", SOURCES, ids=list(SOURCES))
def test_assess_source(case):
    source, trust, reasons = SOURCES[case]
    result = assess(source)
    assert result.trust == trust and len(result.reasons) == reasons


def test_shelf_life_boundaries_and_bad_sources():
    for topic, days in SHELF_LIFE_DAYS.items():
        assert is_current(days, topic) and not is_current(days + 1, topic)
    assert SHELF_LIFE_DAYS["platform"] == 90, "platforms change every quarter"
    with pytest.raises(ValueError, match="author"):
        Source("someone", True, "policy", 1)
    with pytest.raises(ValueError, match="topic"):
        Source("owner", True, "gossip", 1)
    with pytest.raises(ValueError, match="negative"):
        Source("owner", True, "policy", -1)


# --- new-media literacy ---


def test_attention_figures():
    assert HALF_LIFE_HOURS == {"X": 2.8, "Facebook": 3.2, "YouTube": 7.4}
    assert remaining_share(0, 2.8) == 1.0 and remaining_share(5.6, 2.8) == pytest.approx(0.25)
    assert 1 - remaining_share(21, 2.8) == pytest.approx(0.9945, abs=1e-4)
    assert spread_range(1000) == (50, 300)
    with pytest.raises(ValueError):
        remaining_share(1, 0)
    with pytest.raises(ValueError):
        hours_until(0, 2.8)


@given(st.floats(0.01, 1.0), st.sampled_from(sorted(HALF_LIFE_HOURS.values())))
def test_hours_until_inverts_remaining_share(share, half_life):
    assert remaining_share(hours_until(share, half_life), half_life) == pytest.approx(share)


# --- confidentiality in practice ---

DRAFTS = {
    "business figure": "So proud: sales up 40% and $2.5m booked this quarter",
    "unannounced timing": "The new kettle launches next month, can't wait",
    "internal label": "Sneaky look at our internal roadmap",
    "personal data": "Write to jo.bloggs@example.com or call +1 555 010 0199",
    "access": "First day, here's my badge!",
}


@pytest.mark.parametrize("category", DRAFTS)
def test_scan_flags_each_category(category):
    assert category in CATEGORIES
    assert category in {f.category for f in scan(DRAFTS[category])}


def test_scan_passes_a_safe_post_and_reports_overlaps_once():
    assert scan("Happy to share that I joined the team today. Thank you all for the warm welcome!") == []
    findings = scan("Launching next month: internal only.")
    assert [f.category for f in findings] == ["unannounced timing", "internal label"]
    assert business_figures("€3.5 a share, up 12.5% on 40 stores, £20 off") == ["€3.5", "12.5%", "£20"]


@settings(deadline=None)
@given(st.text(max_size=200))
def test_findings_point_at_their_text(text):
    findings = scan(text)
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    for finding in findings:
        assert finding.category in CATEGORIES
        assert finding.text and finding.text in text[finding.start :]


# --- engaging in dialogue ---

GOOD_REPLY = "We're so sorry about the wait. Could you send us a direct message so we can put it right? - Sam"
REPLY_BREAKS = {
    "no acknowledgement": ("The wait was long. Could you send us a direct message so we fix it? - Sam", "acknowledge"),
    "arguing": ("Sorry, but you are wrong about the wait. Send us a direct message. - Sam", "argue"),
    "private details": ("Sorry! Your order number 12345678 is delayed, send us a direct message. - Sam", "order"),
    "no private channel": ("We're so sorry about the wait, that is not the visit we want for you. - Sam", "private"),
    "too short": ("Sorry, DM us", "say a little more"),
    "too long": ("Sorry, please DM us. " + "We care a lot. " * 40, f"under {MAX_CHARS}"),
}


def test_good_reply_passes():
    result = check_reply(GOOD_REPLY)
    assert result.ok and len(result.good) == 5 and not result.fix


@pytest.mark.parametrize("case", REPLY_BREAKS, ids=list(REPLY_BREAKS))
def test_reply_rule_broken(case):
    text, hint = REPLY_BREAKS[case]
    result = check_reply(text)
    assert not result.ok and len(result.fix) == 1 and hint in result.fix[0]


# --- the widgets: thin, driven through their controls ---


@pytest.fixture(scope="module")
def org() -> dict:
    return load_org(DEMO_ORG).to_parameters()


def test_source_check_widget_updates_verdict():
    from simulations.ui.lessons.sources import source_check

    box = source_check()
    author, original, topic, age, corroborated, verdict = box.children
    assert RELY in verdict.value
    author.value = "anonymous"
    assert DONT in verdict.value
    corroborated.value = True
    assert CHECK in verdict.value


def test_attention_widget_moves_the_reply_marker(org):
    from simulations.ui.lessons.attention import attention_decay

    box = attention_decay(org["platforms"], hours=0)
    slider, summary, chart = box.children
    image, finding = chart.children[:2]
    assert "100% of the attention" in summary.value and "no sourced half-life" in summary.value  # TikTok
    first = bytes(image.value)
    assert first.startswith(b"\x89PNG")
    slider.value = 2.8
    assert "<b>X</b>: 50% of the attention" in summary.value
    moved = bytes(image.value)
    assert moved.startswith(b"\x89PNG") and moved != first, "the reply marker moved on the chart"
    assert "after 2.8 h" in finding.value and "X 50% still to come" in finding.value, "its text alternative too"


def test_draft_scanner_and_reply_checker_widgets():
    from simulations.ui.lessons.confidential import draft_scanner
    from simulations.ui.lessons.replies import reply_checker

    text, button, result = draft_scanner("we grew 40%").children
    assert "1 detail(s)" in result.value
    text.value = "Glad to be here"
    button.click()
    assert "Nothing flagged" in result.value
    comment, reply, button, verdict = reply_checker("Cold food!").children
    assert "Cold food!" in comment.value and verdict.value == ""
    reply.value = GOOD_REPLY
    button.click()
    assert "Ready to post" in verdict.value


def test_partner_widgets_apply_the_rules(org):
    from simulations.ui.lessons.org_cards import partner_rules_card
    from simulations.ui.lessons.partners import account_request, syndicated_preview

    rules = org["partners"]
    platform, location, name, verdict = account_request(rules, "Old Town", "Larkspur at Old Town").children
    platform.value = "Facebook"
    assert "allowed" in verdict.value and "not allowed" not in verdict.value
    platform.value = "TikTok"
    assert "not allowed" in verdict.value
    picker, blanks, preview = syndicated_preview(rules).children
    assert [b.description for b in blanks.children] == ["location", "hours"]
    for box, value in zip(blanks.children, ["Old Town", "9-6"], strict=True):
        box.value = value
    assert "See the AeroKettle at Old Town, open 9-6." in preview.value
    picker.value = "QuietWash in-store demo days"
    assert [b.description for b in blanks.children] == ["location", "dates"] and "fill in" in preview.value
    card = partner_rules_card(org).data
    assert rules["contact"]["email"] in card and "Larkspur at {location}" in card
    assert math.isclose(rules["response_hours"], 24) and "24 hours" in card
