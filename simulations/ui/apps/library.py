"""The Library app: browse the course's modules, search what learners shared, post a note or ask a question.

Thin widgets over `simulations.library.LibraryStore`; the library lives in the live features' event database
($SMTK_EXERCISE_DB, which `smtk dashboards` sets), under its own log. Who posts: the hub's signed-in user behind the
hub, else the name typed. Everything shown is escaped: the library stores plain text only.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from pathlib import Path

import ipywidgets as w

from simulations.exercise.live import database
from simulations.library import (
    CONTRIBUTION_KINDS,
    Blocked,
    LibraryRules,
    LibraryStore,
    ModuleInfo,
    Refused,
    digest,
    display_text,
    experts,
    revision_queue,
)
from simulations.library.search import terms
from simulations.profile.org import dashboard_profile
from simulations.ui.apps.common import style, table
from simulations.ui.apps.visitor import preheated, query_value, signed_in_user, wait_for_visitor


def _status(kind: str, body: str) -> str:
    css = "smtk-notice" if kind == "done" else "smtk-message-box"
    return f'<div class="{css}" role="status">{body}</div>'


def refused_html(error: Refused, head: str = "Not sent") -> str:
    """Why a text was not stored and what to change, as the writer reads it."""
    if isinstance(error, Blocked):
        items = "".join(f"<li>{html.escape(r)}</li>" for r in error.reasons)
        return _status(
            "refused",
            f"<b>Not sent: the checks found details to change.</b><ul>{items}</ul>"
            f"<p>What to change: {html.escape(error.change)}.</p>",
        )
    change = f" {html.escape(error.change[:1].upper() + error.change[1:])}." if error.change else ""
    return _status("refused", f"<b>{head}:</b> {html.escape(error.field)} {html.escape(error.reason)}.{change}")


class LibraryApp:
    """One visitor's page: the modules, search, and the forms to post a contribution or ask a question."""

    def __init__(
        self,
        modules: Iterable[ModuleInfo],
        target: str | Path | None = None,
        user: str | None = None,
        org_name: str = "",
        rules: LibraryRules = LibraryRules(),
        topic: str = "",
        store: LibraryStore | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.store = store or LibraryStore(target or database(), modules, org_name=org_name, rules=rules)
        self.today = today or dt.date.today()
        rules = self.store.rules
        library = self.store.state()
        module_options = [(f"{m.title} ({m.track})", m.id) for m in library.modules.values()]
        tracks = sorted({m.track for m in library.modules.values()})
        self.user = user
        self.name = w.Text(description="Your name", value=user or "", disabled=bool(user))
        self.query = w.Text(description="Search", placeholder="words to look for; none: the newest")
        self.topic = w.Dropdown(
            description="Within",
            options=[("the whole library", ""), *((f"track {t}", t) for t in tracks), *module_options],
        )
        self.find = w.Button(description="Search library", button_style="primary")
        self.find.on_click(lambda _: self.search())
        self.results = w.HTML()
        self.module = w.Dropdown(description="Module", options=module_options)
        self.kind = w.Dropdown(description="Kind", options=[(text, kind) for kind, text in CONTRIBUTION_KINDS.items()])
        self.text = w.Textarea(
            description="Your text", placeholder="plain text; no figures the company has not published"
        )
        self.text.layout.width = "640px"
        self.anonymous = w.Checkbox(
            description="Without my name (colleagues see \u201ca colleague\u201d; the Center of Excellence sees who)",
            indent=False,
        )
        self.anonymous.layout.display = "" if rules.anonymous_posts else "none"
        rule = f"<p class='smtk-info'>{html.escape(rules.language_rule)}</p>" if rules.language_rule else ""
        self.post_button = w.Button(description="Send for review")
        self.post_button.on_click(lambda _: self.post())
        self.ask_button = w.Button(description="Ask as a question")
        self.ask_button.on_click(lambda _: self.ask())
        self.message = w.HTML()
        self.help_topic = w.Dropdown(description="Topic", options=self.topic.options[1:])
        self.help_button = w.Button(description="Who can help")
        self.help_button.on_click(lambda _: self.show_experts())
        self.helpers = w.HTML()
        self.modules = w.HTML()
        self.news = w.HTML()
        self.follow_topic = w.Dropdown(description="Follow", options=self.topic.options[1:])
        self.follow_button = w.Button(description="Follow this topic")
        self.follow_button.on_click(lambda _: self.follow())
        self.widget = w.VBox(
            [
                style(),
                w.HTML(
                    "<h2>Library</h2><p class='smtk-info'>Notes, trip notes, tips and questions from colleagues, "
                    "checked by the Center of Excellence. Names and texts in a demo library are fictional.</p>"
                ),
                self.name,
                self.news,
                w.HBox([self.follow_topic, self.follow_button]),
                w.HTML("<h3>Search</h3>"),
                w.HBox([self.query, self.topic, self.find]),
                self.results,
                w.HTML(f"<h3>Share a note or ask a question</h3>{rule}"),
                self.module,
                self.kind,
                self.text,
                self.anonymous,
                w.HBox([self.post_button, self.ask_button]),
                self.message,
                w.HTML("<h3>Who can help</h3>"),
                w.HBox([self.help_topic, self.help_button]),
                self.helpers,
                w.HTML("<h3>Modules</h3>"),
                self.modules,
            ]
        )
        self.widget.add_class("smtk-app")
        self.show_modules()
        if topic in {value for _, value in self.topic.options if value}:  # a link to one module's or track's library
            self.topic.value = topic
            if topic in library.modules:
                self.module.value = self.help_topic.value = self.follow_topic.value = topic
        if user:  # a signed-in learner coming back: what is new since their last visit
            self.show_news(self.store.visit(user))

    def _who(self) -> str:
        return self.user or self.name.value

    def show_news(self, since: int) -> None:
        """What is new on the topics the visitor follows since event `since`, the library's notices to them, and thanks
        for what they shared that the Center of Excellence accepted."""
        library, who = self.store.state(), self._who()
        items = digest(library, who, since)
        notices = library.notices.get(who, [])
        shared = len(library.accepted_by_author(who))
        praise = (
            f"<p class='smtk-notice'>Thank you: {shared} of your contribution(s) are in the library for colleagues "
            "to use, and count toward your certification where your course asks for shared notes.</p>"
            if shared
            else ""
        )
        if not items and not notices:
            followed = library.subscriptions.get(who, set())
            self.news.value = praise + (
                "<h3>Since your last visit</h3><p>Nothing new on the topics you follow.</p>"
                if followed
                else "<h3>Since your last visit</h3><p>Follow a module or a track below to hear what is new on it.</p>"
            )
            return
        rows = [
            (item.what, library.modules[item.module].title, item.author, item.text) for item in items
        ]  # table() escapes
        body = table(["What", "Module", "Who", "Text"], rows) if rows else ""
        told = "".join(f"<li>{html.escape(n)}</li>" for n in notices)
        self.news.value = praise + (
            f"<h3>Since your last visit</h3><p role='status'>{len(items)} new on the topics you follow.</p>{body}"
            + (f"<ul>{told}</ul>" if told else "")
        )

    def follow(self) -> None:
        try:
            self.store.subscribe(self._who(), self.follow_topic.value)
        except Refused as exc:
            self.message.value = refused_html(exc)
            return
        self.message.value = _status("done", f"You follow {html.escape(self.follow_topic.label)}.")

    def search(self) -> None:
        try:
            hits = self.store.search(self.query.value, topic=self.topic.value)
        except Refused as exc:
            self.results.value = refused_html(exc)
            return
        library = self.store.library
        browsing = not terms(self.query.value)
        where = html.escape(self.topic.label)
        if not hits:
            found = f"for \u201c{html.escape(self.query.value)}\u201d" if not browsing else f"in {where} yet"
            self.results.value = _status("done", f"Nothing {found}.")
            return
        items = []
        for hit in hits:
            title = html.escape(library.modules[hit.module].title) if hit.module in library.modules else ""
            answers = ""
            if hit.kind == "question":
                question = library.questions[hit.id]
                shown = [library.answers[a] for a in question.answers]
                answers = "".join(
                    f"<li>{'Accepted answer' if a.accepted else 'Answer'} from {html.escape(a.author)}: "
                    f"{display_text(a.text)}</li>"
                    for a in sorted(shown, key=lambda a: not a.accepted)
                )
                answers = f"<ul>{answers}</ul>" if answers else "<p>No answer yet.</p>"
            items.append(f"<li><b>{html.escape(hit.kind)}</b> on {title}: {display_text(hit.text)}{answers}</li>")
        said = f"The newest {len(hits)} in {where}." if browsing else f"{len(hits)} found."
        self.results.value = f'<div role="status"><p>{said}</p><ol class="smtk-results">{"".join(items)}</ol></div>'

    def post(self) -> None:
        try:
            cid = self.store.post(
                self._who(), self.module.value, self.kind.value, self.text.value, self.anonymous.value
            )
        except Refused as exc:
            self.message.value = refused_html(exc)
            return
        self.text.value = ""
        self.message.value = _status(
            "done",
            f"Thank you: your {html.escape(self.kind.value)} ({cid}) waits for the "
            "Center of Excellence, who will accept it or say why not.",
        )
        self.show_modules()

    def ask(self) -> None:
        try:
            qid = self.store.ask(self._who(), self.module.value, self.text.value, self.anonymous.value)
        except Refused as exc:
            self.message.value = refused_html(exc)
            return
        self.text.value = ""
        self.message.value = _status("done", f"Your question ({qid}) is in the library; answers show under it.")
        self.show_modules()

    def show_experts(self) -> None:
        """The people the library's own evidence names for the topic (accepted notes and answers), with why."""
        found = experts(self.store.state(), self.help_topic.value)
        if not found:
            self.helpers.value = _status(
                "done", "No one yet: an accepted note or answer on this topic puts its author here."
            )
            return
        items = "".join(f"<li><b>{html.escape(e.person)}</b>: {html.escape('; '.join(e.reasons))}</li>" for e in found)
        self.helpers.value = f'<div role="status"><ul class="smtk-experts">{items}</ul></div>'

    def show_modules(self) -> None:
        library = self.store.state()
        tally = library.tally()
        rows = []
        for m in library.modules.values():
            given = tally[m.id].ratings
            mean = f"{sum(given) / len(given):.1f} ({len(given)})" if given else "none yet"
            fresh = m.freshness(self.today)
            rows.append(
                (m.title, m.track, m.summary, m.minutes, fresh, mean, tally[m.id].accepted, tally[m.id].questions)
            )
        header = (
            "Module",
            "Track",
            "What it teaches",
            "Minutes",
            "Freshness",
            "Rating (ratings)",
            "Accepted notes",
            "Questions",
        )
        self.modules.value = table(header, rows, numeric=(3, 6, 7))


def library_app(modules: Iterable[ModuleInfo], target: str | Path | None = None) -> w.VBox:
    """The Library page for these modules (the course's, from its manifest), for the organisation the server shows
    (its employee tag is an accepted disclosure)."""
    store = _visited_store(modules, target)
    return LibraryApp(modules, user=signed_in_user(), topic=query_value("topic"), store=store).widget


def _visited_store(modules: Iterable[ModuleInfo], target: str | Path | None) -> LibraryStore:
    """The library of the organisation the server shows, once a visitor has come: a preheated page reads, indexes
    and tallies the whole log (the slow part) before then."""
    org = dashboard_profile()
    store = LibraryStore(target or database(), modules, org_name=org.name, rules=org.library)
    if preheated():
        store.warm()
    wait_for_visitor()
    return store


def _short(text: str, length: int = 70) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "\u2026"


class CoEApp:
    """The Center of Excellence's page: accept, edit or decline waiting contributions, accept answers, and read the
    revision queue with its evidence."""

    def __init__(
        self,
        modules: Iterable[ModuleInfo],
        target: str | Path | None = None,
        user: str | None = None,
        org_name: str = "",
        today: dt.date | None = None,
        rules: LibraryRules = LibraryRules(),
        store: LibraryStore | None = None,
    ) -> None:
        self.store = store or LibraryStore(target or database(), modules, org_name=org_name, rules=rules)
        self.user, self.today = user, today or dt.date.today()
        self.name = w.Text(description="Moderator", value=user or "", disabled=bool(user))
        self.waiting = w.HTML()
        self.item = w.Dropdown(description="Contribution")
        self.note = w.Textarea(description="Edit or reason", placeholder="the edited text, or why it is declined")
        self.note.layout.width = "640px"
        self.accept_button = w.Button(description="Accept", button_style="primary")
        self.accept_button.on_click(lambda _: self.moderate("accept"))
        self.edit_button = w.Button(description="Accept with edits")
        self.edit_button.on_click(lambda _: self.moderate("edit"))
        self.decline_button = w.Button(description="Decline with reason")
        self.decline_button.on_click(lambda _: self.moderate("decline"))
        self.answer = w.Dropdown(description="Answer")
        self.answer_button = w.Button(description="Accept answer")
        self.answer_button.on_click(lambda _: self.moderate("answer"))
        self.message = w.HTML()
        self.queue = w.HTML()
        self.widget = w.VBox(
            [
                style(),
                w.HTML("<h2>Library: the Center of Excellence</h2>"),
                self.name,
                w.HTML("<h3>Waiting for review</h3>"),
                self.waiting,
                self.item,
                self.note,
                w.HBox([self.accept_button, self.edit_button, self.decline_button]),
                w.HTML("<h3>Answers to accept</h3>"),
                w.HBox([self.answer, self.answer_button]),
                self.message,
                w.HTML("<h3>Revision queue</h3>"),
                self.queue,
            ]
        )
        self.widget.add_class("smtk-app")
        self.refresh()

    def refresh(self) -> None:
        library = self.store.state()
        pending = library.pending()
        rows = [
            (
                c.id,
                c.kind,
                library.modules[c.module].title,
                c.author + (" (without name)" if c.anonymous else ""),
                c.text,
            )
            for c in pending
        ]
        self.waiting.value = (
            table(("Id", "Kind", "Module", "Author", "Text"), rows) if rows else "<p>Nothing is waiting.</p>"
        )
        self.item.options = [(f"{c.id}: {_short(c.text, 50)}", c.id) for c in pending]
        self.item.value = pending[0].id if pending else None
        open_answers = [a for a in library.answers.values() if not a.accepted]
        self.answer.options = [(f"{a.id} to {a.question}: {_short(a.text, 50)}", a.id) for a in open_answers]
        entries = revision_queue(library, self.today)
        items = "".join(
            f"<li>{html.escape(e.lines()[0])}<ul>"
            + "".join(
                f"<li>{html.escape(ev.kind)}: {html.escape(ev.summary)}"
                + ("<ul>" + "".join(f"<li>{display_text(i)}</li>" for i in ev.items[:5]) + "</ul>" if ev.items else "")
                + "</li>"
                for ev in e.evidence
            )
            + "</ul></li>"
            for e in entries
        )
        self.queue.value = f'<ol class="smtk-revision">{items}</ol>' if entries else "<p>No module has evidence.</p>"

    def moderate(self, action: str) -> None:
        who = self.user or self.name.value
        try:
            if action == "answer":
                self.store.accept(who, self.answer.value)
                done = f"Answer {self.answer.value} accepted."
            elif action == "accept":
                self.store.accept(who, self.item.value)
                done = f"{self.item.value} accepted: learners find it now."
            elif action == "edit":
                self.store.edit(who, self.item.value, self.note.value)
                done = f"{self.item.value} published with your edits."
            else:
                self.store.decline(who, self.item.value, self.note.value)
                done = f"{self.item.value} declined; its author reads your reason."
        except Refused as exc:
            self.message.value = refused_html(exc, "Not done")
            return
        self.note.value = ""
        self.message.value = _status("done", html.escape(done))
        self.refresh()


def coe_app(modules: Iterable[ModuleInfo], target: str | Path | None = None) -> w.VBox:
    """The Center of Excellence's Library page for these modules."""
    return CoEApp(modules, user=signed_in_user(), store=_visited_store(modules, target)).widget
