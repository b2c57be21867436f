"""The fact registry: one home per figure. `smtk check` catches figures not taken from it and stale or unsourced
facts, tailoring renders references as text for the organisation's jurisdictions, `smtk facts` lists it."""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from roundtrip import EXAMPLE_ORGS

from graders.course.check import check_course, format_report
from graders.course.tailor import TailorError, tailor
from graders.paths import DEMO_ORG, MANIFEST, ROOT, SOURCE
from simulations.common.datafiles import DataError
from simulations.common.facts import (
    FACTS_FILE,
    FactReferenceError,
    check_dates,
    load_facts,
    references,
    render_markdown,
    unregistered_figures,
)
from simulations.profile.org import load_org

TODAY = dt.date(2026, 12, 4)  # a fixed check date: before every shipped review_by, after every source's fifth year
LESSON = "policy-disclosure"  # an employees' lesson whose first cell names a registered figure


def smtk(*args: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "smtk"
    return subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def registry_data() -> dict:
    return yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))


def fact_entry(data: dict, fact_id: str) -> dict:
    return next(f for f in data["facts"] if f["id"] == fact_id)


def course(tmp_path: Path, edit_facts=None, lesson_only: bool = False) -> Path:
    """A private copy of the course (manifest, masters, registry), the registry edited by `edit_facts`; with
    `lesson_only`, a manifest of the employees track holding only LESSON (quick to tailor)."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    if lesson_only:
        manifest["tracks"] = [t for t in manifest["tracks"] if t["id"] == "employees"]
        manifest["tracks"][0]["modules"] = [m for m in manifest["tracks"][0]["modules"] if m["id"] == LESSON]
    shutil.copytree(SOURCE, tmp_path / "source")
    (tmp_path / "course.yml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    data = registry_data()
    if edit_facts:
        edit_facts(data)
    (tmp_path / "facts.yml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return tmp_path / "course.yml"


def add_markdown(notebook: Path, text: str) -> int:
    """Append a Markdown cell to a master notebook; returns its index."""
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, notebook)
    return len(nb.cells) - 1


def first_line_of(path: Path, fact_id: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.strip() == f"- id: {fact_id}")


def cells_showing(fact_id: str) -> list[str]:
    """Where the shipped lessons name a fact, as `notebook cells[i]`, read from the notebooks themselves."""
    found = []
    for notebook in sorted(SOURCE.glob("*/*.ipynb")):
        for index, cell in enumerate(nbformat.read(notebook, as_version=4).cells):
            if cell.cell_type == "markdown" and any(ref == fact_id for ref, _ in references(cell.source)):
                found.append(f"{notebook.name} cells[{index}]")
    return found


# ---- the shipped course ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(EXAMPLE_ORGS))
def test_shipped_course_passes(slug):
    """Every lesson's figures come from the registry, no fact is past review_by, every old source is marked history,
    and every source says where it can be read."""
    report = check_course(today=TODAY, org_path=EXAMPLE_ORGS[slug])
    assert report.problems == () and report.expired == () and report.facts == ()
    assert all(f.source.url for f in load_facts() if f.source is not None)


def test_shipped_lessons_write_registered_figures_as_references():
    registry = load_facts()
    referenced = {
        ref for nb in SOURCE.glob("*/*.ipynb") for c in nbformat.read(nb, 4).cells for ref, _ in references(c.source)
    }
    assert referenced and referenced <= set(registry.facts)
    for fact in registry:
        assert fact.kind != "finding" or fact.source is not None
        assert not fact.history or fact.why


# ---- planted defects: each names the file, the cell and the fact -------------------------------------------------


def test_unregistered_figure_next_to_a_source_fails_naming_notebook_and_cell(tmp_path):
    path = course(tmp_path)
    notebook = tmp_path / "source" / LESSON / f"{LESSON}.ipynb"
    index = add_markdown(
        notebook, "Altimeter's 2012 study also found that 61% of companies had no social media policy."
    )
    report = check_course(path, today=TODAY)
    planted = [p for p in report.facts if p.path == str(notebook)]
    assert [(p.field, "'61%'" in p.problem) for p in planted] == [(f"cells[{index}]", True)]
    cli = smtk("check", "--manifest", str(path), "--today", TODAY.isoformat())
    assert cli.returncode == 1
    assert f"FACT {notebook}: cells[{index}]: the figure '61%'" in cli.stdout


def test_unknown_reference_fails_naming_notebook_cell_and_fact(tmp_path):
    path = course(tmp_path)
    notebook = tmp_path / "source" / LESSON / f"{LESSON}.ipynb"
    index = add_markdown(notebook, "In one survey, {{fact:no-such-survey}} of firms agreed.")
    problems = [p for p in check_course(path, today=TODAY).facts if p.path == str(notebook)]
    assert [p.field for p in problems] == [f"cells[{index}]"]
    assert "no-such-survey" in problems[0].problem


def registry_problem(report, fact_id: str, field: str) -> DataError:
    matches = [p for p in report.facts if p.field == f"{p.field.split(' ')[0]} ({fact_id}).{field}"]
    assert len(matches) == 1, format_report(report)
    return matches[0]


def test_expired_fact_fails_naming_registry_line_fact_and_the_cells_that_show_it(tmp_path):
    path = course(tmp_path, lambda d: fact_entry(d, "altimeter-preventable").update(review_by="2026-06-30"))
    report = check_course(path, today=TODAY)
    problem = registry_problem(report, "altimeter-preventable", "review_by")
    assert problem.path == str(tmp_path / "facts.yml")
    assert problem.line == first_line_of(tmp_path / "facts.yml", "altimeter-preventable")
    assert "2026-06-30 has passed" in problem.problem
    shown = cells_showing("altimeter-preventable")
    assert shown and all(cell in problem.problem for cell in shown)
    assert not report.ok


def test_old_figure_without_history_fails(tmp_path):
    def drop_history(data):
        entry = fact_entry(data, "freshfields-revenue")
        entry.pop("history")
        entry.pop("why")

    path = course(tmp_path, drop_history)
    report = check_course(path, today=TODAY)
    problem = registry_problem(report, "freshfields-revenue", "source.year")
    assert f"from 2013, {TODAY.year - 2013} years before {TODAY}" in problem.problem
    assert all(cell in problem.problem for cell in cells_showing("freshfields-revenue"))
    # Five years old is still current; the sixth year is not.
    five = course(
        tmp_path / "five",
        lambda d: (drop_history(d), fact_entry(d, "freshfields-revenue")["source"].update(year=TODAY.year - 5)),
    )
    assert not [p for p in check_course(five, today=TODAY).facts if "(freshfields-revenue).source.year" in p.field]


def test_fact_without_url_fails(tmp_path):
    path = course(tmp_path, lambda d: fact_entry(d, "edelman-credibility")["source"].pop("url"))
    report = check_course(path, today=TODAY)
    problem = registry_problem(report, "edelman-credibility", "source.url")
    assert "no URL" in problem.problem
    assert all(cell in problem.problem for cell in cells_showing("edelman-credibility"))
    cli = smtk("check", "--manifest", str(path), "--today", TODAY.isoformat())
    assert cli.returncode == 1 and "(edelman-credibility).source.url: no URL" in cli.stdout


# ---- the detector ------------------------------------------------------------------------------------------------


def test_detector_finds_cited_figures_and_leaves_others_alone():
    registry = load_facts()
    flagged = lambda text: [u.figure for u in unregistered_figures(text, registry)]  # noqa: E731
    assert flagged("In Freshfields' study, 28% of crises reached international media within an hour.") == []
    assert flagged("In Freshfields' study, 29% of crises reached international media within an hour.") == ["29%"]
    assert flagged("A 2024 survey by a consultancy put the share at 45%.") == ["45%"]
    assert flagged("Altimeter studied governance. The same study found that 61% had no policy.") == ["61%"]
    assert flagged("Bitly measured it. Companies spent \\$40k on it.") == ["\\$40k"]
    assert flagged("- **b.** 82% of learners pass the disclosure quiz.") == []
    assert flagged("With a 50% chance of at least one event, the average is ln 2.") == []
    assert flagged("Altimeter found that {{fact:altimeter-never-trained}} never train.") == []
    assert flagged("The regex matches `40%` after Altimeter's name in code.") == []


# ---- the registry file is validated like the kit's other data --------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "field", "expected"),
    [
        (lambda f: f.update(kind="rumour"), "kind", "expected one of finding, model, heuristic, law"),
        (lambda f: f.pop("why"), "why", "required with `history: true`"),
        (lambda f: f["source"].update(url="www.example.org"), "source.url", "expected a web address"),
        (lambda f: f.update(scope="FR"), "scope", "expected one of global, US, EU, UK"),
        (lambda f: f.update(review_by="soon"), "review_by", "expected a date"),
    ],
    ids=["kind", "why", "url", "scope", "review_by"],
)
def test_malformed_registry_names_file_line_and_field(tmp_path, edit, field, expected):
    data = registry_data()
    edit(data["facts"][2])
    path = tmp_path / "facts.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_facts(path)
    assert err.value.path == str(path) and err.value.field == f"facts[2].{field}"
    assert expected in err.value.problem
    line = path.read_text(encoding="utf-8").splitlines()[err.value.line - 1]
    # A wrong value: the line of its field; a missing one: the line where its fact starts.
    expected_start = f"{field.split('.')[-1]}:" if field != "why" else "- id: altimeter-readiness-sample"
    assert line.strip().startswith(expected_start), line
    assert str(err.value).startswith(f"{path}:{err.value.line}:{err.value.column}: facts[2].{field}: ")


OLD_LAW = {
    "id": "planted-old-law",
    "statement": "Test data: a ruling from long ago that is still in force.",
    "value": "planted ruling",
    "kind": "law",
    "source": {
        "title": "A ruling",
        "publisher": "A regulator",
        "year": TODAY.year - 13,
        "url": "https://example.org/ruling",
        "names": ["A regulator"],
    },
    "review_by": "2027-06-30",
    "scope": "US",
}


def write_registry(path: Path, *facts: dict) -> Path:
    path.write_text(yaml.safe_dump({"facts": list(facts)}, sort_keys=False), encoding="utf-8")
    return path


def test_a_law_does_not_age_with_its_source_but_expires_with_its_review_date(tmp_path):
    """A law stands until it is changed: an old ruling in force is not an old figure, but it is reviewed on time."""

    def problems(**changes) -> list[str]:
        registry = load_facts(write_registry(tmp_path / "facts.yml", {**OLD_LAW, **changes}))
        return [p.field for p in check_dates(registry, TODAY)]

    assert problems() == []
    assert problems(kind="finding") == ["facts[0] (planted-old-law).source.year"]
    assert problems(review_by=(TODAY - dt.timedelta(days=1)).isoformat()) == ["facts[0] (planted-old-law).review_by"]


@pytest.mark.parametrize(
    ("edit", "field", "expected"),
    [
        (lambda f: f.update(scope="global"), "scope", "a law applies in one jurisdiction: give scope US, EU, UK"),
        (lambda f: f.pop("scope"), "scope", "a law applies in one jurisdiction"),
        (lambda f: f.pop("source"), "source", "required for a law"),
    ],
    ids=["global", "no-scope", "no-source"],
)
def test_a_law_names_its_jurisdiction_and_its_source(tmp_path, edit, field, expected):
    law = {**OLD_LAW, "source": dict(OLD_LAW["source"])}
    edit(law)
    path = write_registry(tmp_path / "facts.yml", EU_FACT, law)
    with pytest.raises(DataError) as err:
        load_facts(path)
    assert err.value.field == f"facts[1].{field}" and expected in err.value.problem
    assert (
        path.read_text(encoding="utf-8")
        .splitlines()[err.value.line - 1]
        .strip()
        .startswith((f"{field}:", "- id: planted-old-law"))
    )


def test_org_jurisdictions_are_validated(tmp_path):
    data = yaml.safe_load(Path(DEMO_ORG).read_text(encoding="utf-8"))
    for bad, problem in ((["US", "FR"], "expected one of US, EU, UK"), (["EU", "EU"], "listed twice")):
        data["jurisdictions"] = bad
        path = tmp_path / "org.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        with pytest.raises(DataError) as err:
            load_org(path)
        assert err.value.field == "jurisdictions[1]" and problem in err.value.problem
    assert {slug: load_org(p).jurisdictions for slug, p in EXAMPLE_ORGS.items()} == {
        "demo": ("US", "EU"),
        "saltmarsh": ("US",),
    }


# ---- tailoring: the release reads figures, each organisation its jurisdictions --------------------------------

EU_FACT = {
    "id": "planted-eu-rule",
    "statement": "Test data: a rule that applies in the EU only.",
    "value": "planted EU text",
    "kind": "heuristic",
    "review_by": "2027-06-30",
    "scope": "EU",
}
US_FACT = {**EU_FACT, "id": "planted-us-rule", "value": "planted US text", "scope": "US"}


def org_with(tmp_path: Path, jurisdictions: list[str]) -> Path:
    data = yaml.safe_load(Path(DEMO_ORG).read_text(encoding="utf-8"))
    data.update(
        slug=f"org-{'-'.join(jurisdictions).lower() or 'none'}", tracks=["employees"], jurisdictions=jurisdictions
    )
    path = tmp_path / f"{data['slug']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def planted_course(tmp_path_factory) -> Path:
    """One lesson whose master names a global, an EU and a US fact, with the two facts added to its registry."""
    tmp = tmp_path_factory.mktemp("facts-course")
    path = course(tmp, lambda d: d["facts"].extend([EU_FACT, US_FACT]), lesson_only=True)
    add_markdown(
        tmp / "source" / LESSON / f"{LESSON}.ipynb",
        "Everywhere: {{fact:altimeter-never-trained}} never train.\n\n"
        "- In the EU: {{fact:planted-eu-rule}}.\n"
        "- In the US: {{fact:planted-us-rule}}.\n\n"
        "After the list.",
    )
    return path


def released_text(result) -> str:
    nb = nbformat.read(result.release(LESSON), as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_each_organisation_reads_only_its_jurisdictions_facts(planted_course, tmp_path):
    us_only = tailor(org_with(tmp_path, ["US"]), tmp_path / "us", planted_course, progress=False)
    eu = tailor(org_with(tmp_path, ["EU"]), tmp_path / "eu", planted_course, progress=False)
    us_text, eu_text = released_text(us_only), released_text(eu)
    assert "planted US text" in us_text and "planted EU text" not in us_text and "In the EU" not in us_text
    assert "planted EU text" in eu_text and "planted US text" not in eu_text
    for text in (us_text, eu_text):
        assert "60% never train" in text and "After the list." in text
        assert "{{" not in text and "fact:" not in text
    # The master keeps the references; the course root carries the registry it was built from.
    master = nbformat.read(planted_course.parent / "source" / LESSON / f"{LESSON}.ipynb", as_version=4)
    assert "{{fact:planted-eu-rule}}" in master.cells[-1].source
    assert (tmp_path / "us" / "facts.yml").read_bytes() == (planted_course.parent / "facts.yml").read_bytes()


def test_release_renders_the_registry_value_and_follows_its_changes(planted_course, tmp_path):
    org = org_with(tmp_path, [])
    first = tailor(org, tmp_path / "root", planted_course, progress=False)
    text = released_text(first)
    assert "Everywhere: 60% never train." in text and "planted" not in text
    registry = planted_course.parent / "facts.yml"
    registry.write_text(registry.read_text(encoding="utf-8").replace("value: 60%", "value: 59%"), encoding="utf-8")
    try:
        again = tailor(org, tmp_path / "root", planted_course, progress=False)
        assert again.built == [LESSON] and "Everywhere: 59% never train." in released_text(again)
    finally:
        registry.write_text(registry.read_text(encoding="utf-8").replace("value: 59%", "value: 60%"), "utf-8")


def test_tailoring_refuses_an_unknown_reference(tmp_path):
    path = course(tmp_path, lesson_only=True)
    index = add_markdown(tmp_path / "source" / LESSON / f"{LESSON}.ipynb", "{{fact:no-such-fact}} of firms.")
    with pytest.raises(TailorError, match=rf"{LESSON}.ipynb: cells\[{index}\]: no fact 'no-such-fact'"):
        tailor(org_with(tmp_path, ["US"]), tmp_path / "out", path, progress=False)


def test_render_leaves_text_without_references_untouched():
    registry = load_facts()
    text = "Line one.\n\n- a\n- b\n\n| x | y |\n|---|---|\n"
    assert render_markdown(text, registry, ()) == text
    with pytest.raises(FactReferenceError, match="several values"):
        render_markdown("{{fact:freshfields-spread}}", registry, ())
    assert render_markdown("{{fact:freshfields-spread.day}} within a day", registry, ()) == "69% within a day"


# ---- smtk facts ---------------------------------------------------------------------------------------------------


def test_facts_summary_table_and_csv_are_read_from_the_file(tmp_path):
    def edit(data):
        fact_entry(data, "pwc-crisis")["source"]["year"] = 2003
        data["facts"].append(
            {
                **EU_FACT,
                "kind": "finding",
                "source": {
                    "title": "Test data",
                    "publisher": "Test",
                    "year": 2025,
                    "url": "https://example.org/t",
                    "names": ["Tst"],
                },
            }
        )

    path = course(tmp_path, edit)
    data = yaml.safe_load((tmp_path / "facts.yml").read_text(encoding="utf-8"))
    years = [f["source"]["year"] for f in data["facts"] if "source" in f]
    oldest = min((f for f in data["facts"] if "source" in f), key=lambda f: f["source"]["year"])
    summary = smtk("facts", "--manifest", str(path), "--today", TODAY.isoformat(), "--summary")
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.strip() == (
        f"{len(data['facts'])} fact(s), {len(years)} with a source: median source year "
        f"{statistics.median(years):g}, oldest {oldest['source']['year']} ({oldest['id']}, "
        f"{TODAY.year - oldest['source']['year']} years old); {sum(bool(f.get('history')) for f in data['facts'])} "
        "marked history"
    )
    csv = smtk("facts", "--manifest", str(path), "--today", TODAY.isoformat(), "--csv").stdout.splitlines()
    assert csv[0] == "id,kind,scope,value,source,year,age,history,review_by,url" and len(csv) == 1 + len(data["facts"])
    assert any(row.startswith("pwc-crisis,") and f",2003,{TODAY.year - 2003},True," in row for row in csv)
    table = smtk("facts", "--manifest", str(path), "--today", TODAY.isoformat()).stdout
    assert all(f["id"] in table for f in data["facts"])


# ---- the engines and data files take their figures from the registry ----------------------------------------------


def test_engines_and_data_files_read_their_figures_from_the_registry():
    from simulations.common.decay import HALF_LIFE_HOURS
    from simulations.data.peers import generate
    from simulations.lessons import attention
    from simulations.lessons.goals import load_goals
    from simulations.risk.register import load_register

    registry = load_facts()
    raw = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))  # read here without the loader
    bitly = fact_entry(raw, "bitly-half-life")["values"]
    assert {
        p: float(bitly[k].split()[0]) for p, k in (("X", "x"), ("Facebook", "facebook"), ("YouTube", "youtube"))
    } == (HALF_LIFE_HOURS)
    share = lambda text: float(text.strip().rstrip("%")) / 100  # noqa: E731
    spread = fact_entry(raw, "freshfields-spread")["values"]
    assert {1: share(spread["hour"]), 24: share(spread["day"])} == attention.REACH_INTERNATIONAL
    low, high = fact_entry(raw, "goel-cascades")["value"].split(" to ")
    assert (share(low), share(high)) == attention.NEVER_SPREAD
    assert round(1 - share(fact_entry(raw, "altimeter-never-trained")["value"]), 10) == generate.RECURRING_SHARE
    assert float(fact_entry(raw, "altimeter-training-spend")["value"].split("$")[1].replace(",", "")) == 23_000
    cpi = {year: float(fact_entry(raw, f"bls-cpi-u-{year}")["value"]) for year in (2011, generate.PRICE_YEAR)}
    converted = 23_000 * cpi[generate.PRICE_YEAR] / cpi[2011]
    assert converted == pytest.approx(generate.MEAN_PROGRAM_SPEND, rel=1e-12)
    texts = [s for risk in load_register().risks for s in risk.sources] + [g.evidence for g in load_goals()]
    assert not [t for t in texts if "{{" in t or "fact:" in t]
    freshfields = registry["freshfields-revenue"].text()
    assert any(f"{freshfields} of affected companies lost revenue" in t for t in texts)


def test_a_data_file_naming_an_unknown_fact_fails_naming_file_and_field(tmp_path):
    from simulations.risk.register import DEFAULT_REGISTER, load_register

    path = tmp_path / "register.yaml"
    text = Path(DEFAULT_REGISTER).read_text(encoding="utf-8")
    path.write_text(text.replace("{{fact:goel-cascades}}", "{{fact:goel-cascade}}"), encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_register(path)
    assert err.value.path == str(path) and ".sources[" in err.value.field and "goel-cascade" in err.value.problem


@pytest.mark.parametrize("slug", sorted(EXAMPLE_ORGS))
def test_every_shipped_release_reads_figures_not_references(tailored, slug):
    """Each example organisation's whole release: no reference is left, and the registry's text stands where the
    master named a fact."""
    course = tailored(slug)
    registry = load_facts()
    checked = 0
    for release in sorted((course.root / "release").glob("*/*.ipynb")):
        master = SOURCE / release.parent.name / release.name
        master_cells = [c for c in nbformat.read(master, 4).cells if c.cell_type == "markdown"]
        released = [c for c in nbformat.read(release, 4).cells if c.cell_type == "markdown"]
        assert not [c.source for c in released if "{{" in c.source or "fact:" in c.source], release
        for before, after in zip(master_cells, released, strict=True):
            for fact_id, key in references(before.source):
                fact = registry[fact_id]
                # a fact of another jurisdiction is left out of this organisation's release, with its paragraph
                assert (fact.text(key or next(iter(fact.values))) in after.source) == fact.shown_to(
                    course.org.jurisdictions
                ), (release.name, fact_id)
                checked += 1
    assert checked > 0
    # the lessons on AI tools and on governing AI teach the EU AI Act's duties to an EU organisation only
    for module_id, lesson in (("policy-disclosure", "policy-disclosure"), ("governing-ai", "governing-ai")):
        text = "".join(c.source for c in nbformat.read(course.release(module_id, lesson), 4).cells)
        assert ("AI Act" in text) == ("EU" in course.org.jurisdictions), (slug, lesson)


# ---- a figure is taught as news in at most two modules; later modules refer back to it -------------------------

NEWS_MODULES = 2
# Cells that show a figure without teaching it as news, each with the reason. Keyed by (module, the cell's heading).
NOT_NEWS = {
    ("find-and-validate", "## 3. Check the figure before you repeat it"): (
        "the shelf of sources is the material of a graded exercise in checking claims against cited figures; it "
        "lists each source with its year and what it found, it does not teach the figures"
    ),
}


def modules_showing(source: Path) -> dict[str, set[str]]:
    """For each fact, the modules whose lessons show it, leaving out the cells NOT_NEWS names."""
    shown: dict[str, set[str]] = {}
    for nb in sorted(source.glob("*/*.ipynb")):
        module = nb.parent.name
        for cell in nbformat.read(nb, 4).cells:
            if (module, cell.source.split("\n", 1)[0].strip()) in NOT_NEWS:
                continue
            for fact_id, _ in references(cell.source):
                shown.setdefault(fact_id, set()).add(module)
    return shown


def test_a_figure_is_news_in_at_most_two_modules():
    shown = modules_showing(SOURCE)
    assert {"freshfields-spread", "altimeter-preventable", "altimeter-never-trained"} <= set(shown)
    over = {fact: sorted(modules) for fact, modules in shown.items() if len(modules) > NEWS_MODULES}
    assert not over, f"facts taught as news in more than {NEWS_MODULES} modules (refer back in words instead): {over}"


def test_every_not_news_exception_names_a_cell_that_exists_and_gives_a_reason():
    headings = {
        (nb.parent.name, cell.source.split("\n", 1)[0].strip())
        for nb in SOURCE.glob("*/*.ipynb")
        for cell in nbformat.read(nb, 4).cells
    }
    for key, reason in NOT_NEWS.items():
        assert key in headings and len(reason.split()) >= 8, key


def test_the_news_count_counts_modules_not_mentions(tmp_path):
    def lesson(module: str, name: str, *texts: str) -> None:
        (tmp_path / module).mkdir(exist_ok=True)
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(t) for t in texts])
        nbformat.write(nb, tmp_path / module / f"{name}.ipynb")

    lesson("a", "a", "{{fact:x}} and {{fact:x}}", "{{fact:y.k}}")
    lesson("a", "a2", "again {{fact:x}}")
    lesson("b", "b", "{{fact:x}}")
    lesson("c", "c", "{{fact:x}} once more")
    lesson("find-and-validate", "d", "## 3. Check the figure before you repeat it\n\n{{fact:y.k}}")
    assert modules_showing(tmp_path) == {"x": {"a", "b", "c"}, "y": {"a"}}
