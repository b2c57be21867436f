"""Lesson widgets, the triage inbox and process lab, and the risk widgets: thin over the engines."""
