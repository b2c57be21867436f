"""The hub and its spokes: what a business unit needs from the Center of Excellence, and who answers it.

The hub's shared resources are the policy, the process, the measurement tools and KPI framework, and the case library
(docs/domain.md#the-five-audiences, the business-units row of the curriculum matrix). Each need names one of them and
the contact role of the organisation profile that owns the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

RESOURCES = {
    "policy": "the social media policy and its plain-language guides",
    "process": "the triage and escalation process, account registration and approval steps",
    "measurement": "the KPI framework, dashboards and the measurement tools",
    "cases": "the case library and the brown-bag sessions where units share what they did",
}


@dataclass(frozen=True)
class Need:
    """One thing a business unit asks the hub for: the resource that answers it and the team that owns it."""

    resource: str
    owner: str
    why: str


NEEDS: dict[str, Need] = {
    "may we open an account for our team?": Need(
        "process", "coe", "Accounts are registered with the hub: an owner, a purpose and two administrators."
    ),
    "may I say this about a competitor?": Need(
        "policy", "legal", "Comparative claims have legal limits; counsel reads the policy's rule with you."
    ),
    "which numbers should we report?": Need(
        "measurement", "coe", "The hub's KPI framework says which measures it collects and on which level."
    ),
    "a complaint under our post is getting angry": Need(
        "process", "customer_care", "The triage process: restore the customer's situation and take it offline."
    ),
    "has another unit tried this before?": Need(
        "cases", "coe", "The case library and the next brown-bag session: ask the unit that did it."
    ),
    "an employee wants to post about our product": Need(
        "policy", "coe", "The policy's disclosure rule: say you work here, in the post itself."
    ),
    "a journalist replied to our campaign": Need(
        "process", "pr", "Only approved spokespeople answer the press; the process sends it to PR within the hour."
    ),
    "our campaign did better than expected": Need(
        "cases", "coe", "Share it at the brown-bag: praise for sharing is the carrot that keeps the program alive."
    ),
}


def hub_answer(need: str) -> Need:
    """The resource and owner for `need`; anything unlisted goes to the Center of Excellence's policy desk."""
    return NEEDS.get(need.strip().lower(), Need("policy", "coe", "The Center of Excellence knows whom to ask."))


# How much the hub lets the spokes do on their own at each risk appetite of the organisation profile. Whatever the
# appetite, legal threats, safety, the press and leaks go to the owning team within the hour.
APPETITE_STANCE: dict[str, str] = {
    "low": "Unit accounts publish after a hub review, anything in doubt is escalated at once, and a new platform waits "
    "until the policy covers it.",
    "moderate": "Registered unit accounts publish on their own within the policy; the hub reviews a sample each month "
    "and new platforms are tried on a registered account first.",
    "high": "Units and certified employees publish freely within the policy; the hub watches the KPIs, steps in on "
    "escalations and encourages units to try new platforms and share what they learn.",
}
ALWAYS_ESCALATE = (
    "legal threats, safety, the press and leaked confidential information: to the owning team within the hour"
)
