"""HTML cards that show a learner what their organisation's profile says (its policy, in its own words)."""

from __future__ import annotations

import html

from IPython.display import HTML


def policy_card(org: dict) -> HTML:
    """The organisation's policy excerpts with a link to the full text."""
    items = "".join(
        f"<li><b>{html.escape(e['title'])}.</b> {html.escape(e['text'])}</li>" for e in org["policy_excerpts"]
    )
    return HTML(
        f'<div class="smtk-policy"><p><b>{html.escape(org["policy_title"])}</b> '
        f'(<a href="{html.escape(org["policy_url"])}" target="_blank">full text</a>)</p><ul>{items}</ul></div>'
    )
