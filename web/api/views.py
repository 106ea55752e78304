"""`/api/v1` views: parse, call the engine, dump. No business rules here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for

from engine.actor import Actor
from engine.api import CaseEngine, Page
from web.akte_pdf import akte_filename, akte_pdf
from web.api import auskunft_schemas, break_glass_schemas, quality_schemas, schemas
from web.api.json_body import parse_body
from web.api.openapi import openapi_document
from web.errors import BadRequest, Unauthorized
from web.list_params import list_params, page_url
from web.retention_periods import retention_policy

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)


def engine() -> CaseEngine:
    case_engine: CaseEngine = current_app.extensions["schutzpfad.engine"]
    return case_engine


def actor() -> Actor:
    found: Actor = g.actor
    return found


@bp.before_request
def _authenticate() -> None:
    if request.endpoint == "api.openapi":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Bitte mit einem API-Token anmelden (Authorization: Bearer …).")
    found = engine().actor_for_token(token.strip())
    if found is None:
        raise Unauthorized("Das API-Token ist ungültig oder widerrufen.")
    g.actor = found


def json_body() -> dict[str, Any]:
    if not request.is_json:
        raise BadRequest("Der Inhalt ist kein gültiges JSON (Content-Type: application/json).")
    return parse_body(request.get_data(cache=True))


def dump(schema: schemas.Schema, value: Any, status: int = 200) -> Response:
    response = jsonify(schema.dump(value))
    response.status_code = status
    return response


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(tuple(sorted({p["key"] for p in engine().processes()}))))


@bp.get("/processes")
def processes() -> Response:
    return dump(schemas.ProcessInfo(many=True), engine().processes())


@bp.post("/cases")
def open_case() -> Response:
    data = schemas.load_request(schemas.CaseCreateRequest(), json_body())
    opened = engine().open_case(
        actor(),
        process_key=data["process"],
        child=data["child"],
        jugendamt_key=data.get("jugendamt"),
        organisation_key=data.get("organisation"),
    )
    response = dump(schemas.CaseView(), engine().case(actor(), opened.case_id), 201)
    response.headers["Location"] = url_for("api.get_case", case_id=opened.case_id)
    return response


@bp.post("/cases/haushalt")
def open_household() -> Response:
    """Several children of one household (a Jugendamt's own report): one linked case per child, all or
    nothing; `eingang` completes each case's first step with the same values."""
    data = schemas.load_request(schemas.HouseholdCreateRequest(), json_body())
    opened = engine().open_household(
        actor(),
        process_key=data["process"],
        household=data["haushalt"],
        children=data["kinder"],
        first_step=data.get("eingang"),
        jugendamt_key=data.get("jugendamt"),
        organisation_key=data.get("organisation"),
    )
    cases = [engine().case(actor(), progress.case_id) for progress in opened]
    return dump(schemas.HouseholdResult(), {"cases": cases}, 201)


def paged(schema: schemas.Schema, page: Page) -> Response:
    """A page of a list: still a JSON array; the next page is announced in `Link` (RFC 8288)."""
    response = dump(schema, page.rows)
    if page.next_cursor is not None:
        response.headers["Link"] = f'<{page_url("cursor", page.next_cursor)}>; rel="next"'
    return response


@bp.get("/cases")
def list_cases() -> Response:
    """Cases, urgent first, a page at a time: filters `status`, `process`, `overdue`, `urgency`,
    `assigned=me`; `limit` (≤ 200) and `cursor` (from the previous page's Link)."""
    return paged(schemas.CaseSummary(many=True), engine().cases(actor(), list_params(request.args)))


@bp.get("/cases/<int:case_id>")
def get_case(case_id: int) -> Response:
    return dump(schemas.CaseView(), engine().case(actor(), case_id))


@bp.get("/cases/<int:case_id>/file")
def case_file(case_id: int) -> Response:
    """The case file as the caller may see it: values they may not see are listed as `withheld`."""
    return dump(schemas.CaseFileSchema(), engine().case_file(actor(), case_id))


@bp.post("/cases/<int:case_id>/fruehere-faelle/<int:match_id>")
def decide_earlier_case(case_id: int, match_id: int) -> Response:
    """Confirm (`bestaetigt`: the cases are linked) or reject (`verworfen`) an earlier case on the same
    child; returns the case view with its `fruehere_faelle`."""
    body = json_body()
    engine().decide_earlier_case(actor(), case_id, match_id, body.get("decision"))
    return dump(schemas.CaseView(), engine().case(actor(), case_id))


@bp.post("/cases/<int:case_id>/abgabe")
def transfer_case(case_id: int) -> Response:
    """Hand the case to the newly responsible Jugendamt (R37): `jugendamt`, `anlass`,
    `uebergabevermerk`; the sender's case is closed, the receiver finds a new case in its Eingang."""
    done = engine().transfer(actor(), case_id, json_body())
    result = {**vars(done), "status": "abgeschlossen"}
    return dump(schemas.TransferResult(), result)


@bp.post("/cases/<int:case_id>/angaben")
def complete_details(case_id: int) -> Response:
    """Complete the child's data later (vorname, nachname, geburtsdatum, geschlecht, anschrift,
    sorgeberechtigte): the Jugendamt holding the case; audited as `case.details_completed`."""
    engine().complete_details(actor(), case_id, json_body())
    return dump(schemas.CaseView(), engine().case(actor(), case_id))


@bp.get("/cases/<int:case_id>/file.pdf")
def case_file_pdf(case_id: int) -> Response:
    """The Akte as PDF for a purpose (`akteneinsicht` blacked out, `familiengericht`/`intern` full) and
    a reason (≥ 5 characters); the export is audited as `case.exported` before the PDF is made."""
    akte = engine().export_akte(
        actor(), case_id, purpose=request.args.get("purpose"), reason=request.args.get("reason")
    )
    return Response(
        akte_pdf(akte),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{akte_filename(akte)}"', "Cache-Control": "no-store"},
    )


@bp.get("/tasks")
def list_tasks() -> Response:
    """Tasks the caller may complete now, urgent first, a page at a time (the parameters of `/cases`
    without `status`)."""
    return paged(schemas.TaskSummary(many=True), engine().tasks(actor(), list_params(request.args)))


@bp.get("/tasks/<task_id>")
def get_task(task_id: str) -> Response:
    return dump(schemas.TaskView(), engine().task(actor(), task_id))


@bp.post("/tasks/<task_id>/complete")
def complete_task(task_id: str) -> Response:
    values = json_body()
    digest = values.pop("grundlage_sha256", None)
    if digest is not None and not isinstance(digest, str):
        raise BadRequest("grundlage_sha256 ist der Text aus der Aufgabe (GET /tasks/{id}).")
    step = engine().complete_task(actor(), task_id, values, grundlage_sha256=digest)
    return dump(schemas.CaseView(), engine().case(actor(), step.case_id))


@bp.get("/cases/<int:case_id>/audit")
def case_audit(case_id: int) -> Response:
    """Auditors only: the case's events, decrypted; the stated reason is itself audited."""
    events = engine().case_trail(actor(), case_id, request.args.get("reason"))
    return dump(schemas.AuditEvent(many=True), events)


@bp.get("/audit/verify")
def audit_verify() -> Response:
    result = engine().verify_trail(actor())
    return jsonify({"ok": result.ok, "checked": result.checked, "first_bad_seq": result.first_bad_seq})


@bp.get("/statistik/99")
def statistics_99() -> Response:
    """The Jugendamt's Leitung: the year's records, the cases to fix and the summary (audited)."""
    year = request.args.get("jahr", type=int)
    return dump(schemas.Statistics99(), engine().statistics_99(actor(), request.args.get("jugendamt", ""), year))


def _statistics_body() -> tuple[dict[str, Any], str, int | None]:
    body = json_body()
    year = body.get("jahr")
    return (
        body,
        str(body.get("jugendamt") or ""),
        year if isinstance(year, int) and not isinstance(year, bool) else None,
    )


@bp.post("/statistik/99/abschluss")
def lock_statistics_99() -> Response:
    """The Leitung locks a past year (`jugendamt`, `jahr`); 422 lists the records to fix first."""
    _, jugendamt_key, year = _statistics_body()
    return dump(schemas.Statistics99(), engine().lock_statistics_99(actor(), jugendamt_key, year), 201)


@bp.post("/statistik/99/abschluss/aufheben")
def unlock_statistics_99() -> Response:
    """A correction: the Leitung unlocks a locked year (`jugendamt`, `jahr`, `grund`)."""
    body, jugendamt_key, year = _statistics_body()
    engine().unlock_statistics_99(actor(), jugendamt_key, year, str(body.get("grund") or ""))
    return Response(status=204)


@bp.post("/auskunft")
def subject_access() -> Response:
    """A Jugendamt's Leitung: what is stored about one person across its cases, protected parts
    withheld (R38, audited as person.auskunft); the engine asks who before what."""
    answer = engine().subject_access(actor(), json_body(), retention_policy())
    return dump(auskunft_schemas.Auskunft(), answer)


@bp.post("/qualitaet/stichproben")
def draw_quality_sample() -> Response:
    """A Jugendamt's Leitung draws an LKSG § 8 sample of closed cases (seed recorded and audited)."""
    sample_id = engine().draw_quality_sample(actor(), json_body())  # the engine asks who before what
    return dump(quality_schemas.QualityResults(), engine().quality_results(actor(), sample_id), 201)


@bp.get("/qualitaet/ergebnisse")
def quality_period_results() -> Response:
    """The results of a quarter or year (`zeitraum`: JJJJ-Qn or JJJJ) across the samples of a Jugendamt
    or network (`bereich`, `schluessel`); without them the reader's first area and the current quarter."""
    args = request.args
    found = engine().quality_period_results(
        actor(), args.get("bereich") or None, args.get("schluessel") or None, args.get("zeitraum") or None
    )
    return dump(quality_schemas.QualityPeriodResults(), found)


@bp.get("/qualitaet/stichproben/<int:sample_id>")
def quality_results(sample_id: int) -> Response:
    """The sample and the counts of each answer per criterion (its owner's Leitung and its reviewer)."""
    return dump(quality_schemas.QualityResults(), engine().quality_results(actor(), sample_id))


@bp.get("/qualitaet/stichproben/<int:sample_id>/faelle/<int:position>")
def quality_case(sample_id: int, position: int) -> Response:
    """A sampled case, pseudonymised, for the sample's reviewer (audited as case.read)."""
    return dump(quality_schemas.QualityCase(), engine().quality_case(actor(), sample_id, position))


@bp.post("/qualitaet/stichproben/<int:sample_id>/faelle/<int:position>/bewertung")
def review_quality_case(sample_id: int, position: int) -> Response:
    """The reviewer's coded answers (`fristen`, `beteiligung`, `dokumentation`, `mehraugen`,
    `ergebnis`) and optional comments (`<criterion>_kommentar`); returns the case with the review."""
    engine().save_quality_review(actor(), sample_id, position, json_body())
    return dump(quality_schemas.QualityCase(), engine().quality_case(actor(), sample_id, position))


@bp.post("/cases/<int:case_id>/qualitaet-freigabe")
def release_for_quality_review(case_id: int) -> Response:
    """The owning organisation's Leitung releases a closed case's free texts for the quality review."""
    engine().release_for_review(actor(), case_id)
    return Response(status=204)


@bp.post("/cases/<int:case_id>/qualitaet-freigabe/zuruecknehmen")
def withdraw_quality_release(case_id: int) -> Response:
    """The same Leitung withdraws the release; the reviewer's next reading is without free texts."""
    engine().withdraw_review_release(actor(), case_id)
    return Response(status=204)


@bp.post("/notfallzugriffe")
def request_break_glass() -> Response:
    """The Jugendamt's Bereitschaftsdienst: read one case of its Jugendamt for hours (R35), with a reason
    (`aktenzeichen`, `grund`, `stunden`); audited as `case.break_glass`, reviewed afterwards."""
    max_hours = current_app.extensions["schutzpfad.settings"].break_glass_max_hours
    grant = engine().request_break_glass(actor(), json_body(), max_hours=max_hours)
    return dump(break_glass_schemas.BreakGlassGrantSchema(), grant, 201)


@bp.get("/notfallzugriffe")
def break_glass_accesses() -> Response:
    """The accesses the caller reviews (a Jugendamt's Leitung, Revision / Datenschutz) and its own."""
    return dump(break_glass_schemas.BreakGlassEntrySchema(many=True), engine().break_glass_accesses(actor()))


@bp.post("/notfallzugriffe/<int:access_id>/pruefung")
def review_break_glass(access_id: int) -> Response:
    """Mark an ended access reviewed with a `kommentar` (audited as `case.break_glass_reviewed`)."""
    engine().review_break_glass(actor(), access_id, json_body())
    return Response(status=204)
