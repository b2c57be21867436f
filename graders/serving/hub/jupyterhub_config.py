"""JupyterHub's configuration for `smtk hub`: every value comes from the settings JSON that `smtk hub` writes.

Run as `jupyterhub -f graders/serving/hub/jupyterhub_config.py` with SMTK_HUB_SETTINGS naming that JSON file.
"""

import json
import os
from pathlib import Path

from graders.serving.hub.settings import apply

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file
apply(c, json.loads(Path(os.environ["SMTK_HUB_SETTINGS"]).read_text(encoding="utf-8")))
