"""Who opened an app's page and with what address: the hub's signed-in user and the query string, as smtk's Voilà
puts them in the page's kernel environment. A preheated kernel (one Voilà starts and runs ahead of any visitor)
learns them only when a visitor arrives: `wait_for_visitor` holds the notebook there, so a page does its slow,
visitor-free work (reading a large log) before anyone comes, and the rest once someone has."""

from __future__ import annotations

import os
import urllib.parse

USER_VARIABLE = "HTTP_X_SMTK_USER"  # the hub's signed-in user, passed by smtk's Voilà from its sign-in, never the page


def wait_for_visitor() -> None:
    """In a preheated kernel, wait for the visitor's request and take its user and address into the environment;
    at once anywhere else (a kernel started for its visitor already has them, and a plain script has none)."""
    from voila.utils import wait_for_request

    wait_for_request()


def preheated() -> bool:
    """Whether this kernel was started ahead of any visitor (Voilà's preheated pool): slow work done now costs the
    visitor nothing."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def signed_in_user() -> str | None:
    """The hub's signed-in user of this page (None under a plain `smtk dashboards`, where nobody signs in)."""
    return os.environ.get(USER_VARIABLE) or None


def query_value(name: str) -> str:
    """A value of the page's address (`?code=ABC123`), stripped; '' when absent."""
    return urllib.parse.parse_qs(os.environ.get("QUERY_STRING", "")).get(name, [""])[0].strip()
