"""The disclosure checker and the whom-to-ask table the first module teaches with."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graders.paths import DEMO_ORG
from simulations.lessons.contacts import DEFAULT_ROLE, SITUATIONS, contact_role
from simulations.lessons.disclosure import VISIBLE_CHARS, check_disclosure, employee_tag
from simulations.profile.org import CONTACT_ROLES, load_org

CASES = {
    "tag first": ("#ad Loving my new kettle", True),
    "sponsored mid-sentence": ("Loving my new kettle #sponsored, thanks to the team", True),
    "no tag": ("Loving my new kettle", False),
    "ambiguous tag": ("Loving my new kettle #spon", False),
    "tag inside a word is no tag": ("Loving my new kettle #adventure", False),
    "too late": ("x" * VISIBLE_CHARS + " #ad", False),
    "buried in a run": ("Loving it #kitchen #ad #coffee #morning", False),
    "employee tag": ("Our new fridge is out! #LarkspurEmployee", True),
    "case does not matter": ("#AD new kettle", True),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_disclosure_rules(case):
    text, clear = CASES[case]
    verdict = check_disclosure(text, extra_tags=(employee_tag("Larkspur Appliances"),))
    assert verdict.clear is clear
    assert verdict.reasons and all(isinstance(r, str) and r for r in verdict.reasons)


def test_employee_tag():
    assert employee_tag("Larkspur Appliances") == "#LarkspurEmployee"
    assert employee_tag("O'Brien & Sons") == "#OBrienEmployee"


@given(st.text(max_size=300))
def test_no_accepted_tag_is_never_clear(text):
    assume_no_tag = "#ad" not in text.lower() and "#sponsored" not in text.lower()
    if assume_no_tag:
        assert not check_disclosure(text).clear


def test_every_situation_has_a_contact_in_the_profile():
    org = load_org(DEMO_ORG)
    assert set(CONTACT_ROLES) <= set(org.contacts)
    for situation, (role, why) in SITUATIONS.items():
        assert contact_role(situation) == role and role in CONTACT_ROLES and why
    assert contact_role("  A Journalist asks for a comment ") == "pr"
    assert contact_role("something nobody listed") == DEFAULT_ROLE
