"""The live crisis exercise's screens, thin over `simulations.exercise.live`: the controller's console, a player's
join form and inbox, the wall display and the after-action review. Each screen holds its own connection to the
shared log and shows pure views of the world folded from it; `refresh()` brings in what the other screens wrote, and
`keep_fresh` calls it on the kernel's event loop while the page is open (the `*_app` functions the Voilà pages call).
"""

from __future__ import annotations

import asyncio
import html
import time
import uuid
from pathlib import Path

import ipywidgets as w

from simulations.common.eventlog import EventLog
from simulations.exercise import World, after_action, list_exercises, participants, timeline, wall
from simulations.exercise.live import Live, database
from simulations.exercise.model import INJECT_KINDS, PRIORITIES, VERDICTS
from simulations.triage.vocab import SEVERITIES
from simulations.ui.apps.common import cards, guarded, problems_html, style, table
from simulations.ui.apps.visitor import query_value, signed_in_user
from simulations.ui.lessons.inbox import Inbox
from simulations.ui.render import brief

# How often an open page looks for new entries in the log. A look that finds nothing is one indexed query (tens of
# microseconds on SQLite), so 30 open pages cost little; a quarter second keeps an inject's way to every screen under
# half a second (the goal) while the clock is redrawn at most once a second.
POLL_S = 0.25
REDRAW_CLOCK_S = 1.0


def query_code() -> str:
    """The exercise code in the page's address (`?code=ABC123`), so a link can open the wall or the review."""
    return query_value("code").upper()


def keep_fresh(app, every: float = POLL_S) -> asyncio.Task | None:
    """Call `app.tick()` every `every` seconds on the kernel's event loop while the kernel lives (a page's kernel
    stops when its page closes). None where no loop runs (a plain script)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return None

    async def run() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                app.tick()
            except Exception as exc:  # noqa: BLE001 - a failed look at the log must not stop the next ones
                app.message.value = problems_html(exc)

    task = loop.create_task(run())
    app.poller = task
    return task


class Ticking:
    """A screen refreshed by `keep_fresh`: redraw when the log has new entries, and the clock once a second."""

    live: Live | None = None
    _drawn_at = 0.0

    def tick(self) -> list:
        """Fold in the log's new entries and redraw if needed; returns the entries (drawn once this returns)."""
        if self.live is None:
            return []
        new = self.live.refresh()
        if new or time.monotonic() - self._drawn_at >= REDRAW_CLOCK_S:
            self.refresh()
        return new

    def _drawn(self) -> None:
        self._drawn_at = time.monotonic()


def _percent(value: float | None) -> str:
    return "none yet" if value is None else f"{value:.0%}"


def _minutes(seconds: float | None) -> str:
    return "none" if seconds is None else _clock(seconds)


def review_html(world: World) -> str:
    """The after-action review as HTML: the figures, time to first response per role, hand-off delays, the timeline."""
    f = after_action(world)
    roles = world.exercise.roles
    parts = [
        "<h3>After-action review</h3>",
        cards(
            [
                ("Team alignment", _percent(f.team_alignment), "posts where the action matched the policy", ""),
                ("Routing", _percent(f.routing_accuracy), "posts closed by the role that owns them", ""),
                ("Escalation precision", _percent(f.escalation_precision), "escalations that were needed", ""),
                ("Escalation recall", _percent(f.escalation_recall), "needed escalations made", ""),
                ("Negative reach", f"{f.negative_reach:,.0f}", f"without answers {f.baseline_reach:,.0f}", ""),
                (
                    "Crisis level",
                    str(f.crisis_level),
                    f"{f.crisis_label}; without answers {f.baseline_crisis_level}",
                    "bad" if f.crisis_level else "good",
                ),
            ]
        ),
        "<h4>Time to first response per role</h4>",
        table(
            ["Role", "Received", "Acted on", "Limit (min)", "Median first response", "Within the limit"],
            [
                (
                    roles[r].label,
                    v["received"],
                    v["acted"],
                    f"{v['limit_min']:g}",
                    _minutes(v["median_first_response_s"]),
                    _percent(v["on_time_rate"]),
                )
                for r, v in f.roles.items()
            ],
            numeric=(1, 2, 3, 4, 5),
        ),
        "<h4>Hand-offs</h4>",
        table(
            ["From", "To", "Hand-offs", "Median delay to the receiver's first action"],
            [
                (
                    roles[k.split("->")[0]].label,
                    roles[k.split("->")[1]].label,
                    v["count"],
                    _minutes(v["median_delay_s"]),
                )
                for k, v in f.handoff_delays.items()
            ],
            numeric=(2, 3),
        )
        if f.handoff_delays
        else "<p>No hand-offs.</p>",
        "<h4>Timeline</h4>",
    ]
    line = timeline(world)
    acted = line[line["what"] != "out"]
    parts.append(
        table(
            ["Time", "Post", "Who", "Role", "Action", "Detail"],
            [
                (_clock(r.time_s), r.post, r.who, roles[r.role].label if r.role in roles else r.role, r.what, r.detail)
                for r in acted.itertuples()
            ],
            numeric=(0, 1),
        )
        if len(acted)
        else "<p>Nobody acted on a post.</p>"
    )
    return '<section class="smtk-review" aria-label="After-action review">' + "".join(parts) + "</section>"


def review_title(world: World, code: str) -> str:
    return f"After-action review: {world.exercise.title} (exercise {code})"


def review_brief(world: World, code: str) -> brief.Brief:
    """The after-action review on one A4 page, as a tagged PDF brief: as many timeline rows as the page holds."""
    f = after_action(world)
    roles = world.exercise.roles
    people = participants(world)
    line = timeline(world)
    acted = line[line["what"] != "out"]

    def build(rows: int) -> brief.Brief:
        doc = brief.Brief(review_title(world, code), f"{world.exercise.title} · fictional personas and posts")
        doc.heading("The team")
        doc.table(
            [
                ("Team alignment", _percent(f.team_alignment), "posts where the team's action matched the policy"),
                ("Routing", _percent(f.routing_accuracy), "posts closed by the role that owns them"),
                ("Escalations", f"{_percent(f.escalation_precision)} precision",
                 f"{_percent(f.escalation_recall)} recall"),
                ("Negative reach", f"{f.negative_reach:,.0f}", f"without answers {f.baseline_reach:,.0f}"),
                ("Crisis level", str(f.crisis_level), f"{f.crisis_label}; without answers {f.baseline_crisis_level}"),
                ("Hand-offs", str(f.handoffs),
                 f"median delay to the receiver's first action {_minutes(f.handoff_delay_median_s)}"),
                ("Posts", f"{f.closed} of {f.posts} closed", f"exercise ended at {_clock(f.ended_s)}"),
            ],
            ("Measure", "Result", "What it counts"),
        )  # fmt: skip
        doc.heading("Time to first response per role")
        doc.table(
            [
                (roles[r].label, v["received"], v["acted"], f"{v['limit_min']:g} min",
                 _minutes(v["median_first_response_s"]), _percent(v["on_time_rate"]))
                for r, v in f.roles.items()
            ],
            ("Role", "Received", "Acted on", "Limit", "Median first response", "Within limit"),
        )  # fmt: skip
        doc.heading("Who did what")
        doc.table(
            [(p["name"], roles[p["role"]].label, p["actions"], p["answers"], _percent(p["alignment"])) for p in people],
            ("Name", "Role", "Actions", "Answers", "Matched the policy"),
        )
        shown = acted.head(rows)
        doc.heading(f"Timeline (the first {len(shown)} of {len(acted)} actions; every one on the review page)")
        doc.table(
            [
                (_clock(r.time_s), r.post, r.who, roles[r.role].label if r.role in roles else r.role,
                 f"{r.what} {r.detail}")
                for r in shown.itertuples()
            ],
            ("Time", "Post", "Who", "Role", "Action"),
        )  # fmt: skip
        return doc

    return brief.fitted(build, len(acted))


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


class ControllerApp(Ticking):
    """Create an exercise from a scenario, run its clock, inject scripted or typed posts, watch every role's queue."""

    def __init__(self, target: str | Path | None = None) -> None:
        self.db = EventLog(target or database())
        self.live: Live | None = None
        self.message = w.HTML()
        self.review = w.HTML()
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
                self.review,
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
        self.open(code)
        self.message.value = (
            f'<p role="status">Exercise <b>{html.escape(code)}</b> created: players join with this code on the '
            "exercise's join page; the wall display and the review open with it too.</p>"
        )

    def open(self, code: str) -> None:
        """Take over a running exercise by its code (a controller who closed the page, or a second console)."""
        if self.live is None or self.live.code != code:
            self.live = Live(self.db, code)
        ex = self.live.world.exercise
        self.scripted.options = [(f"{e.at_min:g} min: {e.kind} ({e.persona})", e.id) for e in ex.events]
        self.persona.options = [
            (f"{p.name} ({p.author}, {p.disposition}, {p.faction})", p.id) for p in ex.personas.values()
        ]
        self.setup.layout.display = "none"
        self.console.layout.display = ""
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
        self._drawn()
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
        self.queues.value = "<h3>Queues</h3>" + table(["Role", "Waiting", "Players"], rows, numeric=(1, 2))
        if world.clock.ended and not self.review.value:
            self.review.value = review_html(world)


class PlayerApp(Ticking):
    """Join an exercise with its code, a name and a role; then work the role's queue on the shared clock.

    Who the player is: the hub's signed-in user where the page runs behind the hub, else the name typed (so a player
    who closes the page and joins again with the same name gets their role and queue back)."""

    def __init__(
        self, target: str | Path | None = None, participant: str | None = None, user: str | None = None
    ) -> None:
        self.db = EventLog(target or database())
        self.live: Live | None = None
        self.user = user
        self.me = participant or (f"user:{user}" if user else None)
        self.message = w.HTML()
        self.news = w.HTML()
        self._shown: tuple = ()
        self._since: list[float] = []
        self.incoming = w.HTML()
        self.review = w.HTML()
        self.code = w.Text(description="Code", placeholder="from the controller")
        self.name = w.Text(description="Your name", value=user or "", disabled=bool(user))
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
            [
                self.header,
                self.news,
                self.refresh_button,
                self.queue,
                self.incoming,
                w.HBox([self.item, self.action, self.choice]),
                self.go,
                self.review,
            ],
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
        mine = self.live.world.participants.get(self.me) if self.me else None
        self.role.options = [(r.label, r.id) for r in ex.roles.values()]
        if mine:  # back after closing the page: same role, same queue
            self.name.value, self.role.value = mine["name"], mine["role"]
        self.join_button.disabled = False
        self.message.value = f"<p>{html.escape(ex.title)}: pick your role and join.</p>"

    def join(self) -> None:
        if not self.name.value.strip():
            raise ValueError("type your name, so the review can say who did what")
        if self.me is None or self.me.startswith("name:"):
            self.me = "name:" + " ".join(self.name.value.split()).casefold()
        self.live.refresh()
        if self.me in self.live.world.participants:  # back after closing the page: same role, same queue
            self.role.value = self.live.world.participants[self.me]["role"]
        else:
            self.live.join(self.me, self.name.value.strip(), self.role.value)
        self.join_form.layout.display = "none"
        self.inbox.layout.display = ""
        self.message.value = ""
        actions = self.live.world.exercise.roles[self.role_id].actions.values()
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
        """Bring in the other screens' entries; redraw the clock and the queue's age, and the queue itself only when
        what it shows has changed: the once-a-second redraw, and other roles' entries, stay cheap."""
        if self.live is None or self.me not in self.live.world.participants:
            return
        self._drawn()
        now = self.live.now_s()
        world = self.live.world
        role = world.exercise.roles[self.role_id]
        # What the queue and the hand-offs on their way show: entries that change neither cost no redraw.
        key = (
            tuple(world.waiting(role.id, now)),
            tuple((h["post"], h["arrives_s"]) for h in world.handoffs if h["to"] == role.id and h["arrives_s"] > now),
        )
        if key != self._shown:
            self._shown = key
            self._redraw_queue(world, role, now)
        oldest = now - min(self._since, default=now)
        busy = max(world.busy_until.get(self.me, 0.0) - now, 0.0)
        self.header.value = cards(
            [
                ("Role", role.label, role.does, ""),
                ("Clock", _clock(now), "ended" if world.clock.ended else "", ""),
                (
                    "Waiting",
                    str(len(self._since)),
                    f"oldest {_clock(oldest)}; answer within {role.first_response_min:g} min",
                    "",
                ),
                ("Busy for", _clock(busy), "until your last action is done", ""),
            ]
        )
        if world.clock.ended and not self.review.value:
            self.review.value = review_html(world)
            self.go.disabled = True

    def _redraw_queue(self, world: World, role, now: float) -> None:
        queue = world.queue(role.id, now)
        self._since = [float(t) for t in queue["since_s"]]
        rows = [
            (
                r.post_id,
                r.priority,
                r.kind if r.kind == "post" else f"draft: {r.draft_route}",
                r.author,
                r.platform,
                f"{r.followers:,}",
                r.text,
                _clock(r.since_s),
            )
            for r in queue.itertuples()
        ]
        self.queue.value = table(
            ["Post", "Priority", "Kind", "Author", "Platform", "Followers", "Text", "Waiting since"],
            rows,
            numeric=(0, 5, 7),
        )
        coming = [h for h in world.handoffs if h["to"] == role.id and h["arrives_s"] > now]
        if coming:
            posts = world.posts().set_index("post_id")
            roles = world.exercise.roles
            self.incoming.value = "<h3>On its way to you</h3>" + table(
                ["Post", "From", "Text", "Arrives at"],
                [
                    (h["post"], roles[h["from"]].label, str(posts.loc[h["post"], "text"]), _clock(h["arrives_s"]))
                    for h in coming
                ],
                numeric=(0, 3),
            )
        else:
            self.incoming.value = ""
        options = [(f"{r.post_id}: {str(r.text)[:40]}", int(r.post_id)) for r in queue.itertuples()]
        if options != list(self.item.options):
            arrived = {v for _, v in options} - {v for _, v in self.item.options}
            self.item.options = options
            if arrived:  # a live region: a screen reader hears what arrived, not every tick of the clock
                self.news.value = (
                    f'<p role="status">New in your queue: post {", ".join(map(str, sorted(arrived)))}.</p>'
                )
        if self.action.options and self.choice.options == ():
            self._choices()


class WallApp(Ticking):
    """The wall display of one exercise: negative reach against the baseline, open items per role, the crisis level."""

    def __init__(self, target: str | Path | None = None, code: str = "") -> None:
        self.db = EventLog(target or database())
        self.live: Live | None = None
        self.message = w.HTML()
        self.code = w.Text(description="Code", value=code, placeholder="from the controller")
        self.show = w.Button(description="Show exercise", button_style="primary")
        self.show.on_click(guarded(self.message)(lambda _: self.open()))
        self.status = w.HTML()
        self.queues = w.HTML()
        self.review = w.HTML()
        self.widget = w.VBox(
            [
                style(),
                w.HTML("<h2>Exercise wall</h2>"),
                w.HBox([self.code, self.show]),
                self.message,
                self.status,
                self.queues,
                self.review,
            ]
        )
        self.widget.add_class("smtk-app")
        if code:
            guarded(self.message)(self.open)()

    def open(self) -> None:
        code = self.code.value.strip().upper()
        try:
            self.live = Live(self.db, code)
        except LookupError:
            raise ValueError(f"no exercise with the code {code}; check it with the controller") from None
        self.message.value = f"<p>{html.escape(self.live.world.exercise.title)}</p>"
        self.refresh()

    def refresh(self) -> None:
        if self.live is None:
            return
        self._drawn()
        now = self.live.now_s()
        world = self.live.world
        shown = wall(world, now)
        state = "ended" if world.clock.ended else "running" if world.clock.running else "paused"
        self.status.value = cards(
            [
                ("Clock", _clock(now), f"{state}, x{world.clock.speed:g}", ""),
                ("Negative reach", f"{shown.negative_reach:,.0f}", f"without answers {shown.baseline_reach:,.0f}", ""),
                ("Crisis level", str(shown.crisis_level), shown.crisis_label, "bad" if shown.crisis_level else ""),
            ]
        )
        rows = [(world.exercise.roles[r].label, n) for r, n in shown.open_by_role.items()]
        self.queues.value = "<h3>Open items per role</h3>" + table(["Role", "Waiting"], rows, numeric=(1,))
        if world.clock.ended and not self.review.value:
            self.review.value = review_html(world)


class ReviewApp(WallApp):
    """The after-action review of an exercise, for everyone at the end (and as it stands, while it runs), with the
    one-page PDF to download once it has ended."""

    def __init__(self, target: str | Path | None = None, code: str = "") -> None:
        self.download = w.HTML()
        self.solo_button = w.Button(description="Play this exercise alone", disabled=True)
        self.solo_button.layout.width = "auto"
        self.solo_button.on_click(lambda _: self.play_alone())
        self.solo = w.VBox()
        self.inbox: Inbox | None = None
        super().__init__(target, code)
        self.widget.children[1].value = "<h2>After-action review</h2>"
        self.widget.children = (*self.widget.children, self.download, self.solo_button, self.solo)

    def play_alone(self) -> None:
        """The exercise's posts, the controller's typed ones too, as a shift for one in the triage inbox: each
        player can see what they alone would have made of the team's crisis, next to the team's figures above."""
        if self.live is None:
            return
        world = self.live.world
        self.inbox = Inbox(world.solo_stream(), seed=world.seed)
        self.solo.children = [
            w.HTML(
                f"<h3>The same crisis, alone</h3><p>The {len(self.inbox.stream)} posts of exercise "
                f"{html.escape(self.live.code)}, at the times they came out, on a desk of one: route each as the "
                "team did or better, and compare your debrief with the team's review above.</p>"
            ),
            self.inbox.widget,
        ]

    def refresh(self) -> None:
        if self.live is None:
            return
        self._drawn()
        world = self.live.world
        if not world.clock.ended:
            self.status.value = '<p role="status">The exercise is still running: the review so far.</p>'
        else:
            self.status.value = ""
            self.solo_button.disabled = False
            if not self.download.value:
                doc = review_brief(world, self.live.code)
                self.download.value = "<p>" + brief.links(doc, f"after-action-{self.live.code}") + "</p>"
        self.review.value = review_html(world)

    def tick(self) -> list:  # the review changes only with new entries
        new = self.live.refresh() if self.live is not None else []
        if new:
            self.refresh()
        return new


def controller_app() -> w.Widget:
    """The controller's Voilà page."""
    app = ControllerApp()
    keep_fresh(app)
    return app.widget


def player_app() -> w.Widget:
    """A player's Voilà page: join, then the role's inbox (the code may come in the address)."""
    app = PlayerApp(user=signed_in_user())
    if code := query_code():
        app.code.value = code
        guarded(app.message)(app.find)()
    keep_fresh(app)
    return app.widget


def wall_app() -> w.Widget:
    """The wall display's Voilà page (`?code=` opens the exercise at once)."""
    app = WallApp(code=query_code())
    keep_fresh(app)
    return app.widget


def review_app() -> w.Widget:
    """The after-action review's Voilà page (`?code=` opens the exercise at once)."""
    app = ReviewApp(code=query_code())
    keep_fresh(app)
    return app.widget
