"""Whom to ask: the situations an employee meets on social media and the team that owns each of them."""

from __future__ import annotations

# situation -> (contact role in the org profile, why that team owns it)
SITUATIONS: dict[str, tuple[str, str]] = {
    "a journalist asks for a comment": ("pr", "Only approved spokespeople speak for the company to the press."),
    "someone threatens legal action": ("legal", "Anything you write can become evidence; counsel decides the reply."),
    "a company account looks hacked": ("security", "Minutes matter: security can lock the account and reset access."),
    "an unhappy customer complains publicly": ("customer_care", "Care can fix the problem and take it offline."),
    "a question about the social media policy": ("coe", "The Center of Excellence owns the policy and its answers."),
    "a colleague harasses someone online": ("hr", "The People team handles conduct between employees."),
    "a safety incident is spreading online": ("crisis", "Safety comes first; the crisis team coordinates everyone."),
}
DEFAULT_ROLE = "coe"


def contact_role(situation: str) -> str:
    """The role that owns `situation`; anything unlisted goes to the Center of Excellence, which knows whom to ask."""
    return SITUATIONS.get(situation.strip().lower(), (DEFAULT_ROLE, ""))[0]
