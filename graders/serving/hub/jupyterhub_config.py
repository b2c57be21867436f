"""JupyterHub's configuration for `smtk hub`: every value comes from the settings JSON that `smtk hub` writes.

Run as `jupyterhub -f graders/serving/hub/jupyterhub_config.py` with SMTK_HUB_SETTINGS naming that JSON file.
"""

import json
import os
from pathlib import Path

from graders.serving.hub.settings import apply

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file
settings = json.loads(Path(os.environ["SMTK_HUB_SETTINGS"]).read_text(encoding="utf-8"))
apply(c, settings)
if settings.get("extra_config"):  # the organisation's own, last: single sign-on, for example (docs/hub.md)
    load_subconfig(settings["extra_config"])  # noqa: F821 - provided by JupyterHub when it loads this file
