"""Schutzpfad's benchmarks: `make bench` = `python -m bench [--quick] [--only NAME]`.

Speed is measured here, never asserted in tests (machines are noisy; targets compare ratios measured
in one run). Every benchmark is a function `run(*, quick: bool) -> bench.report.Result` registered by
name in `BENCHMARKS` of `bench/__main__.py`; its result is printed and replaces its own `## …` section
of docs/performance.md (see `bench.report.replace_section`). To add one: write `bench/<name>.py`
with such a `run` and add one line to `BENCHMARKS`.
"""
