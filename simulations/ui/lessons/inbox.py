"""Widget: the triage inbox. Posts arrive on a simulated clock, the learner routes each one with a button, a live
chart shows negative reach, and the end of the shift brings a debrief. The shift is recorded in the notebook.

All model logic is the engine's (`simulations.triage`: the desk clock, the spread simulation, scoring, the
debrief); this module only lays it out and turns clicks into `Desk.decide` calls.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w
import numpy as np
import pandas as pd

import simulations.triage as triage
from simulations.triage.desk import Desk
from simulations.ui.lessons.record import Recorder
from simulations.ui.render.reach_chart import ReachChart, people
from simulations.ui.render.triage_cards import CARD_STYLE, contact_text, post_card_html

BUTTON_STYLE = {"reply": "success", "watch": "", "escalate": "warning"}
# The queue's lines are cut at the list's edge on a narrow screen rather than scroll sideways (WCAG 1.4.10): the
# card below it shows the picked post whole.
STYLE = (
    CARD_STYLE
    + """<style>
.smtk-inbox .smtk-status{font-size:95%}
.smtk-inbox .smtk-notice{color:#9a6700}
.smtk-debrief table{border-collapse:collapse;font-size:88%}
.smtk-debrief th,.smtk-debrief td{border-bottom:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
.smtk-debrief tr.smtk-miss td{background:#fff5f5}
.smtk-debrief .smtk-scroll{max-height:420px;overflow:auto}
.smtk-queue select{overflow-x:hidden;text-overflow:ellipsis}
</style>"""
)


class Inbox:
    """A shift of posts to triage by hand, on a desk of one; `widget` is what the notebook shows.

    With `record`, the shift is kept in a hidden widget that JupyterLab saves into `notebook` and that this class
    restores when the notebook runs again (after a restart, or when nbgrader grades it).
    """

    def __init__(
        self,
        stream: triage.Stream,
        *,
        seed: int = 0,
        contacts: Mapping[str, Mapping[str, str]] | None = None,
        record: str | None = None,
        notebook: str | Path | None = None,
    ) -> None:
        self.stream = stream
        self.seed = seed
        self.contacts = dict(contacts or {})
        self.policy = stream.policy
        self.recorder = Recorder(record, notebook) if record else None
        self.desk, notice = self._restore()
        self.restored = notice is None and self.recorder is not None and self.recorder.restored
        self.autoplayed = self.restored and bool(self.recorder.data.get("autoplay"))
        self._public = stream.public()
        self._result: triage.SimResult | None = None
        self._confirm_restart = False

        self.status = w.HTML()
        self.queue = w.Select(rows=6, layout=w.Layout(width="98%"), tooltip="Posts waiting in the queue")
        self.queue.add_class("smtk-queue")
        self.card = w.HTML()
        self.buttons = {name: self._route_button(name, route) for name, route in self.policy.routes.items()}
        self.notice = w.HTML(self._notice_html(notice))
        self.end_button = w.Button(description="End the shift", icon="flag-checkered")
        self.restart_button = w.Button(description="Start the shift again", icon="redo", button_style="danger")
        self.end_button.layout.width = self.restart_button.layout.width = "auto"
        self.chart = ReachChart(stream.horizon_s / 3600.0, stream.shift_s / 3600.0)
        self.debrief_view = w.HTML()
        self.debrief_view.add_class("smtk-debrief")
        self.end_button.on_click(lambda _: self._act(self.end_shift))
        self.restart_button.on_click(lambda _: self._act(self._restart_clicked))
        self.queue.observe(lambda _: self._show_card(), names="value")

        kinds: dict[str, list[w.Button]] = {}
        for name, button in self.buttons.items():
            kinds.setdefault(self.policy.routes[name].kind, []).append(button)
        rows = [w.HBox(group, layout=w.Layout(flex_flow="row wrap")) for group in kinds.values()]
        hint = w.HTML("<i>Pick a post in the inbox (the oldest is picked for you), then where it goes:</i>")
        parts = [w.HTML(STYLE), self.status, self.queue, self.card, hint, *rows, self.notice]
        parts += [w.HBox([self.end_button, self.restart_button]), self.chart.view.widget, self.debrief_view]
        if self.recorder is not None:
            parts.append(self.recorder.widget)
        self.widget = w.VBox(parts)
        self.widget.add_class("smtk-inbox")
        self._refresh()

    @classmethod
    def for_org(
        cls, org: Mapping[str, Any], scenario: str, *, seed: int = 0, n_posts: int | None = None, **kwargs: Any
    ) -> Inbox:
        """An inbox for an organisation profile (the notebook's ORG): its name, products, contacts and triage policy."""
        policy = triage.load_policy(overrides=org.get("triage_policy"))
        stream = triage.generate_stream(
            scenario, seed=seed, org_name=org["name"], products=list(org["products"]), n_posts=n_posts, policy=policy
        )
        return cls(stream, seed=seed, contacts=org.get("contacts"), **kwargs)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    # What a notebook and its tests use.
    @property
    def played(self) -> bool:
        """The shift is over: the learner ended it, or every post has been handled."""
        return self.desk.finished

    def decisions(self) -> pd.DataFrame:
        """The decisions made so far (post_id, route, response_time_s), as the engine takes them."""
        return self.desk.decisions()

    def result(self) -> triage.SimResult:
        """The shift so far (or the whole shift once played), simulated by the engine from the recorded decisions."""
        if self._result is None:
            self._result = triage.simulate(self.stream, self.desk.decisions(), seed=self.seed)
        return self._result

    def score(self) -> triage.Score:
        return triage.score(self.result())

    def debrief(self) -> pd.DataFrame:
        return triage.debrief(self.result())

    def decide(self, route: str, post_id: int | None = None) -> float:
        """Send a post (the one selected in the inbox, else the oldest waiting) down `route`, as its button does."""
        if self.desk.finished:
            raise ValueError("the shift is over; start it again to play once more")
        waiting = self.desk.waiting()
        if post_id is None and waiting.size == 0:
            raise ValueError("no post is waiting")
        if post_id is None:
            post_id = self.queue.value if self.queue.value in waiting else int(waiting[0])
        seconds = self.desk.decide(post_id, route)
        _catch_up(self.desk)
        self._last_action(post_id, route, seconds)
        self._changed()
        return seconds

    def end_shift(self) -> None:
        """End the shift now; posts not handled by then get no response."""
        if not self.desk.finished:
            self.desk.end()
            self._changed()

    def restart(self) -> None:
        """Throw the shift away and start again from the first post (the recorded shift is replaced too)."""
        self.desk = Desk(self.stream)
        self.autoplayed = False
        _catch_up(self.desk)
        self.notice.value = ""
        self._changed()

    def autoplay(self, route_fn: Callable[[dict[str, Any]], str | None], order: str = "arrival") -> None:
        """Play the rest of the shift without clicks, each post routed by `route_fn(post)` (a learner's `route`);
        the record notes it, and the debrief says so."""
        self.desk.work(lambda pid: route_fn(dict(self._public[pid])), order)
        self.autoplayed = True
        self._changed()

    # Internals.
    def _restore(self) -> tuple[Desk, str | None]:
        """The recorded shift, or a new one (with the reason when a record was there but did not fit)."""
        data = self.recorder.data if self.recorder is not None else None
        notice = None
        if data is not None:
            try:
                return Desk.from_record(self.stream, data), None
            except (ValueError, TypeError) as exc:
                notice = f"Your saved shift could not be restored ({exc}). This is a new shift."
        desk = Desk(self.stream)
        _catch_up(desk)
        return desk, notice

    def _route_button(self, name: str, route: triage.Route) -> w.Button:
        button = w.Button(description=route.label, tooltip=route.does, button_style=BUTTON_STYLE.get(route.kind, ""))
        button.layout.width = "auto"
        button.add_class("smtk-route")
        button.on_click(lambda _: self._act(lambda: self.decide(name)))
        return button

    def _act(self, action: Callable[[], Any]) -> None:
        """Run a button's action; a refused action (say, after the shift ended) is shown, not lost in a log."""
        try:
            action()
        except ValueError as exc:
            self.notice.value = self._notice_html(str(exc))

    def _restart_clicked(self) -> None:
        if not self._confirm_restart:
            self._confirm_restart = True
            self.restart_button.description = "Click again to erase this shift"
            return
        self._confirm_restart = False
        self.restart_button.description = "Start the shift again"
        self.restart()

    def _changed(self) -> None:
        self._result = None
        if self.recorder is not None:
            self.recorder.save({**self.desk.to_record(), "autoplay": self.autoplayed})
        self._refresh()

    def _last_action(self, post_id: int, route_name: str, seconds: float) -> None:
        post = self._public[post_id]
        label = html.escape(self.policy.routes[route_name].label)
        text = f"Post {post_id} ({post['author']} on {post['platform']}): <b>{label}</b>, "
        text += f"done {_minutes(seconds)} after it was posted."
        who = contact_text(self.policy, route_name, self.contacts)
        if who:
            text += f" Passed to <b>{html.escape(who)}</b>."
        self.notice.value = f"<div class='smtk-last'>{text}</div>"

    @staticmethod
    def _notice_html(message: str | None) -> str:
        return f"<div class='smtk-notice'>{html.escape(message)}</div>" if message else ""

    def _refresh(self) -> None:
        desk, result = self.desk, self.result()
        curve = result.curve
        hours = curve["time_s"].to_numpy() / 3600.0
        reach, nobody = curve["negative_reach"].to_numpy(), curve["baseline_reach"].to_numpy()
        clock_h = desk.clock_s / 3600.0
        self.chart.update(hours, reach, nobody, clock_h)

        waiting = desk.waiting() if not desk.finished else np.array([], dtype=np.int64)
        now = float(np.interp(clock_h, hours, reach))
        now_nobody = float(np.interp(clock_h, hours, nobody))
        shift = _clock(self.stream.shift_s)
        state = "Shift over" if desk.finished else f"Clock {_clock(desk.clock_s)} into a {shift} shift"
        self.status.value = (
            f"<div class='smtk-status'><b>{state}</b> &middot; {len(waiting)} waiting &middot; "
            f"{desk.decided} of {len(self.stream)} handled &middot; negative reach so far "
            f"<b class='smtk-reach'>{people(now)}</b> (if nobody answered: {people(now_nobody)})</div>"
        )
        selected = self.queue.value if self.queue.value in waiting else (int(waiting[0]) if waiting.size else None)
        self.queue.options = [(self._queue_label(int(p)), int(p)) for p in waiting]
        self.queue.value = selected
        self.queue.disabled = desk.finished
        for button in self.buttons.values():
            button.disabled = desk.finished
        self.end_button.disabled = desk.finished
        self.restart_button.layout.display = "" if desk.finished else "none"
        self._show_card()
        by = "<p><i>This shift was played automatically by a route function.</i></p>" if self.autoplayed else ""
        self.debrief_view.value = by + _debrief_html(result, self.policy) if desk.finished else ""

    def _queue_label(self, pid: int) -> str:
        p = self._public[pid]
        text = str(p["text"])
        text = text if len(text) <= 70 else text[:67] + "..."
        return f"{_clock(p['time_s'])}  {p['author']} · {p['platform']} · {people(p['followers'])}  {text}"

    def _show_card(self) -> None:
        pid = self.queue.value
        if pid is None:
            self.card.value = (
                "<div class='smtk-post'>The shift is over: see the debrief below.</div>"
                if self.desk.finished
                else "<div class='smtk-post'>Nothing waiting.</div>"
            )
            return
        p = self._public[pid]
        waited = max(self.desk.clock_s - p["time_s"], 0.0)
        note = f"posted at {_clock(p['time_s'])}, waiting {_minutes(waited)}"
        self.card.value = post_card_html(p, f"Post {pid}", note)


def _catch_up(desk: Desk) -> None:
    """With nothing in the inbox, let the clock run to the next post (the learner never stares at an empty inbox)."""
    while not desk.finished and desk.waiting().size == 0 and desk.wait():
        pass


def _debrief_html(result: triage.SimResult, policy: triage.Policy) -> str:
    """The end-of-shift summary and the table of every post: what you did, what the policy recommends and why."""
    s = triage.score(result)
    table = triage.debrief(result)
    label = {name: r.label for name, r in policy.routes.items()}
    lines = [
        f"<h4>Debrief: {s.points:.0f} points of 100</h4><ul>",
        f"<li>Routed as the policy recommends: <b>{s.routing_accuracy:.0%}</b> of {s.posts} posts "
        f"({s.decided} handled).</li>",
        f"<li>Answered within the time limit: <b>{s.on_time_rate:.0%}</b>.</li>",
        f"<li>Escalations: {s.escalation_recall:.0%} of the posts that needed one were passed on, "
        f"<b>{s.escalations_to_team:.0%}</b> to the team the policy names; "
        + (
            f"{s.escalation_precision:.0%} of your escalations were needed"
            if _escalated(result, policy)
            else "you escalated nothing"
        )
        + (f"; {s.over_escalations} needless one(s) cost the CoE {s.coe_load_h:.1f} h" if s.over_escalations else "")
        + ".</li>",
        f"<li>Negative reach: <b>{people(s.negative_reach)}</b> people, against {people(s.baseline_reach)} if "
        f"nobody had answered ({s.reach_reduction:.0%} less).</li>",
        f"<li>Crisis level reached: <b>{s.crisis_level}</b> ({html.escape(s.crisis_label)}); "
        f"without any response: {s.baseline_crisis_level}.</li>",
    ]
    limits = []
    for severity, row in s.by_severity.items():
        if row["posts"] and row["median_response_s"] is not None and severity != "none":
            limits.append(
                f"{severity}: {row['posts']} post(s), median answer after {_minutes(row['median_response_s'])}, "
                f"{row['on_time_rate']:.0%} in time (limit {_minutes(policy.time_limit_min[severity] * 60)})"
            )
    if limits:
        lines.append("<li>By true severity: " + "; ".join(limits) + ".</li>")
    lines.append("</ul>")
    rows = []
    for r in table.itertuples(index=False):
        decided = not pd.isna(r.decision)
        yours = label[r.decision] if decided else "no response"
        after = _minutes(r.response_time_s) if decided else ""
        in_time = ("yes" if r.on_time else "late") if decided else ""
        miss = "" if r.correct else " class='smtk-miss'"
        rows.append(
            f"<tr{miss}><td>{r.post_id}</td><td>{_clock(r.time_s)}</td>"
            f"<td>{html.escape(str(r.author))}, {people(r.followers)}</td>"
            f"<td>{html.escape(str(r.text))}</td><td>{html.escape(str(r.severity))}</td>"
            f"<td><b>{html.escape(yours)}</b></td><td>{after}</td><td>{in_time}</td>"
            f"<td>{html.escape(label[r.recommended])}</td><td>{html.escape(str(r.why))}</td>"
            f"<td>{people(r.negative_reach)}</td></tr>"
        )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "#",
            "posted",
            "from",
            "post",
            "true severity",
            "your route",
            "after",
            "in time",
            "recommended",
            "why",
            "reach",
        )
    )
    return (
        "".join(lines)
        + f"<div class='smtk-scroll'><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _escalated(result: triage.SimResult, policy: triage.Policy) -> bool:
    kinds = [policy.routes[str(r)].kind for r in result.decisions["route"]]
    return "escalate" in kinds


def _clock(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _minutes(seconds: float) -> str:
    minutes = seconds / 60.0
    return f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"


def drill(
    org: Mapping[str, Any], scenarios: list[str] | None = None, *, first: str | None = None, seed: int = 0
) -> w.VBox:
    """A scenario picker above an inbox, for a trainer's live drill: picking a scenario starts a fresh shift."""
    ids = scenarios or triage.list_scenarios()
    picker = w.Dropdown(
        options=[(triage.load_scenario(i).title, i) for i in ids],
        value=first if first in ids else ids[0],
        description="Scenario",
        layout=w.Layout(width="480px"),
    )
    box = w.VBox([picker, Inbox.for_org(org, picker.value, seed=seed).widget])

    def start(_: Any = None) -> None:
        box.children = [picker, Inbox.for_org(org, picker.value, seed=seed).widget]

    picker.observe(start, names="value")
    return box
