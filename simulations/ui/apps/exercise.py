"""The live crisis exercise's screens, thin over `simulations.exercise.live`: the controller's console and a player's
inbox. Each screen holds its own connection to the shared log and shows pure views of the world folded from it;
`refresh()` brings in what the other screens wrote.
"""

from __future__ import annotations

import html
import uuid
from pathlib import Path

import ipywidgets as w

from simulations.common.eventlog import EventLog
from simulations.exercise import after_action, list_exercises, wall
from simulations.exercise.live import Live
from simulations.exercise.model import INJECT_KINDS, PRIORITIES, VERDICTS
from simulations.triage.vocab import SEVERITIES
from simulations.ui.apps.common import cards, guarded, style, table


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class ControllerApp:
    """Create an exercise from a scenario, run its clock, inject scripted or typed posts, watch every role's queue."""

    def __init__(self, target: str | Path) -> None:
        self.db = EventLog(target)
        self.live: Live | None = None
        self.message = w.HTML()
        self.exercise = w.Dropdown(options=list_exercises(), description="Exercise")
        self.code = w.Text(value=uuid.uuid4().hex[:6].upper(), description="Code")
        self.seed = w.BoundedIntText(value=1, min=0, max=10**6, description="Seed")
        self.create_button = w.Button(description="Create exercise", button_style="primary")
        self.create_button.on_click(guarded(self.message)(lambda _: self.create()))
        self.start = w.Button(description="Start")
        self.pause = w.Button(description="Pause")
        self.resume = w.Button(description="Resume")
        self.end = w.Button(description="End exercise", button_style="danger")
        self.speed = w.IntSlider(value=1, min=1, max=10, description="Speed x")
        for button, action in (
            (self.start, "start"),
            (self.pause, "pause"),
            (self.resume, "resume"),
            (self.end, "end"),
        ):
            button.on_click(guarded(self.message)(lambda _, a=action: self.clock(a)))
        self.speed.observe(guarded(self.message)(lambda _: self.clock("speed")), names="value")
        self.scripted = w.Dropdown(description="Scripted")
        self.fire = w.Button(description="Fire now")
        self.fire.on_click(guarded(self.message)(lambda _: self.inject_scripted()))
        self.persona = w.Dropdown(description="Persona")
        self.kind = w.Dropdown(options=list(INJECT_KINDS), description="Kind")
        self.severity = w.Dropdown(options=list(SEVERITIES), value="medium", description="Severity")
        self.text = w.Textarea(description="Post text", placeholder="What the persona posts")
        self.post = w.Button(description="Post as persona")
        self.post.on_click(guarded(self.message)(lambda _: self.inject_typed()))
        self.refresh_button = w.Button(description="Refresh")
        self.refresh_button.on_click(guarded(self.message)(lambda _: self.refresh()))
        self.status = w.HTML()
        self.queues = w.HTML()
        self.console = w.VBox(
            [
                w.HBox([self.start, self.pause, self.resume, self.speed, self.end, self.refresh_button]),
                self.status,
                self.queues,
                w.HTML("<h3>Inject</h3>"),
                w.HBox([self.scripted, self.fire]),
                w.HBox([self.persona, self.kind, self.severity]),
                self.text,
                self.post,
            ],
            layout=w.Layout(display="none"),
        )
        self.setup = w.VBox([w.HBox([self.exercise, self.code, self.seed]), self.create_button])
        self.widget = w.VBox([style(), w.HTML("<h2>Exercise controller</h2>"), self.setup, self.message, self.console])
        self.widget.add_class("smtk-app")

    def create(self) -> None:
        code = self.code.value.strip().upper()
        if not code:
            raise ValueError("type a code for the exercise: players type it to join")
        self.live = Live.create(self.db, code, self.exercise.value, seed=int(self.seed.value))
        ex = self.live.world.exercise
        self.scripted.options = [(f"{e.at_min:g} min: {e.kind} ({e.persona})", e.id) for e in ex.events]
        self.persona.options = [
            (f"{p.name} ({p.author}, {p.disposition}, {p.faction})", p.id) for p in ex.personas.values()
        ]
        self.setup.layout.display = "none"
        self.console.layout.display = ""
        self.message.value = f"<p>Exercise <b>{html.escape(code)}</b> created: players join with this code.</p>"
        self.refresh()

    def clock(self, action: str) -> None:
        self.live.clock(action, speed=self.speed.value)
        self.refresh()

    def inject_scripted(self) -> None:
        self.live.inject(event=self.scripted.value)
        self.refresh()

    def inject_typed(self) -> None:
        self.live.inject(
            persona=self.persona.value, kind=self.kind.value, severity=self.severity.value, text=self.text.value
        )
        self.text.value = ""
        self.refresh()

    def refresh(self) -> None:
        """Bring in the other screens' entries and redraw the clock, every role's queue and the reach so far."""
        if self.live is None:
            return
        now = self.live.now_s()
        world = self.live.world
        shown = wall(world, now)
        state = "ended" if world.clock.ended else "running" if world.clock.running else "paused"
        self.status.value = cards(
            [
                ("Clock", _clock(now), f"{state}, x{world.clock.speed:g}", ""),
                ("Negative reach", f"{shown.negative_reach:,.0f}", f"without answers {shown.baseline_reach:,.0f}", ""),
                ("Crisis level", str(shown.crisis_level), shown.crisis_label, "bad" if shown.crisis_level else ""),
                ("Players", str(len(world.participants)), "joined", ""),
            ]
        )
        rows = [
            (world.exercise.roles[r].label, n, sum(p["role"] == r for p in world.participants.values()))
            for r, n in shown.open_by_role.items()
        ]
        self.queues.value = table(["Role", "Waiting", "Players"], rows, numeric=(1, 2))
        if world.clock.ended:
            figures = after_action(world)
            self.queues.value += cards(
                [
                    ("Team alignment", f"{figures.team_alignment:.0%}", "actions that match the policy", ""),
                    ("Routing", f"{figures.routing_accuracy:.0%}", "posts closed by their owner", ""),
                    ("Reach avoided", f"{figures.reach_reduction:.0%}", "against no response", ""),
                ]
            )


class PlayerApp:
    """Join an exercise with its code, a name and a role; then work the role's queue on the shared clock."""

    def __init__(self, target: str | Path, participant: str | None = None) -> None:
        self.db = EventLog(target)
        self.live: Live | None = None
        self.me = participant or uuid.uuid4().hex[:10]
        self.message = w.HTML()
        self.code = w.Text(description="Code", placeholder="from the controller")
        self.name = w.Text(description="Your name")
        self.role = w.Dropdown(description="Role", options=[])
        self.look = w.Button(description="Find exercise")
        self.look.on_click(guarded(self.message)(lambda _: self.find()))
        self.join_button = w.Button(description="Join", button_style="primary", disabled=True)
        self.join_button.on_click(guarded(self.message)(lambda _: self.join()))
        self.join_form = w.VBox([w.HBox([self.code, self.look]), self.name, self.role, self.join_button])
        self.header = w.HTML()
        self.queue = w.HTML()
        self.item = w.Dropdown(description="Post")
        self.action = w.Dropdown(description="Action")
        self.choice = w.Dropdown(description="Choice")
        self.go = w.Button(description="Do it", button_style="primary")
        self.go.on_click(guarded(self.message)(lambda _: self.act()))
        self.refresh_button = w.Button(description="Refresh")
        self.refresh_button.on_click(guarded(self.message)(lambda _: self.refresh()))
        self.action.observe(lambda _: self._choices(), names="value")
        self.inbox = w.VBox(
            [self.header, self.refresh_button, self.queue, w.HBox([self.item, self.action, self.choice]), self.go],
            layout=w.Layout(display="none"),
        )
        self.widget = w.VBox([style(), w.HTML("<h2>Crisis exercise</h2>"), self.join_form, self.message, self.inbox])
        self.widget.add_class("smtk-app")

    def find(self) -> None:
        code = self.code.value.strip().upper()
        try:
            self.live = Live(self.db, code)
        except LookupError:
            raise ValueError(f"no exercise with the code {code}; check it with the controller") from None
        ex = self.live.world.exercise
        mine = self.live.world.participants.get(self.me)
        self.role.options = [(r.label, r.id) for r in ex.roles.values()]
        if mine:  # back after closing the page: same role, same queue
            self.name.value, self.role.value = mine["name"], mine["role"]
        self.join_button.disabled = False
        self.message.value = f"<p>{html.escape(ex.title)}: pick your role and join.</p>"

    def join(self) -> None:
        if not self.name.value.strip():
            raise ValueError("type your name, so the review can say who did what")
        if self.live.world.participants.get(self.me) is None:
            self.live.join(self.me, self.name.value.strip(), self.role.value)
        self.join_form.layout.display = "none"
        self.inbox.layout.display = ""
        self.message.value = ""
        actions = self.live.world.exercise.roles[self.role.value].actions.values()
        self.action.options = [(a.label, a.id) for a in actions]
        self.refresh()

    @property
    def role_id(self) -> str:
        return self.live.world.participants[self.me]["role"]

    def _choices(self) -> None:
        if self.live is None or self.action.value is None:
            return
        a = self.live.world.exercise.roles[self.role_id].actions[self.action.value]
        options = {
            "respond": list(a.routes),
            "hand_off": list(a.to),
            "reroute": list(a.to),
            "review": list(VERDICTS),
            "prioritise": list(PRIORITIES),
        }[a.kind]
        labels = {r: self.live.world.policy.routes[r].label for r in a.routes}
        roles = self.live.world.exercise.roles
        self.choice.options = [(labels.get(o) or (roles[o].label if o in roles else o), o) for o in options]

    def act(self) -> None:
        if self.item.value is None:
            raise ValueError("nothing waits in your queue")
        a = self.live.world.exercise.roles[self.role_id].actions[self.action.value]
        key = {"respond": "route", "hand_off": "to", "reroute": "to", "review": "verdict", "prioritise": "priority"}[
            a.kind
        ]
        self.live.act(self.me, a.id, self.item.value, **{key: self.choice.value})
        self.refresh()

    def refresh(self) -> None:
        """Bring in the other screens' entries; redraw the clock, the queue and its ages."""
        if self.live is None or self.me not in self.live.world.participants:
            return
        now = self.live.now_s()
        world = self.live.world
        role = world.exercise.roles[self.role_id]
        queue = world.queue(role.id, now)
        busy = max(world.busy_until.get(self.me, 0.0) - now, 0.0)
        self.header.value = cards(
            [
                ("Role", role.label, role.does, ""),
                ("Clock", _clock(now), "ended" if world.clock.ended else "", ""),
                ("Waiting", str(len(queue)), f"answer within {role.first_response_min:g} min", ""),
                ("Busy for", _clock(busy), "until your last action is done", ""),
            ]
        )
        rows = [
            (
                r.post_id,
                r.priority,
                r.kind if r.kind == "post" else f"draft: {r.draft_route}",
                r.author,
                r.platform,
                f"{r.followers:,}",
                r.text,
                _clock(r.age_s),
            )
            for r in queue.itertuples()
        ]
        self.queue.value = table(
            ["Post", "Priority", "Kind", "Author", "Platform", "Followers", "Text", "Waiting"], rows, numeric=(0, 5, 7)
        )
        self.item.options = [(f"{r.post_id}: {str(r.text)[:40]}", int(r.post_id)) for r in queue.itertuples()]
        self._choices()
