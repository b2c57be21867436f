"""`smtk hub`: the kit for a whole company on one machine: JupyterHub signs people in from the roster, each learner
works their own tracks in their own JupyterLab, and the apps are hub services behind the same sign-in."""
