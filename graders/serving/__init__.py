"""Serving the kit: local servers, the demo, Voilà dashboards with preheated pools, and their light front end."""
