"""The executive apps (ROI, benchmarking) and the pieces every app shares."""
