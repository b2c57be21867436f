"""Question widgets: the learner answers with the mouse (and the keyboard for words), reads feedback at once, and the
answer is recorded in the notebook, where nbgrader's grading run reads it back for the hidden tests.

Thin over simulations.lessons.questions, which judges answers. Each widget keeps its answer in a Recorder (saved in
the notebook's widget state, restored when the notebook runs again, by the learner or by nbgrader), so a learner who
reruns keeps their answers and the grader sees them. A module's answer cell gives the widget its `solution`: in the
source notebook it returns the worked answer, in the release nbgrader replaced it with a stub that raises
NotImplementedError, which the widget reads as "no solution here".
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from simulations.common.records import FEEDBACK_RECORD
from simulations.lessons.questions import Feedback, Question, assert_right, check, is_answered, parse_number
from simulations.ui.lessons.handin import HandIn, status_line
from simulations.ui.lessons.record import Recorder

# Long option texts wrap instead of being cut off with an ellipsis (a wrapped radio label grows instead of running
# over the next option); the feedback line reads in the theme's colours.
STYLE = """<style>
.smtk-question .widget-label-basic span, .smtk-question .widget-radio-box label { white-space: normal; }
.smtk-question .widget-checkbox, .smtk-question .widget-radio-box, .smtk-question .widget-radio { height: auto; }
.smtk-question .widget-radio-box label { line-height: 1.4; margin-bottom: 4px; }
.smtk-question .widget-radio-box label { height: auto; min-height: var(--jp-widgets-radio-item-height); }
.smtk-question .smtk-feedback { font-weight: 600; margin: 4px 0; }
</style>"""
NO_CHOICE = "(choose)"


def _no_solution() -> Any:
    return None


class QuestionWidget:
    """One question on screen: its prompt, the controls, a Check button and the feedback line; the answer recorded.

    `qid` names the record (`question:<qid>`) and the nbgrader item; `notebook` is the file the saved answer is read
    from when the notebook runs again (the module's own notebook name; None: the one JupyterLab runs).
    """

    question: Question

    def __init__(
        self, question: Question, *, solution: Callable[[], Any] | None = None, notebook: str | Path | None = None
    ) -> None:
        self.question = question
        self.recorder = Recorder(f"question:{question.qid}", notebook)
        self._quiet = False
        self._checked = False
        self.feedback = w.HTML(value=self._line(""), layout=w.Layout(min_height="1.6em"))
        self.check_button = w.Button(
            description="Check my answer", tooltip=f"Check your answer to question {question.qid}"
        )
        self.check_button.on_click(lambda _: self.show_feedback())
        controls = self._build()
        self.box = w.VBox(
            [
                w.HTML(STYLE + f"<p>{html.escape(question.prompt)}</p>"),
                *controls,
                w.HBox([self.check_button]) if question.kind != "long" else w.HBox([]),
                self.feedback,
                self.recorder.widget,
            ],
            layout=w.Layout(max_width="52em"),
        )
        self.box.add_class("smtk-question")
        self.box.add_class(f"smtk-question-{question.qid}")  # one question's box, for styles and tests
        if not is_answered(question, self.answer):
            given = _solution_or_none(solution or _no_solution)
            if given is not None:
                self.record(given)
        self._quiet = True
        try:
            self._show(self.answer)
        finally:
            self._quiet = False
        if question.kind == "long":
            self.feedback.value = self._line(check(question, self.answer).message if self.answer else "")

    # -- what a subclass provides: the controls, the answer they show, and showing an answer in them
    def _build(self) -> list[w.Widget]:
        raise NotImplementedError

    def _read(self) -> Any:
        raise NotImplementedError

    def _show(self, answer: Any) -> None:
        raise NotImplementedError

    # -- shared behaviour
    @property
    def answer(self) -> Any:
        """The learner's answer as recorded (None before one is given)."""
        return self.recorder.data

    @property
    def answered(self) -> bool:
        """Whether the recorded answer is one the key can judge (every place or item set, at least one box ticked): a
        code exercise's test cell grades its widget alternative when it holds one, else the code (so boxes ticked
        and cleared again leave the code to be graded)."""
        return is_answered(self.question, self.answer) and self.answer != []

    def record(self, answer: Any) -> None:
        """Record `answer` (what the controls show, or a solution) in the notebook and show it in the controls."""
        self.recorder.save(answer)
        if not self._quiet:
            self._quiet = True
            try:
                self._show(answer)
            finally:
                self._quiet = False

    def _changed(self, _change: Any = None) -> None:
        if self._quiet:
            return
        self.recorder.save(self._read())
        # Once the learner has asked, the feedback follows the answer (a Check pressed just before the last change
        # reached the kernel would otherwise leave feedback on an older answer); a written answer is always followed.
        if self._checked or self.question.kind == "long":
            self.show_feedback()

    def check(self) -> Feedback:
        """The visible check: how the recorded answer fares against the key."""
        return check(self.question, self.answer)

    def show_feedback(self) -> Feedback:
        self._checked = True
        feedback = self.check()
        self.feedback.value = self._line(feedback.message)
        return feedback

    def assert_right(self) -> None:
        """The hidden test of an autograded question: fails, saying why, unless every item is right."""
        assert_right(self.question, self.answer)

    @staticmethod
    def _line(message: str) -> str:
        return status_line(message)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        bundle = self.box._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"Question {self.question.qid}: {self.question.prompt}\nAnswer: {self.answer!r}"
        return bundle


def _solution_or_none(solution: Callable[[], Any]) -> Any:
    """The worked answer of the source notebook; None in the release, where nbgrader's stub raises."""
    try:
        return solution()
    except NotImplementedError:
        return None


def _options(question: Question) -> list[tuple[str, str]]:
    return [(f"{label}. {text}", label) for label, text in question.options.items()]


class SingleChoice(QuestionWidget):
    """Pick one option: `SingleChoice("q1", prompt, {"a": ..., "b": ...}, key="b")`."""

    def __init__(self, qid: str, prompt: str, options: dict[str, str], key: Any, **kwargs: Any) -> None:
        super().__init__(Question(qid, "single", prompt, options=options, key=key), **kwargs)

    def _build(self) -> list[w.Widget]:
        self.radio = w.RadioButtons(options=_options(self.question), value=None, layout=w.Layout(width="auto"))
        self.radio.observe(self._changed, "value")
        return [self.radio]

    def _read(self) -> Any:
        return self.radio.value

    def _show(self, answer: Any) -> None:
        self.radio.value = answer if answer in self.question.options else None


class MultipleChoice(QuestionWidget):
    """Tick every option that applies: `MultipleChoice("q1", prompt, options, key=["b", "d"])`."""

    def __init__(self, qid: str, prompt: str, options: dict[str, str], key: Any, **kwargs: Any) -> None:
        super().__init__(Question(qid, "multiple", prompt, options=options, key=key), **kwargs)

    def _build(self) -> list[w.Widget]:
        self.boxes = {
            label: w.Checkbox(value=False, description=text, indent=False, layout=w.Layout(width="auto"))
            for text, label in _options(self.question)
        }
        for box in self.boxes.values():
            box.observe(self._changed, "value")
        return list(self.boxes.values())

    def _read(self) -> Any:
        return [label for label, box in self.boxes.items() if box.value]

    def _show(self, answer: Any) -> None:
        chosen = set(answer) if isinstance(answer, list) else set()
        for label, box in self.boxes.items():
            box.value = label in chosen


class _Dropdowns(QuestionWidget):
    """A dropdown per place (ordering) or per item (matching); the answer counts once every one is set."""

    def _dropdowns(self, names: list[tuple[str, str]], options: list[tuple[str, str]]) -> list[w.Widget]:
        self.dropdowns = {
            key: w.Dropdown(
                options=[(NO_CHOICE, "")] + options,
                value="",
                description=name,
                style={"description_width": "initial"},
                layout=w.Layout(width="auto", max_width="100%"),
            )
            for key, name in names
        }
        for dropdown in self.dropdowns.values():
            dropdown.observe(self._changed, "value")
        return list(self.dropdowns.values())


class Ordering(_Dropdowns):
    """Put the options in order, one dropdown per place: `Ordering("q3", prompt, items, key=["c", "b", "a"])`."""

    def __init__(self, qid: str, prompt: str, items: dict[str, str], key: Any, **kwargs: Any) -> None:
        super().__init__(Question(qid, "order", prompt, options=items, key=key), **kwargs)

    def _build(self) -> list[w.Widget]:
        places = [(str(i), f"Place {i}") for i in range(1, len(self.question.options) + 1)]
        return self._dropdowns(places, _options(self.question))

    def _read(self) -> Any:
        return [d.value or None for d in self.dropdowns.values()]

    def _show(self, answer: Any) -> None:
        values = answer if isinstance(answer, list) else []
        for i, dropdown in enumerate(self.dropdowns.values()):
            dropdown.value = values[i] if i < len(values) and values[i] in self.question.options else ""


class Matching(_Dropdowns):
    """Match each item to one choice: `Matching("q5", prompt, items, choices, key={"a": "x", "b": "y"})`."""

    def __init__(
        self, qid: str, prompt: str, items: dict[str, str], choices: dict[str, str], key: Any, **kwargs: Any
    ) -> None:
        super().__init__(Question(qid, "match", prompt, options=items, choices=choices, key=key), **kwargs)

    def _build(self) -> list[w.Widget]:
        names = [(label, f"{label}. {text}") for label, text in self.question.options.items()]
        return self._dropdowns(names, [(text, label) for label, text in self.question.choices.items()])

    def _read(self) -> Any:
        return {label: d.value or None for label, d in self.dropdowns.items()}

    def _show(self, answer: Any) -> None:
        values = answer if isinstance(answer, dict) else {}
        for label, dropdown in self.dropdowns.items():
            dropdown.value = values.get(label) if values.get(label) in self.question.choices else ""


class Number(QuestionWidget):
    """A figure with its unit, right within a tolerance: `Number("q2", prompt, key=7600, tolerance=1, unit="people")`
    (the learner may type 7,600 or 7 600)."""

    def __init__(
        self, qid: str, prompt: str, key: Any, *, unit: str = "", tolerance: float = 0.0, **kwargs: Any
    ) -> None:
        super().__init__(Question(qid, "number", prompt, key=key, unit=unit, tolerance=tolerance), **kwargs)

    def _build(self) -> list[w.Widget]:
        unit = f" ({self.question.unit})" if self.question.unit else ""
        self.text = w.Text(
            value="",
            placeholder="a number, e.g. 1250",
            description=f"Your answer{unit}",
            style={"description_width": "initial"},
        )
        self.text.observe(self._changed, "value")
        return [self.text]

    def _read(self) -> Any:
        value = parse_number(self.text.value)
        return value if value is not None else (self.text.value.strip() or None)

    def _show(self, answer: Any) -> None:
        value = parse_number(answer)
        # every digit the learner typed (":g" would show 1234567 as 1.23457e+06, which reads back as another number)
        self.text.value = "" if answer is None else f"{value:.15g}" if value is not None else str(answer)


class _Typed(QuestionWidget):
    """A question answered in words, in a text box (ShortText) or a text area (LongAnswer): one home for reading the
    words typed and showing a recorded answer, so the two cannot drift apart."""

    def _typed(self, box: w.Text | w.Textarea) -> list[w.Widget]:
        self.text = box
        self.text.observe(self._changed, "value")
        return [self.text]

    def _read(self) -> Any:
        return self.text.value if self.text.value.strip() else None

    def _show(self, answer: Any) -> None:
        self.text.value = answer if isinstance(answer, str) else ""


class ShortText(_Typed):
    """A word or a short phrase, right when it is one of the accepted answers: `ShortText("q6", prompt, key=[...])`."""

    def __init__(self, qid: str, prompt: str, key: Any, **kwargs: Any) -> None:
        super().__init__(Question(qid, "text", prompt, key=key), **kwargs)

    def _build(self) -> list[w.Widget]:
        return self._typed(w.Text(value="", description="Your answer", style={"description_width": "initial"}))


class LongAnswer(_Typed):
    """A written answer the trainer grades by hand: `LongAnswer("q4", prompt, min_words=40)`. There is no key and no
    Check button; the line under the box says the answer is saved. The grading run shows the text to the trainer."""

    def __init__(self, qid: str, prompt: str, *, min_words: int = 0, **kwargs: Any) -> None:
        super().__init__(Question(qid, "long", prompt, min_words=min_words), **kwargs)

    def _build(self) -> list[w.Widget]:
        return self._typed(
            w.Textarea(
                value="",
                description="Your answer",
                rows=8,
                style={"description_width": "initial"},
                layout=w.Layout(width="100%"),
            )
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"Written answer to {self.question.qid}:\n\n{self.answer or '(no answer written)'}"
        return bundle


class ModuleFeedback:
    """The closing "how did this module work for you": a rating from 1 to 5 and a comment, recorded in the notebook
    like an answer (never graded); the trainers' feedback table reads it from the graded notebook. The module's Hand
    in button follows it, so every code-free lesson ends with one."""

    def __init__(self, *, notebook: str | Path | None = None) -> None:
        self.recorder = Recorder(FEEDBACK_RECORD, notebook)
        saved = self.recorder.data if isinstance(self.recorder.data, dict) else {}
        rating = saved.get("rating") if saved.get("rating") in range(1, 6) else None
        self.rating = w.RadioButtons(
            options=[("1: not useful", 1), ("2", 2), ("3", 3), ("4", 4), ("5: very useful", 5)],
            value=rating,
            description="Your rating",
            style={"description_width": "initial"},
        )
        self.comment = w.Textarea(
            value=str(saved.get("comment") or ""),
            placeholder="What to keep, what to change",
            description="Your comment",
            rows=3,
            style={"description_width": "initial"},
            layout=w.Layout(width="100%"),
        )
        self.rating.observe(self._changed, "value")
        self.comment.observe(self._changed, "value")
        self.box = w.VBox(
            [w.HTML(STYLE), self.rating, self.comment, self.recorder.widget], layout=w.Layout(max_width="52em")
        )
        self.box.add_class("smtk-question")
        self.hand_in = HandIn(notebook=notebook)

    def _changed(self, _change: Any = None) -> None:
        self.recorder.save({"rating": self.rating.value, "comment": self.comment.value})

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        return w.VBox([self.box, self.hand_in.box])._repr_mimebundle_(**kwargs)
