"""Drawing helpers: charts, PNG figures, briefs, the live reach chart, triage cards."""
