"""What each generated case is: which template (mostly a scenario's end, a tenth open at one of its
steps, each scenario as often as its weight), which Jugendamt, Kita or school and which of their
people, which child (now and then one with an earlier report at the same place), and when — closed
cases spread over the last years, open ones last touched days or weeks ago.

Times move by whole weeks (plus a few minutes), so every clone keeps its template's weekdays and
its Fristen in Werktage stay right; a clone's last action is never in the future. Everything comes
from one seeded generator: the same seed on the same database gives the same cases.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Any

from engine.cases.references import random_pseudonym
from engine.clock import BERLIN
from engine.errors import Conflict
from engine.volume import people
from engine.volume.capture import Template
from engine.volume.scenarios import SCENARIOS
from engine.volume.world import Area
from engine.volume.writer import Clone

#: the share of open cases (a tenth: thousands open at a large Jugendamt among ten years of closed ones)
OPEN_SHARE = 0.1
#: a child reported again at the same Jugendamt (an earlier report the engine links)
REPEAT_SHARE = 0.08
YEARS = 5
MEAN_OPEN_DAYS = 10
MAX_OPEN_DAYS = 120
_CHILDREN_KEPT = 1000  # per area, for repeats
_WEEK = timedelta(days=7)


@dataclass
class _Pool:
    templates: list[Template]
    cumulative: list[float]

    @classmethod
    def of(cls, templates: list[Template], weight: dict[str, float]) -> _Pool:
        return cls(templates, list(accumulate(weight[t.scenario] for t in templates)))

    def pick(self, rng: random.Random) -> Template:
        return rng.choices(self.templates, cum_weights=self.cumulative)[0]


class Planner:
    def __init__(
        self, templates: list[Template], areas: list[Area], rng: random.Random, now: datetime, open_share: float
    ) -> None:
        self.rng, self.now, self.open_share = rng, now, open_share
        self.areas = [a for a in areas if a.offices.get("traeger") and a.offices.get("einrichtung_kkg")]
        if not self.areas:
            raise Conflict("Kein Jugendamt hat erzeugte Kitas und Schulen: bitte mehr Träger erzeugen lassen.")
        weight = {s.key: s.weight for s in SCENARIOS}
        closed = [t for t in templates if t.closed]
        opened = [t for t in templates if not t.closed]
        steps = {s: sum(1 for t in opened if t.scenario == s) for s in weight}
        open_weight = {s: w / max(steps[s], 1) for s, w in weight.items()}
        self._pools = {
            (False, False): _Pool.of(closed, weight),
            (True, False): _Pool.of(opened, open_weight),
            (False, True): _Pool.of([t for t in closed if len(t.cases) == 1], weight),
            (True, True): _Pool.of([t for t in opened if len(t.cases) == 1], open_weight),
        }
        self._children: list[list[tuple[int, dict[str, Any]]]] = [[] for _ in self.areas]
        self._child_ids = 0
        #: children no longer kept for repeats: their cases need not be remembered (memory stays flat)
        self.forgotten: list[int] = []

    def plan(self, count: int) -> list[Clone]:
        """Clones with `count` cases in all (a Meldung's clone has two)."""
        clones: list[Clone] = []
        made = 0
        while made < count:
            is_open = self.rng.random() < self.open_share
            template = self._pools[(is_open, count - made == 1)].pick(self.rng)
            clones.append(self._clone(template))
            made += len(template.cases)
        return clones

    def _clone(self, template: Template) -> Clone:
        rng = self.rng
        number = rng.randrange(len(self.areas))
        area = self.areas[number]
        kita, schule = rng.choice(area.offices["traeger"]), rng.choice(area.offices["einrichtung_kkg"])
        ja = area.jugendamt
        first, second = rng.sample(ja.people["ja_fachkraft"], 2)
        users = {
            "traeger.fk": rng.choice(kita.people["fachkraft"]),
            "traeger.leitung": rng.choice(kita.people["leitung"]),
            "kkg.bgt": rng.choice(schule.people["berufsgeheimnistraeger"]),
            "insofa": rng.choice(area.beratung.people["insofa"]),
            "ja.fk": first,
            "ja.fk2": second,
            "ja.leitung": rng.choice(ja.people["ja_leitung"]),
        }
        days, minutes = self._shift(template)
        opened = (template.start + timedelta(days=days, minutes=minutes)).astimezone(BERLIN).date()
        child_id, child = self._child(number, opened)
        return Clone(
            template=template,
            orgs={"traeger": kita, "kkg": schule, "beratung": area.beratung, "jugendamt": ja},
            users=users,
            network=(ja.network, area.network_name),
            child=child,
            child_id=child_id,
            days=days,
            minutes=minutes,
            pseudonyms=[random_pseudonym(rng) for _ in template.cases],
        )

    def _shift(self, template: Template) -> tuple[int, int]:
        """Whole weeks and some minutes: closed cases opened within the last years, open ones last
        touched an exponentially distributed while ago."""
        rng, now = self.rng, self.now
        if template.closed:
            latest = now - (template.at - template.start) - timedelta(days=1)
            earliest = now - timedelta(days=365 * YEARS)
            raw = earliest + (latest - earliest) * rng.random() - template.start
        else:
            age = timedelta(days=min(rng.expovariate(1 / MEAN_OPEN_DAYS), MAX_OPEN_DAYS), hours=1)
            raw = now - age - template.at
        days = 7 * math.floor(raw / _WEEK)
        minutes = rng.randint(-90, 90)
        while template.at + timedelta(days=days, minutes=minutes) > now:
            days -= 7
        return days, minutes

    def _child(self, area: int, opened: date) -> tuple[int, dict[str, Any]]:
        """A new child of the area, or now and then one reported there before (if still under 18)."""
        rng, kept = self.rng, self._children[area]
        if kept and rng.random() < REPEAT_SHARE:
            child_id, child = rng.choice(kept)
            born = date.fromisoformat(child["geburtsdatum"])
            if born < opened and (opened - born).days < 17 * 365:
                return child_id, child
        self._child_ids += 1
        child = people.child(rng, rng.choice(self.areas[area].municipalities), opened)
        if len(kept) < _CHILDREN_KEPT:
            kept.append((self._child_ids, child))
        else:
            place = rng.randrange(_CHILDREN_KEPT)
            self.forgotten.append(kept[place][0])
            kept[place] = (self._child_ids, child)
        return self._child_ids, child
