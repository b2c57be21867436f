"""`smtk roster import`: the LMS course's members (LTI 1.3 Names and Role Provisioning), read from the loopback test
platform over real HTTP with a signed client assertion, merged into the kit's roster without losing anyone."""

from __future__ import annotations

import subprocess

import pytest
from conftest import smtk_command
from lti_platform import LEARNER_ROLE, NRPS, LmsUser, Platform, Tool, new_key, org_with_lms

from graders.course.lti_key import tool_jwks
from graders.course.roster import read_roster
from graders.results.roster_import import RosterImportError, import_roster, role_of, sign_in_name

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
# The LMS course, fictional people: two learners (one already on the roster, under another e-mail case), a trainer,
# a mentor (no place on the roster), a learner who left (inactive) and one whose e-mail the LMS does not share.
MEMBERS = {
    "ana": LmsUser("lms-01", "Ana.Souza@Example.org", "Ana Souza-Lima"),
    "dev": LmsUser("lms-02", "dev.patel@example.org", "Dev Patel"),
    "teo": LmsUser("lms-03", "teo@example.org", "Teo Trainer", roles=(INSTRUCTOR,)),
    "mia": LmsUser("lms-04", "mia@example.org", "Mia Mentor", roles=(MENTOR,)),
    "lea": LmsUser("lms-05", "lea@example.org", "Lea Left", status="Inactive"),
    "nox": LmsUser("lms-06", "", "No Mail"),
}
EXISTING = """learner,name,email,tracks,business_unit,region,role
ana,Ana Souza,ana.souza@example.org,employees,support,South America,learner
ben,Ben Okafor,ben@example.org,employees;partners,product,Europe,learner
erin,Erin Walsh,erin@example.org,,,North America,executive
"""


@pytest.fixture
def lms(tmp_path):
    key = new_key(tmp_path / "tool.pem")
    tool = Tool("smtk-tool", "1", "http://tool.invalid/login", "http://tool.invalid/launch", "http://tool.invalid/")
    tool.jwks = tool_jwks(key)
    platform = Platform(tool, dict(MEMBERS), page_size=2).start()  # three pages of members: the import follows them
    yield platform
    platform.stop()


def org_for(tmp_path, platform: Platform) -> str:
    return str(org_with_lms(tmp_path, platform, tmp_path / "tool.pem"))


def test_members_are_merged_into_the_roster_and_nobody_is_lost(tmp_path, lms):
    roster = tmp_path / "roster.csv"
    roster.write_text(EXISTING, encoding="utf-8")
    done = subprocess.run(
        [*smtk_command(), "roster", "import", org_for(tmp_path, lms), str(roster), "--tracks", "employees"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    people = {p.learner: p for p in read_roster(roster)}
    # ana: matched by e-mail whatever its case, keeps her sign-in name, tracks, unit and region; the LMS's name wins
    assert people["ana"].name == "Ana Souza-Lima" and people["ana"].tracks == ("employees",)
    assert (people["ana"].business_unit, people["ana"].region) == ("support", "South America")
    # ben and erin are not in the LMS course: kept, and reported
    assert people["ben"].tracks == ("employees", "partners") and people["erin"].role == "executive"
    # new members: a sign-in name from the e-mail, the track given, the role from the LIS role
    assert people["dev.patel"].tracks == ("employees",) and people["dev.patel"].role == "learner"
    assert people["teo"].role == "trainer" and people["teo"].tracks == ()
    # no place on the roster: the mentor, the learner who left, the member without an e-mail
    assert not {"mia", "lea", "nox"} & set(people)
    assert list(people)[:3] == ["ana", "ben", "erin"], "existing rows first, in their order"
    out = done.stdout
    assert "2 added, 1 updated, 0 unchanged, 2 kept though not active in the LMS course, 2 not added." in out, out
    assert "lms-04 (no roster role for LMS roles" in out and "lms-06 (the LMS shares no e-mail" in out
    assert lms.refused == [], "every request was authorised and well formed"

    again = import_roster(org_for(tmp_path, lms), roster, tracks=("employees",))
    assert (again.added, again.updated, again.kept) == ([], [], 3), "a second import changes nothing"
    assert read_roster(roster) == list(people.values())


def test_new_learners_without_a_track_change_nothing(tmp_path, lms):
    roster = tmp_path / "roster.csv"
    roster.write_text(EXISTING, encoding="utf-8")
    with pytest.raises(RosterImportError, match=r"1 new learner\(s\) need a track .*dev.patel@example.org"):
        import_roster(org_for(tmp_path, lms), roster)
    assert roster.read_text(encoding="utf-8") == EXISTING
    with pytest.raises(RosterImportError, match="--tracks: sales not among"):
        import_roster(org_for(tmp_path, lms), roster, tracks=("sales",))


def test_a_refusal_of_the_members_service_is_one_clear_line(tmp_path, lms):
    lms.tool.scopes = tuple(s for s in lms.tool.scopes if s != NRPS)  # the LMS did not grant the members service
    roster = tmp_path / "roster.csv"
    with pytest.raises(RosterImportError) as caught:
        import_roster(org_for(tmp_path, lms), roster, tracks=("employees",), retries=0)
    assert "HTTP" in str(caught.value) and "refused" in str(caught.value)
    assert not roster.exists()


def test_roles_and_sign_in_names():
    def member(*roles: str):
        return {"user_id": "u", "email": "x@y", "name": "", "roles": list(roles), "status": "Active"}

    assert role_of(member(LEARNER_ROLE)) == "learner"
    assert role_of(member(LEARNER_ROLE, INSTRUCTOR)) == "trainer"
    assert role_of(member(ASSISTANT)) == "trainer"  # a sub-role counts as its principal role
    assert role_of(member("Learner")) == "learner"  # the simple name LTI 1.3 allows for context roles
    assert role_of(member(MENTOR)) is None
    assert sign_in_name("Jo.Ann+News@example.org", set()) == "jo.ann-news"
    assert sign_in_name("ana@example.org", {"ana", "ana-2"}) == "ana-3"
    assert sign_in_name("__@example.org", set()) == "learner"
