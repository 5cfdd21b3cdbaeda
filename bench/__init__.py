"""Benchmarks: each case timed against baselines in the same run (``make bench``)."""
