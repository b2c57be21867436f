"""Where the kit's master content lives (the repository checkout the kit is installed from)."""

from simulations.common.datafiles import DEMO_PROFILE, REPO

ROOT = REPO
COURSES = ROOT / "courses"
MANIFEST = COURSES / "course.yml"
SOURCE = COURSES / "source"
DASHBOARDS = COURSES / "dashboards"
ORGS = COURSES / "orgs"
# The JSON Schemas of the files trainers edit (`smtk schema`), named by the files' first line for their editors.
SCHEMAS = COURSES / "schemas"
DEMO_ORG = DEMO_PROFILE
KERNELS = ROOT / "kernels"
BUILD = ROOT / "build"
# Voilà templates; graders.serving.voila_app puts this folder on JUPYTER_PATH.
JUPYTER_DATA = ROOT / "graders" / "serving" / "jupyter"
