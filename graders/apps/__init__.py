"""Apps a trainer opens in the browser that drive the grading commands (beside the command line, on the same course)."""
