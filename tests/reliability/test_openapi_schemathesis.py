"""Schemathesis against the served OpenAPI document (/api/v1/openapi.json): every operation with
generated requests as a signed-in Fachkraft of the matrix world (tests/reliability/authz_world.py).

What must hold for every example: no 5xx, every answer's status documented, its content type and body
as the document says (`not_a_server_error`, `status_code_conformance`, `content_type_conformance`,
`response_schema_conformance`). Bounded: SCHUTZPFAD_SCHEMATHESIS_EXAMPLES per operation (5 by
default, `make reliability` more). Known failures are listed in KNOWN_FAILURES with the finding they
belong to and xfail strictly — so the test turns red the moment they are fixed and the entry must go.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from engine.bootstrap import BPMN_ROOT
from engine.processes.bundles import discover_bundles, load_bundle_dir
from tests.conftest import FIXTURE_BUNDLES
from tests.reliability import authz_world as aw
from tests.reliability.figures import knob, report
from web.api.openapi import openapi_document

EXAMPLES = knob("SCHUTZPFAD_SCHEMATHESIS_EXAMPLES", 5)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: "METHOD path" -> why it fails today (strict xfail: fixed means remove the line)
KNOWN_FAILURES: dict[str, str] = {}
_examples: Counter[str] = Counter()


@pytest.fixture(scope="module")
def matrix(shared_world: aw.MatrixWorld) -> Iterator[aw.MatrixWorld]:
    yield shared_world
    report("schemathesis", "sqlite", {"operations": len(_examples), "examples": sum(_examples.values())})


#: the processes the matrix world deploys: the shipped bundles and the test bundles (the process filter's enum)
PROCESSES = tuple(
    sorted({load_bundle_dir(path).key for root in (BPMN_ROOT, FIXTURE_BUNDLES) for path in discover_bundles(root)})
)
#: the document the API serves (test_the_served_document_is_the_one_tested checks it is this one)
schema = schemathesis.openapi.from_dict(openapi_document(PROCESSES))


@pytest.fixture(scope="module")
def token(matrix: aw.MatrixWorld) -> str:
    return matrix.world.token("kita_fk")


def test_the_served_document_is_the_one_tested(matrix):
    assert matrix.app.test_client().get("/api/v1/openapi.json").get_json() == openapi_document(PROCESSES)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # the default run asks the same examples every time: a red run is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_api_answers_as_documented(case, matrix, token, request):
    label = f"{case.method} {case.path}"
    if label in KNOWN_FAILURES:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_FAILURES[label], strict=True))
    _examples[label] += 1
    # app=: the request goes to the Flask app in-process (WSGI), not over the network
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS, app=matrix.app)
