"""§ 99 Abs. 6 statistics on generated volume (engine/volume): every generated statistics record is
counted once, in the year it was completed, and passes the checks; the CLI writes the CSV and the
summary of a Jugendamt's year."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine.case_engine import CaseEngine
from engine.clock import BERLIN
from engine.persistence import models as m
from engine.statistics.records import ITEMS
from engine.volume.generate import generate_volume
from tests.conftest import BPMN_ROOT
from web.cli import main

DIRECTORY = BPMN_ROOT / "directory" / "jugendaemter.json"


def _records_per_office_and_year(engine: CaseEngine) -> Counter[tuple[str, int]]:
    """What the generator wrote: the statistics steps per Jugendamt and year of completion."""
    with engine.reading() as uow:
        rows = uow.session.execute(
            select(m.Organisation.key, m.TaskHistory.completed_at)
            .join(m.Case, m.Case.id == m.TaskHistory.case_id)
            .join(m.Organisation, m.Organisation.id == m.Case.jugendamt_id)
            .where(m.TaskHistory.task_key == "statistik_erfassen")
        ).tuples()
        return Counter((key, at.astimezone(BERLIN).year) for key, at in rows)


def test_generated_records_are_all_counted_and_plausible(case_engine: CaseEngine) -> None:
    generate_volume(case_engine, cases=24, seed=5, operator="tests", traeger=25, open_share=0.2)
    expected = _records_per_office_and_year(case_engine)
    assert sum(expected.values()) >= 5  # the scenarios reach the statistics step often
    for (key, year), count in expected.items():
        stats = case_engine.statistics_99(None, key, year, operator="tests")
        assert len(stats.records) == count and stats.problems == () and stats.not_counted == ()
        assert sum(stats.summary["ergebnis"].values()) == count
        assert sum(stats.summary["altersgruppe"].values()) == count


def test_cli_exports_the_csv_and_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files' shape (the records' content is checked above, through the same engine call)."""
    monkeypatch.setenv("SCHUTZPFAD_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("SCHUTZPFAD_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["init"], catch_exceptions=False).exit_code == 0
    out = tmp_path / "kwg.csv"
    args = ["statistik", "export", "--jahr", "2026", "--out", str(out)]

    unknown = runner.invoke(main, [*args, "--jugendamt", "ja-nirgendwo"])
    assert unknown.exit_code == 1 and "ja-nirgendwo" in unknown.stderr and not out.exists()
    key = json.loads(DIRECTORY.read_text(encoding="utf-8"))["jugendaemter"][0]["key"]
    result = runner.invoke(main, [*args, "--jugendamt", key])
    assert result.exit_code == 0, result.stderr
    assert "0 Datensätze" in result.stderr
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert rows == [["jugendamt", "abschluss_monat", "abschluss_jahr", *ITEMS]]
    summary = list(csv.reader((tmp_path / "kwg-uebersicht.csv").read_text(encoding="utf-8").splitlines()))
    assert summary == [["merkmal", "auspraegung", "anzahl"]]
