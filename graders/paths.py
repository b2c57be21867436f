"""Where the kit's master content lives (the repository checkout the kit is installed from)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSES = ROOT / "courses"
MANIFEST = COURSES / "course.yml"
SOURCE = COURSES / "source"
DASHBOARDS = COURSES / "dashboards"
ORGS = COURSES / "orgs"
DEMO_ORG = ORGS / "demo.yaml"
KERNELS = ROOT / "kernels"
BUILD = ROOT / "build"
JUPYTER_DATA = ROOT / "graders" / "jupyter"  # Voilà templates; graders.voila_app puts it on JUPYTER_PATH
