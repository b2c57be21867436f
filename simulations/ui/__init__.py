"""Thin ipywidgets + matplotlib front-ends over the engines; no model logic lives here."""
