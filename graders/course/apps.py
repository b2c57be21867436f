"""The Voilà apps of a dashboards folder (its apps.yml): each one's title, question, for whom and audience.

Read by the landing page that `smtk dashboards` serves and by the facilitators' guides `smtk tailor` writes, which
name the executive apps a session opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulations.common.datafiles import DataError
from simulations.common.validate import load_yaml

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


def load_apps(folder: Path) -> list[App]:
    """The apps of a dashboards folder from its apps.yml, in file order; every notebook there must be listed once."""
    path = Path(folder) / APPS_FILE
    root = load_yaml(path)
    root.only(["apps"])
    apps: list[App] = []
    for item in root.get("apps").items(min_len=1):
        item.only(["notebook", "title", "question", "for", "audience"])
        notebook = item.get("notebook").str()
        if not (Path(folder) / notebook).is_file() or Path(notebook).suffix != ".ipynb":
            item.get("notebook").fail(f"no notebook {notebook!r} in {folder}")
        if any(a.notebook == notebook for a in apps):
            item.get("notebook").fail(f"{notebook!r} is listed twice")
        apps.append(
            App(
                notebook=notebook,
                title=item.get("title").str(),
                question=item.get("question").str(),
                who=item.get("for").str(),
                audience=item.get("audience").choice(AUDIENCES),
            )
        )
    listed = {a.notebook for a in apps}
    missing = sorted(p.name for p in Path(folder).glob("*.ipynb") if p.name not in listed)
    if missing:
        raise DataError(
            path,
            "apps",
            f"not listed: {', '.join(missing)}; give each its notebook, title, question, for and audience",
        )
    return apps
