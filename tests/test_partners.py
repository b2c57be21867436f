"""Partner rules: the profile's `partners` section validated by field, and the rules the partners track applies."""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from roundtrip import EXAMPLE_ORGS

from graders.paths import DEMO_ORG
from simulations.common.datafiles import DataError
from simulations.profile.org import load_org
from simulations.profile.partners import (
    ALLOWED,
    ALWAYS_ESCALATE,
    ASK_FIRST,
    CONTENT_KINDS,
    HAND_OVER,
    NEEDS_APPROVAL,
    NOT_ALLOWED,
    YOU_DECIDE,
    account_decision,
    account_name,
    check_account,
    content_rule,
    localise,
    placeholders,
)

SALTMARSH = EXAMPLE_ORGS["saltmarsh"]


@functools.cache
def _franchise_rules() -> dict:
    return load_org(SALTMARSH).to_parameters()["partners"]


def rules(**changes) -> dict:
    """The franchise example's partner rules as a notebook receives them, with `changes` applied."""
    return {**_franchise_rules(), **changes}


def edited(tmp_path: Path, source: Path, edit) -> Path:
    data = yaml.safe_load(source.read_text())
    edit(data)
    path = tmp_path / source.name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_example_organisations_set_different_partner_rules():
    demo, saltmarsh = load_org(DEMO_ORG), load_org(SALTMARSH)
    assert saltmarsh.industry == "restaurants" and saltmarsh.partners.kind == "franchisees"
    assert "partners" in saltmarsh.tracks and "executives" not in saltmarsh.tracks
    assert (demo.partners.own_accounts, saltmarsh.partners.own_accounts) == ("yes", "with-approval")
    assert demo.partners.contact.email != saltmarsh.partners.contact.email
    assert set(ALWAYS_ESCALATE) <= set(saltmarsh.partners.escalate), "fixed hand-overs are always in the rules"
    assert saltmarsh.partners.syndicated and all(p.fields for p in saltmarsh.partners.syndicated)


PARTNER_BREAKS = {
    "own accounts unknown": (lambda p: p.update(own_accounts="maybe"), "partners.own_accounts", "expected one of"),
    "name without location": (lambda p: p.update(account_name="Saltmarsh"), "partners.account_name", "{location}"),
    "unknown platform": (lambda p: p.update(platforms=["Instagram", "MySpace"]), "partners.platforms[1]", "MySpace"),
    "unknown kind": (lambda p: p.update(approval=["giveaways"]), "partners.approval[0]", "expected one of"),
    "approval and hand-over": (lambda p: p.update(escalate=["giveaway"]), "partners.escalate", "giveaway"),
    "legal threat for approval": (lambda p: p.update(approval=["legal-threat"]), "partners.approval", "always go"),
    "bad contact email": (lambda p: p["contact"].update(email="desk"), "partners.contact.email", "e-mail"),
    "library not a link": (lambda p: p.update(content_library="the shared drive"), "partners.content_library", "https"),
    "response hours zero": (lambda p: p.update(response_hours=0), "partners.response_hours", ">= 1"),
    "numbered blank": (lambda p: p["syndicated"][0].update(text="Open {0}"), "partners.syndicated[0].text", "{0}"),
    "duplicate post": (lambda p: p["syndicated"][1].update(id="spring-menu"), "partners.syndicated[1].id", "twice"),
    "typo in a field": (lambda p: p.update(franchise_fee=5), "partners.franchise_fee", "unknown field; expected one"),
}


@pytest.mark.parametrize("case", PARTNER_BREAKS, ids=list(PARTNER_BREAKS))
def test_wrong_partner_field_is_named(tmp_path, case):
    edit, field, problem = PARTNER_BREAKS[case]
    path = edited(tmp_path, SALTMARSH, lambda d: edit(d["partners"]))
    with pytest.raises(DataError) as err:
        load_org(path)
    assert err.value.path == str(path) and err.value.field == field and problem in err.value.problem


def test_partner_rules_required_when_partners_track_is_built(tmp_path):
    path = edited(tmp_path, DEMO_ORG, lambda d: d.pop("partners"))
    with pytest.raises(DataError) as err:
        load_org(path)
    assert err.value.field == "partners" and "partners track" in err.value.problem
    without_track = edited(tmp_path, DEMO_ORG, lambda d: (d.pop("partners"), d.update(tracks=["employees"])))
    careful = load_org(without_track).partners
    assert careful.own_accounts == "no" and careful.contact.email == load_org(DEMO_ORG).contacts["coe"].email


def test_cli_names_the_wrong_field_of_the_franchise_profile(tmp_path):
    path = edited(tmp_path, SALTMARSH, lambda d: d["partners"].update(own_accounts="sometimes"))
    cli = subprocess.run(
        [str(Path(sys.executable).parent / "smtk"), "tailor", str(path), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cli.returncode == 2 and "Traceback" not in cli.stderr
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "own_accounts: sometimes" in text)
    assert cli.stderr.startswith(
        f'smtk: error: {path}:{line}:3: partners.own_accounts: expected one of no, with-approval, yes (got "sometimes")'
    )
    assert not (tmp_path / "out" / "release").exists(), "nothing is built from a bad profile"


def test_account_decision_follows_own_accounts_and_platforms():
    assert account_decision(rules(), "Instagram") == NEEDS_APPROVAL
    assert account_decision(rules(), "TikTok") == NOT_ALLOWED
    assert account_decision(rules(own_accounts="yes"), "Facebook") == ALLOWED
    assert account_decision(rules(own_accounts="no"), "Instagram") == NOT_ALLOWED


def test_check_account_explains_each_rule():
    r = rules()
    assert check_account(r, "TikTok", "Saltmarsh Grill Kits", "Kits").reasons == (
        "partner accounts are only allowed on Instagram, Facebook",
    )
    wrong_name = check_account(r, "Instagram", "The REAL Saltmarsh page", "Kitsilano")
    assert wrong_name.decision == NOT_ALLOWED and "'Saltmarsh Grill Kitsilano'" in wrong_name.reasons[0]
    assert check_account(r, "Instagram", "", "  ").decision == NOT_ALLOWED
    good = check_account(r, "Instagram", "saltmarsh grill   kitsilano", "Kitsilano")
    assert good.decision == NEEDS_APPROVAL and "Franchise Marketing Desk" in good.reasons[1]
    assert check_account(rules(own_accounts="yes"), "Facebook", "Saltmarsh Grill Kits", "Kits").decision == ALLOWED
    assert check_account(rules(own_accounts="no"), "Instagram", "x", "y").decision == NOT_ALLOWED


@settings(deadline=None)  # a shared machine: timing is not what this test is about
@given(st.text(alphabet=st.characters(categories=("L", "Zs")), min_size=1).filter(str.strip))
def test_the_prescribed_name_is_always_accepted(location):
    r = rules()
    assert check_account(r, "Facebook", account_name(r, location), location).decision == NEEDS_APPROVAL


def test_content_rule_hands_fixed_kinds_to_the_brand_even_if_unlisted():
    r = rules(escalate=[], approval=["giveaway"])
    assert [content_rule(r, k) for k in ALWAYS_ESCALATE] == [HAND_OVER] * len(ALWAYS_ESCALATE)
    assert content_rule(r, "giveaway") == ASK_FIRST and content_rule(r, "local-photo") == YOU_DECIDE
    assert content_rule(load_org(DEMO_ORG).to_parameters()["partners"], "complaint") == HAND_OVER
    assert {content_rule(rules(), k) for k in CONTENT_KINDS} == {YOU_DECIDE, ASK_FIRST, HAND_OVER}
    with pytest.raises(ValueError, match="unknown kind"):
        content_rule(r, "gossip")


def test_localise_fills_only_the_blanks():
    post = {"title": "t", "text": "At {location}, open {hours}; see you at {location}!"}
    assert placeholders(post["text"]) == ("location", "hours")
    assert localise(post, {"location": " Kits ", "hours": "9-5"}) == "At Kits, open 9-5; see you at Kits!"
    with pytest.raises(ValueError, match="fill in hours"):
        localise(post, {"location": "Kits", "hours": " "})
    with pytest.raises(ValueError, match="price is not yours"):
        localise(post, {"location": "Kits", "hours": "9", "price": "$1"})
    for syndicated in rules()["syndicated"]:
        values = {name: "X" for name in placeholders(syndicated["text"])}
        assert "{" not in localise(syndicated, values)
