"""The Voilà apps of a dashboards folder (its apps.yml): each one's title, question, for whom and audience.

Read by the landing page that `smtk dashboards` serves and by the facilitators' guides `smtk tailor` writes, which
name the executive apps a session opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationInfo, model_validator

from simulations.common.models import FileModel, Text, choice, invalid, items, json_schema, load_model, unique_by

APPS_FILE = "apps.yml"
AUDIENCES = ("executive", "trainer", "learner")


@dataclass(frozen=True)
class App:
    """One Voilà app as the landing page presents it."""

    notebook: str
    title: str
    question: str
    who: str
    audience: str


class AppFile(FileModel):
    """One Voilà app of the folder, as the landing page lists it."""

    notebook: Text = Field(description="the app's notebook in this folder, e.g. roi.ipynb")
    title: Text = Field(description="the app's title on the landing page")
    question: Text = Field(description="the question the app answers")
    for_: Text = Field(alias="for", description="for whom: who opens it, deciding what")
    audience: choice(AUDIENCES, "executive apps are listed on the landing page; trainer and learner apps are not")

    def app(self) -> App:
        return App(self.notebook, self.title, self.question, self.for_, self.audience)


class AppsFile(FileModel):
    """The apps of a dashboards folder (courses/dashboards/apps.yml): every notebook there, once, in the order shown."""

    apps: Annotated[items(AppFile, min_len=1), unique_by("notebook", "{value!r} is listed twice")]

    @model_validator(mode="after")
    def _notebooks(self, info: ValidationInfo) -> AppsFile:
        folder = Path(info.context["path"]).parent
        for i, app in enumerate(self.apps):
            if Path(app.notebook).suffix != ".ipynb" or not (folder / app.notebook).is_file():
                raise invalid(f"no notebook {app.notebook!r} in {folder}", at=f"apps[{i}].notebook")
        listed = {a.notebook for a in self.apps}
        missing = sorted(p.name for p in folder.glob("*.ipynb") if p.name not in listed)
        if missing:
            raise invalid(
                f"not listed: {', '.join(missing)}; give each its notebook, title, question, for and audience",
                at="apps",
            )
        return self


def load_apps(folder: Path) -> list[App]:
    """The apps of a dashboards folder from its apps.yml, in file order; every notebook there must be listed once.
    Errors name the file, line, column and field."""
    return [a.app() for a in load_model(Path(folder) / APPS_FILE, AppsFile).apps]


def apps_schema() -> dict:
    """The JSON Schema of a dashboards folder's apps.yml, for editors."""
    return json_schema(
        AppsFile, "Dashboard apps", "The Voilà apps a dashboards folder serves, as its landing page lists them."
    )
