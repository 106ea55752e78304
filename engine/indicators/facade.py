"""The indicators part of `CaseEngine`: a network's figures for its Netzwerkkoordination (R34).

Only the role `netzwerk_koordination` reads them, and only for a network it holds that role in
(deny by default: no role → NotAllowed, another network → NotFound, as for the Ablaufplan). The
figures are aggregates of index tables with small counts suppressed, read without any data key,
so a reading is not a case read and leaves no audit event.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.actor import Actor
from engine.engine_parts import EngineParts
from engine.errors import NotAllowed, NotFound
from engine.indicators import figures
from engine.indicators.figures import DurationRow, FristRow, Tally
from engine.indicators.quarters import Quarter, parse_quarter, recent
from engine.indicators.suppression import Breakdown
from engine.persistence import models as m
from engine.transactions import Work

#: The role that reads a network's indicators (one network per membership: its organisation's).
COORDINATION_ROLE = "netzwerk_koordination"


@dataclass(frozen=True)
class Indicators:
    network_key: str
    network_name: str
    quarter: Quarter
    #: the quarters to choose from, newest first
    quarters: list[Quarter]
    fristentreue: list[FristRow]
    rueckmeldungen: Breakdown
    durations: list[DurationRow]
    participation: Tally
    by_reporter: Tally
    by_jugendamt: Tally


class IndicatorsFacade(EngineParts):
    def indicators(self, actor: Actor, network_key: str | None = None, quarter: str | None = None) -> Indicators:
        """The figures of one of the actor's coordinated networks (default: the first) for a quarter
        `JJJJ-Qn` (default: the current one)."""
        networks = sorted(actor.networks_with_role(COORDINATION_ROLE))
        if not networks:
            raise NotAllowed("Die Kennzahlen eines Netzwerks sieht seine Netzwerkkoordination.")
        key = network_key or networks[0]
        return self.tx.query(lambda work: _read(work, networks, key, quarter))


def _read(work: Work, networks: list[str], network_key: str, quarter_name: str | None) -> Indicators:
    network = work.session.get(m.Network, network_key)
    if network is None or network_key not in networks:
        raise NotFound("Netzwerk nicht gefunden.")
    quarter = parse_quarter(quarter_name, work.now)
    decided = figures.decided_fristen(work, network_key, quarter)
    by_reporter, by_jugendamt = figures.meldungen(work, network_key, quarter)
    return Indicators(
        network.key,
        network.name,
        quarter,
        recent(work.now),
        figures.fristentreue(decided),
        figures.rueckmeldungen(decided),
        figures.durations(work, network_key, quarter),
        figures.participation(work, network_key, quarter),
        by_reporter,
        by_jugendamt,
    )
