"""The OpenAPI 3 document of `/api/v1`, generated from the marshmallow schemas the views use.

Every operation carries an `operationId` (the view's name in camelCase, stable for generated
clients) and a `summary` (`OPERATIONS`); every schema its `required` list (`schemas.always_present`);
every filter of the lists an `enum` — the process filter the keys deployed when the document is asked
for. tests/integration/test_openapi.py checks all three for every operation and every API route.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from engine.api import DEFAULT_LIMIT, MAX_LIMIT, PURPOSES, STATUSES, URGENCIES
from web.api import auskunft_schemas, break_glass_schemas, quality_schemas, schemas


def _ok(schema: str, status: str = "200", many: bool = False) -> dict[str, Any]:
    ref: dict[str, Any] = {"$ref": f"#/components/schemas/{schema}"}
    body = {"type": "array", "items": ref} if many else ref
    return {status: {"description": "OK", "content": {"application/json": {"schema": body}}}}


def _problems(*codes: int) -> dict[str, Any]:
    return {
        str(code): {
            "description": "problem",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


#: (path, method) → (operationId, summary)
OPERATIONS = {
    ("/api/v1/processes", "get"): ("listProcesses", "The deployed processes (every version)"),
    ("/api/v1/cases", "get"): ("listCases", "The cases the caller may see, urgent first, a page at a time"),
    ("/api/v1/cases", "post"): ("openCase", "Open a case of a process for a child"),
    ("/api/v1/cases/haushalt", "post"): (
        "openHousehold",
        "Open one linked case per child of one household, all or nothing (a Jugendamt's own report)",
    ),
    ("/api/v1/cases/{case_id}", "get"): ("getCase", "One case with its open steps and history (audited)"),
    ("/api/v1/cases/{case_id}/file", "get"): ("getCaseFile", "The case file as the caller may see it (audited)"),
    ("/api/v1/cases/{case_id}/file.pdf", "get"): ("exportAkte", "The Akte as PDF for a purpose (audited)"),
    ("/api/v1/cases/{case_id}/fruehere-faelle/{match_id}", "post"): (
        "decideEarlierCase",
        "Confirm or reject an earlier case on the same child",
    ),
    ("/api/v1/cases/{case_id}/abgabe", "post"): (
        "transferCase",
        "Hand a running case to the newly responsible Jugendamt (§ 8a Abs. 6 SGB VIII)",
    ),
    ("/api/v1/cases/{case_id}/angaben", "post"): (
        "completeChildDetails",
        "Complete the child's data later (the Jugendamt holding the case; audited)",
    ),
    ("/api/v1/tasks", "get"): ("listTasks", "The tasks the caller may complete now, a page at a time"),
    ("/api/v1/tasks/{task_id}", "get"): ("getTask", "One task with its form and prefilled values (audited)"),
    ("/api/v1/tasks/{task_id}/complete", "post"): ("completeTask", "Complete a task with the form's values"),
    ("/api/v1/cases/{case_id}/audit", "get"): ("getCaseAudit", "Auditors: a case's decrypted events, with a reason"),
    ("/api/v1/audit/verify", "get"): ("verifyAudit", "Auditors: verify the audit chain and its checkpoints"),
    ("/api/v1/qualitaet/stichproben", "post"): (
        "drawQualitySample",
        "A Jugendamt's Leitung: draw an LKSG § 8 sample of closed cases (seed recorded, audited)",
    ),
    ("/api/v1/qualitaet/ergebnisse", "get"): (
        "getQualityPeriodResults",
        "A quarter's or year's results across the samples of a Jugendamt (its Leitung) or a network (its"
        " Leitungen and reviewers); small counts of samples the reader does not read exactly suppressed",
    ),
    ("/api/v1/qualitaet/stichproben/{sample_id}", "get"): (
        "getQualityResults",
        "A sample and its counts per answer and criterion (the owner's Leitung, the reviewer)",
    ),
    ("/api/v1/qualitaet/stichproben/{sample_id}/faelle/{position}", "get"): (
        "getQualityCase",
        "The reviewer: a sampled case, pseudonymised (audited)",
    ),
    ("/api/v1/qualitaet/stichproben/{sample_id}/faelle/{position}/bewertung", "post"): (
        "reviewQualityCase",
        "The reviewer: the coded answers and comments of a sampled case (audited)",
    ),
    ("/api/v1/cases/{case_id}/qualitaet-freigabe", "post"): (
        "releaseForQualityReview",
        "The owning organisation's Leitung: release a closed case's free texts for the quality review",
    ),
    ("/api/v1/cases/{case_id}/qualitaet-freigabe/zuruecknehmen", "post"): (
        "withdrawQualityRelease",
        "The same Leitung: withdraw the release of a case's free texts (the reviewer no longer reads them)",
    ),
    ("/api/v1/notfallzugriffe", "post"): (
        "requestBreakGlass",
        "The Jugendamt's Bereitschaftsdienst: read one case of its Jugendamt for hours, with a reason (audited)",
    ),
    ("/api/v1/notfallzugriffe", "get"): (
        "listBreakGlass",
        "The break-glass accesses to review (the Jugendamt's Leitung, Revision / Datenschutz) and one's own",
    ),
    ("/api/v1/notfallzugriffe/{access_id}/pruefung", "post"): (
        "reviewBreakGlass",
        "Mark an ended break-glass access reviewed with a comment (not one's own; audited)",
    ),
    ("/api/v1/auskunft", "post"): (
        "subjectAccess",
        "A Jugendamt's Leitung: what is stored about a person across its cases, protected parts withheld (audited)",
    ),
    ("/api/v1/statistik/99", "get"): (
        "getStatistics99",
        "The Jugendamt's Leitung: a year's § 99 Abs. 6 SGB VIII records, checked (audited); a locked year as locked",
    ),
    ("/api/v1/statistik/99/abschluss", "post"): (
        "lockStatistics99",
        "The Jugendamt's Leitung locks a past year (refused while a record needs fixing; audited)",
    ),
    ("/api/v1/statistik/99/abschluss/aufheben", "post"): (
        "unlockStatistics99",
        "The Jugendamt's Leitung unlocks a locked year for a correction, with a reason (audited)",
    ),
}


def _list_parameters(*, status: bool, processes: tuple[str, ...]) -> list[dict[str, Any]]:
    """The query parameters of a list (engine/cases/list_query.py); unknown ones or values → 422."""
    parameters: list[dict[str, Any]] = []
    if status:  # the case list
        parameters.append(_query("status", "the case's status", {"type": "string", "enum": list(STATUSES)}))
        parameters.append(
            _query(
                "q",
                "search for a child among the own organisations' cases: names (any order, case and umlaut "
                "insensitive), a birth date (17.05.2020 or 2020-05-17) or an Aktenzeichen; case workers "
                "only (403 otherwise); audited as case.search without the terms",
                {"type": "string", "maxLength": 200},
            )
        )
    return [
        *parameters,
        _query("process", "the key of a deployed process (GET /processes)", _one_of(processes)),
        _query(
            "overdue",
            "true: the (earliest open step's) due time has passed; false: not",
            {"type": "string", "enum": ["true", "false"]},
        ),
        _query("urgency", "as the rows' urgency; a closed case has none", {"type": "string", "enum": list(URGENCIES)}),
        _query(
            "assigned",
            "me: cases the caller is responsible for or has a step offered to them by name; tasks of "
            "such cases or offered to them by name",
            {"type": "string", "enum": ["me"]},
        ),
        _query(
            "limit",
            "rows per page",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        ),
        _query("cursor", "opaque: where the previous page ended, from its Link header", {"type": "string"}),
    ]


def _one_of(values: tuple[str, ...]) -> dict[str, Any]:
    """A string from `values` (an empty enum is no valid schema: then any string)."""
    return {"type": "string", "enum": list(values)} if values else {"type": "string"}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _page_of(schema: str) -> dict[str, Any]:
    """A list's answer: a JSON array, and the next page (if any) in a Link header (RFC 8288)."""
    ok = _ok(schema, many=True)
    ok["200"]["headers"] = {
        "Link": {
            "description": 'the next page, if there is one: <URL relative to the request>; rel="next"',
            "schema": {"type": "string"},
        }
    }
    return ok


@cache
def openapi_document(processes: tuple[str, ...]) -> dict[str, Any]:
    """The document; `processes`: the keys of the deployed processes (the process filter's enum),
    one cached document per set of keys."""
    spec = APISpec(title="Schutzpfad API", version="1.0.0", openapi_version="3.1.0", plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name in (
        "Problem",
        "ProcessInfo",
        "TaskSummary",
        "CaseSummary",
        "CaseView",
        "TaskView",
        "CaseFileSchema",
        "CaseCreateRequest",
        "HouseholdCreateRequest",
        "HouseholdResult",
        "MatchDecision",
        "TransferRequest",
        "TransferResult",
        "AuditEvent",
        "Statistics99",
        "StatisticsLockRequest",
        "StatisticsUnlockRequest",
        "VerifyResult",
    ):
        spec.components.schema(name, schema=getattr(schemas, name))
    body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseCreateRequest"}}},
    }
    free = {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}
    pid = [{"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}]
    cid = [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    spec.path(
        "/api/v1/processes", operations={"get": {"responses": {**_ok("ProcessInfo", many=True), **_problems(401)}}}
    )
    spec.path(
        "/api/v1/cases",
        operations={
            "get": {
                "parameters": _list_parameters(status=True, processes=processes),
                "responses": {**_page_of("CaseSummary"), **_problems(401, 422)},
            },
            "post": {"requestBody": body, "responses": {**_ok("CaseView", "201"), **_problems(400, 401, 403, 422)}},
        },
    )
    household = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HouseholdCreateRequest"}}},
    }
    spec.path(
        "/api/v1/cases/haushalt",
        operations={
            "post": {
                "requestBody": household,
                "responses": {**_ok("HouseholdResult", "201"), **_problems(400, 401, 403, 422)},
            }
        },
    )
    spec.path(
        "/api/v1/cases/{case_id}",
        operations={"get": {"parameters": cid, "responses": {**_ok("CaseView"), **_problems(401, 404)}}},
    )
    spec.path(
        "/api/v1/cases/{case_id}/file",
        operations={"get": {"parameters": cid, "responses": {**_ok("CaseFileSchema"), **_problems(401, 404)}}},
    )
    export = [
        *cid,
        {
            "name": "purpose",
            "in": "query",
            "required": True,
            "description": "akteneinsicht (the reporter and third parties blacked out), familiengericht or intern",
            "schema": {"type": "string", "enum": list(PURPOSES)},
        },
        {
            "name": "reason",
            "in": "query",
            "required": True,
            "description": "why the Akte is made (recorded in the audit trail as case.exported)",
            "schema": {"type": "string", "minLength": 5, "maxLength": 500},
        },
    ]
    pdf = {"200": {"description": "the Akte (tagged PDF/UA-1)", "content": {"application/pdf": {}}}}
    spec.path(
        "/api/v1/cases/{case_id}/file.pdf",
        operations={"get": {"parameters": export, "responses": {**pdf, **_problems(401, 403, 404, 422)}}},
    )
    match = [*cid, {"name": "match_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    decision = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/MatchDecision"}}}}
    spec.path(
        "/api/v1/cases/{case_id}/fruehere-faelle/{match_id}",
        operations={
            "post": {
                "parameters": match,
                "requestBody": decision,
                "responses": {**_ok("CaseView"), **_problems(400, 401, 403, 404, 409, 422)},
            }
        },
    )
    handover = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TransferRequest"}}},
    }
    spec.path(
        "/api/v1/cases/{case_id}/abgabe",
        operations={
            "post": {
                "parameters": cid,
                "requestBody": handover,
                "responses": {**_ok("TransferResult"), **_problems(400, 401, 403, 404, 409, 422)},
            }
        },
    )
    text, day = {"type": "string"}, {"type": "string", "format": "date"}
    details = {
        "required": True,
        "description": "what became known later (any of them; the Wohnort is not: a move is an abgabe); the "
        "engine checks the merged data like an opening: what is given is no longer unbekannt, a birth date "
        "replaces alter_geschaetzt",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "vorname": text,
                        "nachname": text,
                        "geburtsdatum": day,
                        "geschlecht": {"type": "string", "enum": ["weiblich", "maennlich", "divers", "ohne_angabe"]},
                        "anschrift": {"type": "object", "description": "strasse?, plz?, ort?"},
                        "sorgeberechtigte": {"type": "array", "items": {"type": "object"}},
                    },
                }
            }
        },
    }
    spec.path(
        "/api/v1/cases/{case_id}/angaben",
        operations={
            "post": {
                "parameters": cid,
                "requestBody": details,
                "responses": {**_ok("CaseView"), **_problems(400, 401, 403, 404, 409, 422)},
            }
        },
    )
    spec.path(
        "/api/v1/tasks",
        operations={
            "get": {
                "parameters": _list_parameters(status=False, processes=processes),
                "responses": {**_page_of("TaskSummary"), **_problems(401, 422)},
            }
        },
    )
    spec.path(
        "/api/v1/tasks/{task_id}",
        operations={"get": {"parameters": pid, "responses": {**_ok("TaskView"), **_problems(401, 404)}}},
    )
    spec.path(
        "/api/v1/tasks/{task_id}/complete",
        operations={
            "post": {
                "parameters": pid,
                "requestBody": free,
                "responses": {**_ok("CaseView"), **_problems(400, 401, 403, 404, 409, 422)},
            }
        },
    )
    reason = [*cid, {"name": "reason", "in": "query", "required": True, "schema": {"type": "string"}}]
    spec.path(
        "/api/v1/cases/{case_id}/audit",
        operations={
            "get": {
                "parameters": reason,
                "responses": {**_ok("AuditEvent", many=True), **_problems(401, 403, 404, 422)},
            }
        },
    )
    spec.path("/api/v1/audit/verify", operations={"get": {"responses": {**_ok("VerifyResult"), **_problems(401, 403)}}})
    statistics_query = [
        _query("jugendamt", "the Jugendamt's key", {"type": "string"}),
        _query("jahr", "the calendar year of completion", {"type": "integer"}),
    ]
    spec.path(
        "/api/v1/statistik/99",
        operations={
            "get": {
                "parameters": [{**p, "required": True} for p in statistics_query],
                "responses": {**_ok("Statistics99"), **_problems(401, 403, 404, 422)},
            }
        },
    )
    for path, request_schema, answer in (
        ("/api/v1/statistik/99/abschluss", "StatisticsLockRequest", _ok("Statistics99", "201")),
        ("/api/v1/statistik/99/abschluss/aufheben", "StatisticsUnlockRequest", {"204": {"description": "unlocked"}}),
    ):
        request_body = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{request_schema}"}}},
        }
        spec.path(
            path,
            operations={
                "post": {
                    "requestBody": request_body,
                    "responses": {**answer, **_problems(400, 401, 403, 404, 409, 422)},
                }
            },
        )
    _quality_paths(spec, cid, free)
    _break_glass_paths(spec)
    _auskunft_path(spec)
    document: dict[str, Any] = spec.to_dict()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            operation["operationId"], operation["summary"] = OPERATIONS[(path, method)]
    document["security"] = [{"bearer": []}]
    return document


def _auskunft_path(spec: APISpec) -> None:
    """Subject access (R38): deny by default — 403 for everybody but a Jugendamt's Leitung."""
    for name in ("AuskunftRequest", "Auskunft"):
        spec.components.schema(name, schema=getattr(auskunft_schemas, name))
    request = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuskunftRequest"}}},
    }
    spec.path(
        "/api/v1/auskunft",
        operations={
            "post": {"requestBody": request, "responses": {**_ok("Auskunft"), **_problems(400, 401, 403, 422)}}
        },
    )


def _quality_paths(spec: APISpec, cid: list[dict[str, Any]], free: dict[str, Any]) -> None:
    """LKSG § 8 quality review: deny by default — a sample nobody may see is a 404 like a missing one."""
    for name in ("QualitySampleRequest", "QualityResults", "QualityCase", "QualityPeriodResults"):
        spec.components.schema(name, schema=getattr(quality_schemas, name))
    request = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/QualitySampleRequest"}}},
    }
    spec.path(
        "/api/v1/qualitaet/stichproben",
        operations={
            "post": {
                "requestBody": request,
                "responses": {**_ok("QualityResults", "201"), **_problems(400, 401, 403, 422)},
            }
        },
    )
    area = [
        {"name": "bereich", "in": "query", "schema": {"type": "string", "enum": ["jugendamt", "netzwerk"]}},
        {"name": "schluessel", "in": "query", "schema": {"type": "string"}},
        {"name": "zeitraum", "in": "query", "schema": {"type": "string", "pattern": r"^\d{4}(-Q[1-4])?$"}},
    ]
    spec.path(
        "/api/v1/qualitaet/ergebnisse",
        operations={
            "get": {"parameters": area, "responses": {**_ok("QualityPeriodResults"), **_problems(401, 403, 404, 422)}}
        },
    )
    sid = [{"name": "sample_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    spec.path(
        "/api/v1/qualitaet/stichproben/{sample_id}",
        operations={"get": {"parameters": sid, "responses": {**_ok("QualityResults"), **_problems(401, 404)}}},
    )
    case = [*sid, {"name": "position", "in": "path", "required": True, "schema": {"type": "integer"}}]
    spec.path(
        "/api/v1/qualitaet/stichproben/{sample_id}/faelle/{position}",
        operations={"get": {"parameters": case, "responses": {**_ok("QualityCase"), **_problems(401, 404)}}},
    )
    spec.path(
        "/api/v1/qualitaet/stichproben/{sample_id}/faelle/{position}/bewertung",
        operations={
            "post": {
                "parameters": case,
                "requestBody": free,
                "responses": {**_ok("QualityCase"), **_problems(400, 401, 404, 422)},
            }
        },
    )
    released = {"204": {"description": "released"}}
    spec.path(
        "/api/v1/cases/{case_id}/qualitaet-freigabe",
        operations={"post": {"parameters": cid, "responses": {**released, **_problems(401, 403, 404, 409)}}},
    )
    spec.path(
        "/api/v1/cases/{case_id}/qualitaet-freigabe/zuruecknehmen",
        operations={
            "post": {
                "parameters": cid,
                "responses": {"204": {"description": "withdrawn"}, **_problems(401, 403, 404, 409)},
            }
        },
    )


def _break_glass_paths(spec: APISpec) -> None:
    """R35: deny by default — a case the caller may not reach by break-glass is a 404 like a missing one."""
    spec.components.schema("BreakGlassRequest", schema=break_glass_schemas.BreakGlassRequest)
    spec.components.schema("BreakGlassReviewRequest", schema=break_glass_schemas.BreakGlassReviewRequest)
    spec.components.schema("BreakGlassGrant", schema=break_glass_schemas.BreakGlassGrantSchema)
    spec.components.schema("BreakGlassEntry", schema=break_glass_schemas.BreakGlassEntrySchema)

    def body(name: str) -> dict[str, Any]:
        return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}

    spec.path(
        "/api/v1/notfallzugriffe",
        operations={
            "post": {
                "requestBody": body("BreakGlassRequest"),
                "responses": {**_ok("BreakGlassGrant", "201"), **_problems(400, 401, 403, 404, 409, 422)},
            },
            "get": {"responses": {**_ok("BreakGlassEntry", many=True), **_problems(401, 403)}},
        },
    )
    aid = [{"name": "access_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
    spec.path(
        "/api/v1/notfallzugriffe/{access_id}/pruefung",
        operations={
            "post": {
                "parameters": aid,
                "requestBody": body("BreakGlassReviewRequest"),
                "responses": {"204": {"description": "reviewed"}, **_problems(400, 401, 403, 404, 409, 422)},
            }
        },
    )
