"""Grading learners' work: collect, autograde in sandboxes through nbgrader's own steps, integrity checks, Dask."""
