"""Widget: the trainer's cohort view (filters, progress, reaction, item analysis, comments, review and expiry)."""

from __future__ import annotations

import html

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from graders.results import cohort
from graders.results.item_stats import EASY, HARD, HEADERS, LOW_DISCRIMINATION
from graders.results.trainer_data import TrainerData
from simulations.ui.render.chart_view import ChartText, ChartView, rows_of
from simulations.ui.render.figures import png

BINS = np.linspace(0, 1, 11)


def _table(frame: pd.DataFrame, empty: str, css: str) -> str:
    if frame.empty:
        return f"<p class='smtk-empty'>{html.escape(empty)}</p>"
    return frame.to_html(index=False, escape=True, classes=f"smtk-table {css}", border=0, na_rep="–")


def _options(values) -> list[str]:
    return [cohort.ALL, *sorted({v for v in values if isinstance(v, str) and v})]


def _score_text(heights: np.ndarray) -> ChartText:
    """The score histogram in words and numbers: how many submissions in each tenth of the points."""
    total = int(heights.sum())
    passed_half = int(heights[len(heights) // 2 :].sum())
    finding = f"{total} graded submission(s); {passed_half} scored half the points or more."
    rows = [(f"{lo:.0%} to {hi:.0%}", str(int(n))) for lo, hi, n in zip(BINS[:-1], BINS[1:], heights, strict=True)]
    return ChartText(finding, ("score", "submissions"), rows_of(rows), (1,))


ITEMS_NOTE = (
    "<p class='smtk-info'>Difficulty is the mean share of an item's points that learners got; discrimination is the "
    "point-biserial correlation of the item with the rest of its module (– when it cannot be computed: fewer than "
    f"three learners, or everyone scored the same). Flagged: difficulty of {EASY:g} or more, {HARD:g} or less, or "
    f"discrimination below {LOW_DISCRIMINATION:g}. Only submissions whose written answers are all graded count.</p>"
)
ITEM_HEADERS = {"notebook": "lesson", **HEADERS}


def _items(table: pd.DataFrame) -> str:
    """The item statistics table, flagged items first, with how many are flagged above it."""
    flagged = int((table["flags"].str.len() > 0).sum())
    shown = table.assign(notebook=table["notebook"].str.removesuffix(".ipynb")).rename(columns=ITEM_HEADERS)
    summary = f"<p class='smtk-items-summary'>{flagged} of {len(table)} item(s) flagged for review.</p>"
    return summary + _table(shown, "No graded items yet.", "smtk-items")


def _items_text(table: pd.DataFrame) -> ChartText:
    """The item chart in words and numbers: how many items it places, which are flagged, and each one's figures."""
    placed = table.dropna(subset=["difficulty", "discrimination"])
    flagged = table[table["flags"].str.len() > 0]
    finding = (
        f"{len(placed)} of {len(table)} item(s) have both figures; {len(flagged)} flagged for review"
        + (": " + ", ".join(f"{r.module} {r.item}" for r in flagged.head(5).itertuples()) if len(flagged) else "")
        + (", and more in the table below." if len(flagged) > 5 else ".")
    )

    def shown(value: float) -> str:
        return "–" if pd.isna(value) else f"{value:.2f}"

    rows = [(r.module, r.item, shown(r.difficulty), shown(r.discrimination), r.flags) for r in table.itertuples()]
    return ChartText(finding, ("module", "item", "difficulty", "discrimination", "flags"), rows_of(rows), (2, 3))


def _draw_items(ax, table: pd.DataFrame) -> None:
    """Each item with both figures as a point; flagged ones as red crosses, so colour is never the only cue."""
    ax.clear()
    placed = table.dropna(subset=["difficulty", "discrimination"])
    flagged = placed["flags"].str.len() > 0
    ax.scatter(placed.loc[~flagged, "difficulty"], placed.loc[~flagged, "discrimination"], c="#0550ae", marker="o")
    ax.scatter(placed.loc[flagged, "difficulty"], placed.loc[flagged, "discrimination"], c="#b42318", marker="x")
    for x in (HARD, EASY):
        ax.axvline(x, color="#57606a", linewidth=0.8, linestyle="--")
    ax.axhline(LOW_DISCRIMINATION, color="#57606a", linewidth=0.8, linestyle="--")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-1.02, 1.02)
    ax.set_xlabel("difficulty (mean share of points)")
    ax.set_ylabel("discrimination")
    ax.set_title(f"Items: {len(placed)} placed, {int(flagged.sum())} flagged (crosses)", fontsize=10)


def trainer_app(data: TrainerData) -> w.Widget:
    """The whole app; with no graded submission it shows the data's `empty_message` instead of empty charts."""
    scores, items, feedback, learners, modules = data.scores, data.items, data.feedback, data.learners, data.modules
    certificates_due, today, pass_mark, certificates = (
        data.certificates_due,
        data.today,
        data.pass_mark,
        data.certificates,
    )
    if scores.empty:
        text = data.empty_message or "No graded submissions yet: grade some, then reload this page."
        return w.HTML(f"<div class='smtk-empty'><h3>Nothing to show yet</h3><p>{html.escape(text)}</p></div>")
    style = {"description_width": "initial"}
    track = w.Dropdown(options=_options(modules["track"]), description="Track", style=style)
    unit = w.Dropdown(options=_options(learners["business_unit"]), description="Business unit", style=style)
    region = w.Dropdown(options=_options(learners["region"]), description="Region", style=style)
    headline = w.HTML()
    progress, reaction, items_html, comments_html = w.HTML(), w.HTML(), w.HTML(), w.HTML()
    tracks_html = w.HTML()
    if certificates.empty:
        certificates = pd.DataFrame(columns=["learner", "track", "tier_title"])
    chart = w.Image(format="png")
    view = ChartView(chart, "Score distribution")
    fig, ax = plt.subplots(figsize=(6, 2.6), dpi=90)
    counts, _, bars = ax.hist([], bins=BINS, color="#4c72b0")
    ax.set_xlabel("score (share of the module's points)")
    ax.set_ylabel("submissions")
    fig.tight_layout()
    plt.close(fig)
    item_view = ChartView(w.Image(format="png"), "Item difficulty and discrimination")
    item_fig, item_ax = plt.subplots(figsize=(6, 3), dpi=90)
    plt.close(item_fig)

    def refresh(_=None) -> None:
        filters = cohort.Filters(track.value, unit.value, region.value)
        table = cohort.progress(scores, modules, learners, filters, pass_mark)
        progress.value = _table(table, "No module matches these filters.", "smtk-progress")
        tracks_html.value = _table(
            cohort.track_summary(scores, modules, learners, certificates, pass_mark, filters),
            "No track matches these filters.",
            "smtk-tracks",
        )
        reaction.value = _table(
            cohort.reaction(feedback, modules, learners, filters), "No feedback yet.", "smtk-reaction"
        )
        stats = cohort.item_statistics(items, modules, learners, filters)
        items_html.value = _items(stats)
        _draw_items(item_ax, stats)
        item_fig.tight_layout()
        item_view.show(_items_text(stats), png(item_fig))
        comments_html.value = _table(
            cohort.comments(feedback, modules, learners, filters), "No comments yet.", "smtk-comments"
        )
        ratios = cohort.score_ratios(scores, modules, learners, filters)
        heights, _ = np.histogram(ratios.clip(0, 1), bins=BINS)
        for bar, height in zip(bars, heights, strict=True):
            bar.set_height(height)
        ax.set_ylim(0, max(1, heights.max()) * 1.15)
        ax.set_title(f"Score distribution ({len(ratios)} graded submission(s))", fontsize=10)
        view.show(_score_text(heights), png(fig))
        # Last, so a reader (or a test) who sees the new headline sees every table and the chart updated too.
        headline.value = (
            f"<p class='smtk-summary'>{int(table['submitted'].sum())} submission(s) from "
            f"{len(cohort.selected_learners(learners, filters))} learner(s) in {len(table)} module(s)</p>"
        )

    for picker in (track, unit, region):
        picker.observe(refresh, names="value")
    refresh()
    overdue = cohort.overdue(modules, today)
    return w.VBox(
        [
            w.HBox([track, unit, region]),
            headline,
            w.HTML("<h3>Per track: progress and certificates</h3>"),
            tracks_html,
            w.HTML("<h3>Progress and learning per module</h3>"),
            progress,
            w.HTML("<h3>Score distribution</h3>"),
            view.widget,
            w.HTML("<h3>Reaction: learners' ratings</h3>"),
            reaction,
            w.HTML("<h3>Item statistics: how hard each question is and whether it goes with its module</h3>"),
            w.HTML(ITEMS_NOTE),
            item_view.widget,
            items_html,
            w.HTML("<h3>Learners' comments</h3>"),
            comments_html,
            w.HTML("<h3>Modules past their review date</h3>"),
            w.HTML(_table(overdue, "Every module is within its review date.", "smtk-overdue")),
            w.HTML("<h3>Library: modules to revise first, with the evidence</h3>"),
            w.HTML(_table(data.revision, "The library holds no evidence for revision.", "smtk-revision")),
            w.HTML("<h3>Certificates expiring soon</h3>"),
            w.HTML(_table(certificates_due, "No certificate expires soon.", "smtk-expiring")),
        ]
    )
