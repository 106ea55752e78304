"""The break-glass part of `CaseEngine` (R35): request an access, list the accesses, review one.

Reading a case under an access goes through the ordinary case reads (`CasesFacade.case_page`,
`case_file`, `case_map`), whose check honours a running access (`queries.readable_case`).
"""

from __future__ import annotations

from engine.actor import Actor
from engine.break_glass import access, review
from engine.engine_parts import EngineParts


class BreakGlassFacade(EngineParts):
    def request_break_glass(self, actor: Actor, data: object, *, max_hours: int = access.MAX_HOURS) -> access.Grant:
        """Read access to one case of the actor's Jugendamt for hours (`case.break_glass`, with the reason)."""
        return self.tx.command(lambda work: access.request_access(work, actor, data, max_hours=max_hours))

    def break_glass_accesses(self, actor: Actor) -> list[review.Entry]:
        """The accesses to review (a Jugendamt's Leitung, Revision / Datenschutz) and the actor's own."""
        return self.tx.query(lambda work: review.entries(work, actor))

    def review_break_glass(self, actor: Actor, access_id: int, data: object) -> None:
        """Mark an ended access reviewed with a comment (`case.break_glass_reviewed`)."""
        self.tx.command(lambda work: review.mark_reviewed(work, actor, access_id, data))
