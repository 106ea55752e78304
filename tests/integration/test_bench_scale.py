"""The scale benchmark's path at tiny scale, so that `python -m bench --only scale` does not rot
between its long runs: generation, the spawned server's timed calls (inbox, list, search, case page,
opening a case and a step) and the report. Timings are not asserted (noisy machine)."""

from __future__ import annotations

from bench import scale


def test_scale_benchmark_runs_at_tiny_scale_and_reports_every_figure():
    result = scale.run(levels=(60, 120), databases=("SQLite",), runs=2)

    [(small, timings, rss), (large, _, _)] = result.figures["SQLite"]
    assert (small, large) == (60, 120)
    assert set(timings) == {
        "Jugendamt: inbox (first page)",
        "Jugendamt: case list (first page)",
        "Jugendamt: search by name",
        "Jugendamt: case page",
        "Kita: open a case",
        "Kita: complete a step",
    }
    assert rss > 0
    assert "### SQLite" in result.body and "server RSS" in result.body
