"""Building a course: the manifest, tailoring for one organisation, review dates, kernels, the nbgrader course root."""
