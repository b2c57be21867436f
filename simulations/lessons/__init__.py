"""Small per-lesson engines (pure, no widgets): attention, cases, disclosure, hub, KPIs, partners, sources and more."""
