"""Where the kit's shipped data and the repository's content live, so no module counts parent folders itself."""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
DATA = PACKAGE / "data"
REPO = PACKAGE.parent
DEMO_PROFILE = REPO / "courses" / "orgs" / "demo.yaml"
