"""The landing page of `smtk dashboards`: each executive app's title, the question it answers and for whom (or, for
the hub's team apps, each app everyone may open).

Voilà's own index at / is a list of file names ("benchmark.ipynb, course-overview.ipynb, ..."). This page replaces
it: the apps come from `apps.yml` in the dashboards folder (courses/dashboards/apps.yml), which gives every notebook
there a title, a question, whom it is for and an audience. Only `executive` apps are listed; `trainer` apps (the
cohort view, the triage drill) stay reachable by their address. The page is plain HTML with no script, built to
WCAG 2.2 AA: one h1, one h2 per app whose link is the app's title, text contrast of 6:1 or more, a visible focus ring.
"""

from __future__ import annotations

import html

from graders.course.apps import APPS_FILE, AUDIENCES, App, load_apps

__all__ = ["APPS_FILE", "AUDIENCES", "App", "landing_page", "load_apps"]

STYLE = """
:root{color-scheme:light}
body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328;background:#fff;
line-height:1.5}
main{max-width:46em;margin:0 auto;padding:2.5em 1.25em 3em}
h1{font-size:1.75em;line-height:1.25;margin:0 0 .4em}
.lead{color:#57606a;margin:0 0 2em}
ul{list-style:none;margin:0;padding:0}
li{border:1px solid #d0d7de;border-radius:8px;padding:1em 1.25em;margin:0 0 1em}
h2{font-size:1.25em;margin:0 0 .25em}
a{color:#0550ae;text-decoration:underline;text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
a:focus-visible{outline:3px solid #0550ae;outline-offset:3px;border-radius:2px}
.question{font-size:1.05em;margin:0 0 .35em}
.for{color:#57606a;margin:0}
"""


# The page's heading and lead per audience listed; {org} is the organisation's name.
PAGES = {
    "executive": (
        "Social media training dashboards for {org}",
        "Each dashboard answers one question on one page, with no code. Open one to see its answer for\n{org}; "
        "change its inputs and the figures follow.",
    ),
    "learner": (
        "Team apps for {org}",
        "Join the crisis exercise your trainer runs, read its review when it ends, and share notes and questions "
        "with colleagues in the library. No code anywhere.",
    ),
}


def landing_page(apps: list[App], org_name: str, base_url: str = "/", audience: str = "executive") -> str:
    """The HTML of the landing page: the apps of one audience, each with its title (the link), question and readers."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    items = []
    for app in apps:
        if app.audience != audience:
            continue
        href = html.escape(f"{base}voila/render/{app.notebook}", quote=True)
        items.append(
            f'<li><h2><a href="{href}">{html.escape(app.title)}</a></h2>\n'
            f'<p class="question">{html.escape(app.question)}</p>\n'
            f'<p class="for">For: {html.escape(app.who)}</p></li>'
        )
    org = html.escape(org_name)
    title, lead = (text.format(org=org) for text in PAGES[audience])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{STYLE}</style>
</head><body><main>
<h1>{title}</h1>
<p class="lead">{lead}</p>
<ul>
{chr(10).join(items)}
</ul>
</main></body></html>
"""
