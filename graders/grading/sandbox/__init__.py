"""The learner's process while it is graded: a warm zygote forks it, walls confine it, the runner executes cells."""
