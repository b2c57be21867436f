"""HTML views of the triage policy and of posts: the decision tree with who takes each route, and post cards."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from IPython.display import HTML

from simulations.triage import Policy

CARD_STYLE = """<style>
.smtk-post{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:4px 0;background:#fff}
.smtk-post .smtk-meta{color:#57606a;font-size:90%}
table.smtk-tree{border-collapse:collapse;font-size:92%}
table.smtk-tree th,table.smtk-tree td{border-bottom:1px solid #d0d7de;padding:3px 8px;text-align:left;
  vertical-align:top}
</style>"""


def post_card_html(post: Mapping[str, Any], heading: str, note: str = "") -> str:
    """One post as a card: who posted where, to how many followers, in what tone, and the text."""
    meta = (
        f"{html.escape(heading)} &middot; <b>{html.escape(str(post['author']))}</b> on "
        f"{html.escape(str(post['platform']))} &middot; {int(post['followers']):,} followers &middot; "
        f"{html.escape(str(post['sentiment']))}"
    )
    extra = f" &middot; {note}" if note else ""
    return (
        f"<div class='smtk-post'><div class='smtk-meta'>{meta}{extra}</div>"
        f"<div class='smtk-text'>{html.escape(str(post.get('text', '')))}</div></div>"
    )


def post_cards(posts: Mapping[str, Mapping[str, Any]]) -> HTML:
    """Cards for posts keyed by a label (the letters of a routing question)."""
    return HTML(CARD_STYLE + "".join(post_card_html(p, f"Post {key}") for key, p in posts.items()))


def contact_text(policy: Policy, route: str, contacts: Mapping[str, Mapping[str, str]] | None) -> str:
    """Who takes a route over in this organisation (name and address), or '' when the route stays with you."""
    role = policy.routes[route].contact
    who = (contacts or {}).get(role) if role else None
    if not who:
        return ""
    reach = ", ".join(x for x in (who.get("email", ""), who.get("channel", "")) if x)
    return f"{who['name']} ({reach})" if reach else who["name"]


def policy_tree(policy: Policy, contacts: Mapping[str, Mapping[str, str]] | None = None) -> HTML:
    """The decision tree in order: the question each node asks, where a yes sends the post, who takes it and why."""
    rows = []
    for i, rule in enumerate(policy.rules, 1):
        route = policy.routes[rule.route]
        who = contact_text(policy, rule.route, contacts) or "you"
        rows.append(
            f"<tr><td>{i}</td><td>{html.escape(rule.ask)}</td><td><b>{html.escape(route.label)}</b></td>"
            f"<td>{html.escape(who)}</td><td>{html.escape(rule.why)}</td></tr>"
        )
    head = "<tr><th>#</th><th>ask</th><th>if yes</th><th>who takes it</th><th>why</th></tr>"
    return HTML(f"{CARD_STYLE}<table class='smtk-tree'><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>")


def route_table(policy: Policy, contacts: Mapping[str, Mapping[str, str]] | None = None) -> HTML:
    """Every route: its name for code, what it does, how long it takes you, its time limit and who takes it over."""
    rows = []
    for name, r in policy.routes.items():
        limit = f"{r.time_limit_min:g} min" if r.time_limit_min else ""
        rows.append(
            f"<tr><td><code>{html.escape(name)}</code></td><td><b>{html.escape(r.label)}</b></td>"
            f"<td>{html.escape(r.does)}</td><td>{r.handle_min:g} min</td><td>{limit}</td>"
            f"<td>{html.escape(contact_text(policy, name, contacts) or 'you')}</td></tr>"
        )
    head = (
        "<tr><th>route</th><th>label</th><th>what it does</th><th>your time</th><th>time limit</th>"
        "<th>who takes it</th></tr>"
    )
    return HTML(f"{CARD_STYLE}<table class='smtk-tree'><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>")
