"""Benchmarks run by `make bench`; each module prints its figures next to a baseline as a ratio."""
