"""The organisation's rule for AI tools at work, as the policy lesson teaches it: the profile's `ai_use` block, or the
course's cautious default when the profile sets none, and the situations the lesson's question asks about.

The default is the course's own suggestion, not a legal requirement: it says so wherever it is shown.
"""

from __future__ import annotations

from typing import TypedDict


class AiUseRule(TypedDict):
    """The rule as the lesson shows it (the profile's `ai_use`, in the plain form a notebook receives)."""

    tools: list[str]
    never_input: list[str]
    label: str
    label_when: str


DEFAULT_RULE: AiUseRule = {
    "tools": ["an AI tool your Center of Excellence has approved"],
    "never_input": [
        "customer or employee personal data",
        "anything marked internal or confidential",
        "unannounced products, dates or figures",
    ],
    "label": "Made with AI",
    "label_when": "an image, video or voice in it was made or changed by AI",
}


def ai_use_rule(org: dict) -> tuple[AiUseRule, bool]:
    """The organisation's AI-use rule and whether it is its own (False: the course's default, since it set none)."""
    rule = org.get("ai_use")
    return (rule, True) if rule else (DEFAULT_RULE, False)


def situations(rule: AiUseRule, product: str) -> dict[str, str]:
    """Things a colleague does with AI, each built from the rule: a and d it allows, the others it does not, for every
    organisation, since each is written from the organisation's own rule."""
    tool, image_tool = rule["tools"][0], rule["tools"][-1]
    never = rule["never_input"]
    return {
        "a": f"Ask {tool} to check the spelling of a post about the {product} that you wrote yourself.",
        "b": f"Paste {never[0]} into {tool} so that it drafts a reply to a customer.",
        "c": f"Paste {never[1]} into a free AI app on your phone that is not on the list, to summarise it quickly.",
        "d": f"Post a picture of the {product} made with {image_tool}, labelled \u201c{rule['label']}\u201d.",
        "e": f"Post the same AI-made picture without the label, because {image_tool} is on the list.",
        "f": f"Paste {never[-1]} into {tool}, because an approved tool keeps what you type private.",
    }
