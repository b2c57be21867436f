"""HTML cards that show a learner what their organisation's profile says (its policy, in its own words)."""

from __future__ import annotations

import html

from IPython.display import HTML

from simulations.profile.partners import CONTENT_KINDS


def policy_card(org: dict) -> HTML:
    """The organisation's policy excerpts with a link to the full text."""
    items = "".join(
        f"<li><b>{html.escape(e['title'])}.</b> {html.escape(e['text'])}</li>" for e in org["policy_excerpts"]
    )
    return HTML(
        f'<div class="smtk-policy"><p><b>{html.escape(org["policy_title"])}</b> '
        f'(<a href="{html.escape(org["policy_url"])}" target="_blank">full text</a>)</p><ul>{items}</ul></div>'
    )


def contacts_card(org: dict) -> HTML:
    """Where answers live in this organisation: the policy page and every team with its address and channel."""
    rows = "".join(
        f"<tr><td>{html.escape(role.replace('_', ' '))}</td><td>{html.escape(c['name'])}</td>"
        f'<td><a href="mailto:{html.escape(c["email"])}">{html.escape(c["email"])}</a></td>'
        f"<td>{html.escape(c.get('channel', ''))}</td></tr>"
        for role, c in org["contacts"].items()
    )
    return HTML(
        f'<div class="smtk-contacts"><p>The rules: <a href="{html.escape(org["policy_url"])}" target="_blank">'
        f"{html.escape(org['policy_title'])}</a></p>"
        '<table class="smtk-table"><tr><th>for</th><th>team</th><th>e-mail</th><th>channel</th></tr>'
        f"{rows}</table></div>"
    )


def partner_rules_card(org: dict) -> HTML:
    """What the organisation's partners may do: own accounts, platforms, approvals, hand-overs, tools and contact."""
    rules = org["partners"]
    own = {
        "no": "No: the brand runs every account; share its posts from the content library instead.",
        "with-approval": f"Yes, once approved, named <b>{html.escape(rules['account_name'])}</b>.",
        "yes": f"Yes, named <b>{html.escape(rules['account_name'])}</b>.",
    }[rules["own_accounts"]]

    def kinds(keys: list[str]) -> str:
        return "; ".join(html.escape(CONTENT_KINDS[k]) for k in keys) or "nothing"

    contact = rules["contact"]
    tool = (
        f'<li><b>Management tool:</b> <a href="{html.escape(rules["tool_url"])}" target="_blank">'
        f"{html.escape(rules['tool_name'])}</a></li>"
        if rules["tool_name"]
        else ""
    )
    return HTML(
        f'<div class="smtk-partner-rules"><p><b>{html.escape(org["name"])}: rules for its '
        f"{html.escape(rules['kind'])}</b></p><ul>"
        f"<li><b>May you run your own account?</b> {own}</li>"
        f"<li><b>On which platforms?</b> {html.escape(', '.join(rules['platforms']) or 'none')}</li>"
        f"<li><b>Ask first:</b> {kinds(rules['approval'])}</li>"
        f"<li><b>Hand it to the brand:</b> {kinds(rules['escalate'])}</li>"
        f"<li><b>Answer comments and reviews within:</b> {rules['response_hours']} hours</li>"
        f'<li><b>Content library:</b> <a href="{html.escape(rules["content_library"])}" target="_blank">'
        f"{html.escape(rules['content_library'])}</a></li>{tool}"
        f"<li><b>Your contact:</b> {html.escape(contact['name'])}, "
        f'<a href="mailto:{html.escape(contact["email"])}">{html.escape(contact["email"])}</a>'
        f"{' &middot; ' + html.escape(contact['channel']) if contact.get('channel') else ''}</li></ul></div>"
    )
