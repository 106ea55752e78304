"""`generate_volume`: N synthetic cases into a database without real ones — the entry point of
`schutzpfad demo generate`.

Order of work: refuse (real cases, nonsense N) before anything is written; make the templates from
the target's newest process versions; create the generated organisations and people once; then
plan and write the cases in committed batches (memory stays flat, progress is reported after each);
finally record `volume.generated` and sign the chain's head, so `schutzpfad audit verify` covers
every generated event.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy import select

from engine.auditing.events import EventType
from engine.auditing.recording import record
from engine.case_engine import CaseEngine
from engine.cases.child_index import current_version
from engine.errors import ValidationFailed
from engine.persistence import models as m
from engine.processes.bundles import Bundle, bundle_from_files
from engine.transactions import Work
from engine.volume.planner import OPEN_SHARE, Planner
from engine.volume.templates import make_templates
from engine.volume.world import ensure_world, refuse_real_cases
from engine.volume.writer import Batch, write

MAX_CASES = 2_000_000
#: cases per committed unit of work: larger batches rewrite fewer index pages (measured: 2,000 is
#: 10 % faster than 1,000 on SQLite), and a batch's memory stays around 100 MB
BATCH = 2000
#: "a few hundred Träger": Kitas and schools spread over the directory's Jugendämter
TRAEGER = 300


@dataclass(frozen=True)
class VolumeReport:
    cases: int
    open_cases: int
    seed: int
    templates: int
    #: templates, organisations and people (the same whatever N)
    setup_seconds: float
    #: everything, set-up included
    seconds: float

    @property
    def rate(self) -> float:
        """Cases per second over the whole run."""
        return self.cases / self.seconds if self.seconds > 0 else 0.0


def check_count(cases: object) -> int:
    if not isinstance(cases, int) or isinstance(cases, bool) or cases < 1:
        raise ValidationFailed({"cases": ["Bitte eine Anzahl von mindestens einem Fall angeben."]})
    if cases > MAX_CASES:
        raise ValidationFailed(
            {"cases": [f"Höchstens {MAX_CASES:_} Fälle je Lauf (für mehr: mehrmals aufrufen).".replace("_", ".")]}
        )
    return cases


def generate_volume(
    engine: CaseEngine,
    *,
    cases: int,
    seed: int | None = None,
    operator: str,
    progress: Callable[[int, int], None] | None = None,
    batch: int = BATCH,
    traeger: int = TRAEGER,
    open_share: float = OPEN_SHARE,
) -> VolumeReport:
    """Write `cases` generated cases (see `engine/volume/__init__.py`); refuses a database holding a
    real case (Conflict) and a count below 1 or above MAX_CASES (ValidationFailed)."""
    count = check_count(cases)
    started = time.perf_counter()
    engine.tx.query(refuse_real_cases)
    seed = secrets.randbits(32) if seed is None else seed
    bundles, definitions = engine.tx.query(_deployed)
    templates = make_templates(bundles)
    # seeded on purpose: invented data, the same seed gives the same cases (never for secrets)
    world_rng = random.Random(f"{seed}/world")  # noqa: S311
    areas = engine.tx.command(lambda work: ensure_world(work, world_rng, traeger, operator))
    rng = random.Random(seed)  # noqa: S311
    planner = Planner(templates, areas, rng, engine.clock.now(), open_share)
    shared = Batch(definitions, engine.tx.command(current_version), rng)
    setup = time.perf_counter() - started
    done = open_cases = 0
    while done < count:
        clones = planner.plan(min(batch, count - done))
        done += engine.tx.command(partial(write, clones=clones, batch=shared))
        for child_id in planner.forgotten:
            shared.earlier.pop(child_id, None)
        planner.forgotten.clear()
        open_cases += sum(row["cases"][0]["status"] != "abgeschlossen" for c in clones for row in c.template.cases)
        if progress is not None:
            progress(done, count)
    payload = {"cases": done, "open": open_cases, "seed": seed}
    engine.tx.command(
        lambda work: record(work, EventType.VOLUME_GENERATED, actor=None, actor_name=operator, payload=payload)
    )
    engine.checkpoint_if_unsigned()
    return VolumeReport(done, open_cases, seed, len(templates), setup, time.perf_counter() - started)


def _deployed(work: Work) -> tuple[dict[str, Bundle], dict[tuple[str, int], int]]:
    """The newest version of each deployed process as a bundle, and its definition id."""
    session = work.session
    newest: dict[str, m.ProcessDefinition] = {}
    for definition in session.execute(select(m.ProcessDefinition)).scalars():
        if definition.key not in newest or definition.version > newest[definition.key].version:
            newest[definition.key] = definition
    bundles = {}
    for key, definition in newest.items():
        files = select(m.ProcessFile).where(m.ProcessFile.definition_id == definition.id)
        bundles[key] = bundle_from_files({f.path: f.content for f in session.execute(files).scalars()})
    return bundles, {(d.key, d.version): d.id for d in newest.values()}
