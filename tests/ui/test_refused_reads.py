"""Every read route, API and UI, probed with another organisation's ids (issue 13, finding 5): each
answers 403/404 and leaves one `access.denied` entry on the probed case.

The routes come from the app's url_map, so a new read route with a case or task id is probed without
anybody remembering to add it; a route with a parameter this test cannot fill fails it.
"""

from __future__ import annotations

from engine.auditing.events import EventType
from tests.integration.test_audit_trail import BEOBACHTUNG

#: Reads that are POSTed (the auditor's decrypted trail and its download: the reason is a form field).
POST_READS = {"audit.case_trail_read", "audit.case_trail_export"}
#: Routes that take a parameter but read nothing of a case: files, a process's versions compared,
#: the empty form of a new case, an invitation link (its token names a person, never a case), an
#: organisation's directory contacts (the administrator's page; public numbers, no case), the migration
#: of a process's running cases (the administrator's page, keyed by the process; it shows references and
#: refusal reasons only, never case content).
#: A quality sample's pages and its cases by position take a sample's id, no case's: their refusals
#: (the 404 of a missing sample, `access.denied` on the sampled case) are tested with a sample in
#: tests/ui/test_quality_pages.py and tests/integration/test_quality_review.py.
NOT_READS = {
    "static",
    "admin.compare",
    "new_case.form",
    "invitation.accept",
    "admin.organisation_contact",
    "admin.migration",
    "quality.sample",
    "quality.case",
    "api.quality_results",
    "api.quality_case",
}


def _denials(world, reference: str) -> int:
    with world.engine.reading() as uow:
        events = world.engine.vault.read(uow.session.connection(), case_ref=reference, types=[EventType.ACCESS_DENIED])
        return len(list(events))


def _read_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.arguments or rule.endpoint in NOT_READS:
            continue
        if "GET" in rule.methods:
            yield rule, "GET"
        elif rule.endpoint in POST_READS:
            yield rule, "POST"


def test_every_refused_read_of_a_foreign_case_is_audited(ui, world, child):
    engine = world.engine
    opened = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    engine.complete_task(world["kita_fk"], opened.open_tasks[0].id, BEOBACHTUNG)
    task_id = engine.case(world["kita_fk"], opened.case_id)["open_tasks"][0]["id"]
    ids = {"case_id": opened.case_id, "task_id": task_id, "ref": opened.reference}
    probed = []
    for rule, method in _read_routes(ui.app):
        unknown = set(rule.arguments) - ids.keys()
        assert not unknown, f"{rule.rule}: no foreign value for {unknown} — add one to this test"
        path = rule.build({name: ids[name] for name in rule.arguments}, append_unknown=False)[1]
        # the auditor's routes are probed by another organisation's auditor, the others by its case worker
        prober = "dueren_revision" if "audit" in rule.endpoint else "dueren_fk"
        before = _denials(world, opened.reference)
        if rule.rule.startswith("/api/"):
            headers = {"Authorization": f"Bearer {world.token(prober)}"}
            response = ui.client.open(path, method=method, headers=headers, query_string={"reason": "Prüfung 2026"})
        else:
            ui.login(prober)
            if method == "POST":
                response = ui.post_form(path, {"grund": "Prüfung 2026"}, token_from="/barrierefreiheit")
            else:
                response = ui.get(path)
        assert response.status_code in (403, 404), (rule.rule, response.status_code)
        assert _denials(world, opened.reference) == before + 1, f"{method} {rule.rule}: not one access.denied"
        probed.append(rule.endpoint)
    assert {"api.get_task", "api.case_audit", "cases.show", "cases.step", "audit.case_trail"} <= set(probed)
