"""Bundle validation: the vectors of tests/vectors/bundles, the script allow-list, the repo's bundles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.errors import DefinitionInvalid
from engine.forms import check_definition
from engine.processes.bundles import Bundle, bundle_from_files, discover_bundles, load_bundle_dir
from engine.processes.validation.bundle import validate_bundle, validate_or_raise
from engine.processes.validation.scripts import check_timer, dmn_match_source, parse

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors" / "bundles"
BROKEN = VECTORS / "broken"


def _problems(name: str) -> list[str]:
    return validate_bundle(load_bundle_dir(BROKEN / name / "1"))


def _minimal_with(bpmn_edit: tuple[str, str] | None = None, **files: bytes) -> Bundle:
    """The minimal vector with one edit of its BPMN text and/or replaced files."""
    base = load_bundle_dir(VECTORS / "valid" / "minimal" / "1")
    changed = dict(base.files)
    if bpmn_edit is not None:
        source = changed["minimal.bpmn"].decode()
        assert bpmn_edit[0] in source
        changed["minimal.bpmn"] = source.replace(bpmn_edit[0], bpmn_edit[1]).encode()
    changed.update(files)
    return bundle_from_files(changed)


# --- valid vectors -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["minimal", "features"])
def test_valid_vector_has_no_problems(name: str) -> None:
    bundle = load_bundle_dir(VECTORS / "valid" / name / "1")
    assert validate_bundle(bundle) == []
    validate_or_raise(bundle)


# --- broken vectors: each names its own fault ----------------------------------------------------

BROKEN_EXPECTATIONS = {
    "unquoted_timer": ['timer expression PT72H is not quoted: write "PT72H"'],
    "literal_timer_without_frist": ["boundaryEvent 'erinnerung': timer with the literal \"PT72H\" has no frist"],
    "timer_computed": ["must be a quoted ISO 8601 literal, a call of an approved helper or a variable name"],
    "no_lane": ["minimal.bpmn line 18: userTask 'erfassen': sits in no lane"],
    "unknown_lane": ["userTask 'erfassen': its lane 'chefetage' is not a key of the manifest's lanes"],
    "no_form": ["userTask 'erfassen': names no form (spiffworkflow:formJsonSchemaFilename)"],
    "missing_form": ["userTask 'erfassen': its form forms/erfassen.json is not in the bundle"],
    "form_task_mismatch": ["forms/erfassen.json: 'task' is 'anderer_schritt', but it is the form of userTask"],
    "script_import": ["scriptTask 'bewerten': script: imports are not allowed (import os)"],
    "script_attribute": ["scriptTask 'bewerten': script: attribute access ().__class__.__base__ is not allowed"],
    "script_call": ["scriptTask 'bewerten': script: calls eval: only the approved helpers"],
    "condition_typo": ["sequenceFlow 'f_ja': condition reads 'akute_gefar'", "did you mean 'akute_gefahr'?"],
    "xsd_error": ["minimal.bpmn line 19: XSD: Element 'bpmn:userTask', attribute 'nmae'"],
    "not_wellformed": ["minimal.bpmn line 45: XML is not well-formed"],
    "event_subprocess": ["subProcess 'ereignis': event subprocesses are not supported"],
    "event_gateway_two_timers": ["eventBasedGateway 'warten': an event-based gateway with 2 timers is not supported"],
    "conditional_event": ["intermediateCatchEvent 'zwischen': conditionalEventDefinition is not supported"],
    "link_event": ["intermediateThrowEvent 'zwischen': linkEventDefinition is not supported"],
    "adhoc_subprocess": ["adHocSubProcess 'zwischen': adHocSubProcess is not supported"],
    "complex_gateway": ["complexGateway 'gw_gefahr': complexGateway is not supported"],
    "compensation": [
        "boundaryEvent 'ausgleich': compensateEventDefinition is not supported",
        "scriptTask 'rueckgaengig': compensation is not supported",
    ],
    "untyped_task": ["task 'bewerten': task is not supported"],
    "non_executable": ["process 'minimal': not executable"],
    "wrong_process_id": [
        "minimal.bpmn: no bpmn:process has the id 'minimal' (the manifest key)",
        "process 'anders': a bundle holds one process",
    ],
    "message_start": ["startEvent 'start': the start event must be a none start event"],
    "unreachable": ["minimal.bpmn line 29: endEvent 'verwaist': cannot be reached from a start event"],
    "unnamed_gateway_flow": ["sequenceFlow 'f_nein': a flow leaving a deciding gateway needs a name"],
    "unknown_property": ["userTask 'erfassen': unknown property 'vieraugen'"],
    "bad_vier_augen": ["vier_augen names 'gibtsnicht', which is no user task"],
    "bad_manifest": [
        "manifest.json: lane 'fachkraft': unknown role 'chef'",
        "manifest.json: unknown organisation kind 'kita'",
    ],
    "missing_bpmn": ["manifest.json: lists fehlt.bpmn, which is not in the bundle"],
}


def test_every_broken_vector_is_covered() -> None:
    folders = {p.name for p in BROKEN.iterdir() if p.is_dir()}
    assert folders == set(BROKEN_EXPECTATIONS) | {"bad_form", "multi_problem", "no_manifest"}


@pytest.mark.parametrize("name", sorted(BROKEN_EXPECTATIONS))
def test_broken_vector_names_its_fault(name: str) -> None:
    problems = _problems(name)
    for fragment in BROKEN_EXPECTATIONS[name]:
        assert any(fragment in p for p in problems), f"{fragment!r} not in {problems}"


@pytest.mark.parametrize("name", sorted(BROKEN_EXPECTATIONS))
def test_broken_vector_raises_with_the_same_problems(name: str) -> None:
    with pytest.raises(DefinitionInvalid) as caught:
        validate_or_raise(load_bundle_dir(BROKEN / name / "1"))
    assert caught.value.problems == _problems(name)


def test_single_fault_vectors_report_one_problem_where_one_is_expected() -> None:
    """No cascade: fixing the one fault must leave nothing behind (e.g. no condition noise for a missing form)."""
    for name in (
        "unquoted_timer",
        "no_lane",
        "no_form",
        "missing_form",
        "script_import",
        "xsd_error",
        "event_subprocess",
        "unreachable",
        "condition_typo",
        "form_task_mismatch",
        "non_executable",
    ):
        assert len(_problems(name)) == 1, (name, _problems(name))


def test_bad_form_reports_the_problems_of_check_definition_with_the_path() -> None:
    raw = json.loads((BROKEN / "bad_form" / "1" / "forms" / "erfassen.json").read_text())
    expected = [f"forms/erfassen.json: {p}" for p in check_definition(raw)]
    assert expected
    assert "farbe" in " ".join(expected)
    assert _problems("bad_form") == expected


MULTI_PROBLEM = [
    "manifest.json: unknown organisation kind 'kita'",
    "minimal.bpmn line 18: XSD: Element 'bpmn:userTask', attribute 'nmae'",
    "minimal.bpmn line 18: userTask 'erfassen': sits in no lane",
    "forms/erfassen.json: 'task' is 'anderer_schritt'",
    "userTask 'erfassen': unknown property 'vieraugen'",
    "scriptTask 'bewerten': script: imports are not allowed (import os)",
    'timer expression P3D is not quoted: write "P3D"',
    "sequenceFlow 'f_ja': condition reads 'akute_gefar'",
    "endEvent 'verwaist': cannot be reached from a start event",
]


def test_multi_problem_vector_lists_all_its_problems_and_nothing_else() -> None:
    problems = _problems("multi_problem")
    assert len(problems) == len(MULTI_PROBLEM), problems
    for fragment in MULTI_PROBLEM:
        assert sum(fragment in p for p in problems) == 1, f"{fragment!r} in {problems}"


# --- more cases, in memory ---------------------------------------------------------------------


def test_spiffworkflow_structural_error_is_reported_with_its_line() -> None:
    condition = (
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">akute_gefahr == True</bpmn:conditionExpression>'
    )
    problems = validate_bundle(_minimal_with((condition, "")))
    assert problems == [
        "minimal.bpmn line 42: sequenceFlow 'f_ja': SpiffWorkflow: Non-default exclusive "
        "outgoing sequence flow without condition"
    ]


def test_condition_may_read_engine_variables_script_variables_and_builtins() -> None:
    edit = ("akute_gefahr == True", 'meldung["x"] and rueckmeldung and len(notiz) &gt; 3 and any([akute_gefahr])')
    assert validate_bundle(_minimal_with(edit)) == []


@pytest.mark.parametrize(
    ("condition", "fragment"),
    [
        ("[x for x in akute_gefahr if x.y]", "attribute access x.y is not allowed"),
        ("(lambda: 1)()", "a lambda is not allowed"),
        ('__import__("os")', "calls __import__"),
        ('getattr(akute_gefahr, "x")', "calls getattr"),
        ("open('/etc/passwd')", "calls open"),
        ("akute_gefahr ==\n True", "syntax error"),
    ],
)
def test_condition_outside_the_allow_list(condition: str, fragment: str) -> None:
    problems = validate_bundle(_minimal_with(("akute_gefahr == True", condition)))
    assert problems and all("sequenceFlow 'f_ja': condition" in p for p in problems)
    assert any(fragment in p for p in problems), problems


def test_doctype_is_refused() -> None:
    declaration = '<?xml version="1.0" encoding="UTF-8"?>'
    entity = declaration + '\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    assert validate_bundle(_minimal_with((declaration, entity))) == [
        "minimal.bpmn: DOCTYPE declarations are not allowed"
    ]


def test_unlisted_model_file_and_broken_form_json() -> None:
    problems = validate_bundle(_minimal_with(**{"extra.bpmn": b"<x/>", "forms/erfassen.json": b"{nope"}))
    assert "extra.bpmn: not listed in manifest.json 'bpmn'" in problems
    assert any(p.startswith("forms/erfassen.json: not valid UTF-8 JSON") for p in problems)
    assert len(problems) == 2  # no condition noise while the form is unreadable


def test_task_in_an_embedded_subprocess_takes_the_subprocess_lane() -> None:
    base = load_bundle_dir(VECTORS / "valid" / "minimal" / "1").files["minimal.bpmn"].decode()
    start, end = base.index("    <bpmn:userTask"), base.index("</bpmn:userTask>") + len("</bpmn:userTask>\n")
    task = base[start:end].replace("f_start", "fs_in").replace("f_gw", "fs_out")
    sub = (
        '    <bpmn:subProcess id="phase" name="Phase">\n'
        "      <bpmn:incoming>f_start</bpmn:incoming>\n      <bpmn:outgoing>f_gw</bpmn:outgoing>\n"
        '      <bpmn:startEvent id="phase_start"><bpmn:outgoing>fs_in</bpmn:outgoing></bpmn:startEvent>\n'
        f"{task}"
        '      <bpmn:endEvent id="phase_ende"><bpmn:incoming>fs_out</bpmn:incoming></bpmn:endEvent>\n'
        '      <bpmn:sequenceFlow id="fs_in" sourceRef="phase_start" targetRef="erfassen" />\n'
        '      <bpmn:sequenceFlow id="fs_out" sourceRef="erfassen" targetRef="phase_ende" />\n'
        "    </bpmn:subProcess>\n"
    )
    source = (
        (base[:start] + sub + base[end:])
        .replace('sourceRef="start" targetRef="erfassen"', 'sourceRef="start" targetRef="phase"')
        .replace('sourceRef="erfassen" targetRef="gw_gefahr"', 'sourceRef="phase" targetRef="gw_gefahr"')
    )
    in_sub = source.replace(
        "<bpmn:flowNodeRef>erfassen</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>phase</bpmn:flowNodeRef>"
    )
    assert validate_bundle(_minimal_with(**{"minimal.bpmn": in_sub.encode()})) == []
    other_lane = in_sub.replace(
        "<bpmn:flowNodeRef>phase</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>phase</bpmn:flowNodeRef>\n      </bpmn:lane>\n"
        '      <bpmn:lane id="Lane_leitung" name="leitung">\n        <bpmn:flowNodeRef>erfassen</bpmn:flowNodeRef>',
    )
    problems = validate_bundle(_minimal_with(**{"minimal.bpmn": other_lane.encode()}))
    assert len(problems) == 1
    assert "userTask 'erfassen': lists lane 'leitung', but SpiffWorkflow uses the lane of its subprocess" in problems[0]


def test_manifest_shape_problems_are_all_listed() -> None:
    manifest = {
        "format": 2,
        "key": "Minimal",
        "version": 1,
        "title": "T",
        "bpmn": [],
        "dmn": ["x.dmn"],
        "lanes": {"fachkraft": []},
        "organisation_kinds": [],
        "starter_roles": ["chef"],
        "started_by_messages": "meldung",
        "extra": 1,
    }
    files = dict(load_bundle_dir(VECTORS / "valid" / "minimal" / "1").files)
    files["manifest.json"] = json.dumps(manifest).encode()
    problems = validate_bundle(bundle_from_files(files))
    for fragment in [
        "unknown key 'extra'",
        "'format' must be 1",
        "'key' 'Minimal' must match",
        "'bpmn' must be a non-empty list",
        "lists x.dmn, which is not in the bundle",
        "lane 'fachkraft' must map to a non-empty list of roles",
        "'organisation_kinds' must be a non-empty list",
        "unknown starter role 'chef'",
        "'started_by_messages' must be a list of message names",
    ]:
        assert any(fragment in p for p in problems), (fragment, problems)


def test_nobody_can_start_a_process_without_starter_roles_or_messages() -> None:
    files = dict(load_bundle_dir(VECTORS / "valid" / "minimal" / "1").files)
    manifest = json.loads(files["manifest.json"])
    files["manifest.json"] = json.dumps(dict(manifest, starter_roles=[])).encode()
    assert validate_bundle(bundle_from_files(files)) == [
        "manifest.json: nobody can start this process: 'starter_roles' and 'started_by_messages' are both empty"
    ]
    files["manifest.json"] = json.dumps(dict(manifest, starter_roles=[], started_by_messages=["m"])).encode()
    assert validate_bundle(bundle_from_files(files)) == []


@pytest.mark.parametrize(
    "bundle",
    [
        Bundle(key="x", version=1, title="t", manifest={}, files={}, sha256=""),
        Bundle(key="x", version=1, title="t", manifest=[], files={"a": b"\0"}, sha256=""),  # type: ignore[arg-type]
        Bundle(
            key="x",
            version=1,
            title="t",
            manifest={"bpmn": ["a.bpmn"], "lanes": 3},
            files={"a.bpmn": b"\xff"},
            sha256="",
        ),
    ],
)
def test_validate_never_raises_for_bad_input(bundle: Bundle) -> None:
    problems = validate_bundle(bundle)
    assert problems and all(isinstance(p, str) for p in problems)


# --- the script allow-list and timers, directly ----------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "x = [a for a in b if a]",
        "y = {k: v for k, v in d}",
        "z = f'{a}-{b}'",
        "w = d['k'][0] if d else None",
        "n = len(sorted(set(xs))) + max(1, 2)",
        "s = str(ueberpruefung_faellig(datum))",
    ],
)
def test_allowed_scripts(source: str) -> None:
    assert parse(source, "exec")[1] == []


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("import os", "imports are not allowed"),
        ("from os import path", "imports are not allowed"),
        ("x = ''.join(y)", "attribute access ''.join is not allowed"),
        ("x = a.b.c", "attribute access a.b.c is not allowed"),
        ("def f():\n    return 1", "defining a function is not allowed"),
        ("class C:\n    pass", "defining a class is not allowed"),
        ("while True:\n    pass", "a while loop"),
        ("x = __builtins__", "the name __builtins__ is not allowed"),
        ("len = 3", "assigns to len"),
        ("x = y[0]()", "calls y[0]"),
        ("x = type(y)", "calls type"),
    ],
)
def test_rejected_scripts(source: str, fragment: str) -> None:
    problems = parse(source, "exec")[1]
    assert any(fragment in p for p in problems), problems


def test_eval_mode_allows_leading_spaces_like_eval() -> None:
    assert parse("  a == 1", "eval")[1] == []
    assert parse("\n  a == 1", "eval")[1][0].startswith("syntax error")


@pytest.mark.parametrize(
    ("text", "kind", "frist", "expected"),
    [
        ("PT72H", "timeDuration", True, ['timer expression PT72H is not quoted: write "PT72H"']),
        ("P3D", "timeDuration", True, ['timer expression P3D is not quoted: write "P3D"']),
        (
            "2026-01-01T00:00",
            "timeDate",
            True,
            ['timer expression 2026-01-01T00:00 is not quoted: write "2026-01-01T00:00"'],
        ),
        ("R3/PT1H", "timeCycle", True, ['timer expression R3/PT1H is not quoted: write "R3/PT1H"']),
        ('"PT72H"', "timeDuration", True, []),
        ('"R3/PT1H"', "timeCycle", True, []),
        ('"2026-01-01T08:00:00+01:00"', "timeDate", True, []),
        ('"2026-01-01T08:00:00"', "timeDate", True, ['"2026-01-01T08:00:00" has no UTC offset']),
        ('"72 Stunden"', "timeDuration", True, ['"72 Stunden" is not an ISO 8601 duration']),
        ('"PT72H"', "timeDuration", False, ['timer with the literal "PT72H" has no frist property']),
        ("ueberpruefung_faellig(datum)", "timeDate", False, []),
        (
            "ueberpruefung_faellig(sonstwas)",
            "timeDate",
            False,
            ["timer ueberpruefung_faellig(sonstwas) does not apply ueberpruefung_faellig to a form field"],
        ),
        ("ueberpruefung_faellig(sonstwas)", "timeDate", True, []),
        ("faellig_am", "timeDate", False, ["timer reads the variable faellig_am but has no frist property"]),
        ("faellig_am", "timeDate", True, []),
        ("", "timeDuration", True, ["timer has no expression"]),
        ('\n  "PT72H"\n', "timeDuration", True, ["syntax error: unexpected indent"]),
        ("os.system('x')", "timeDuration", True, ["calls os.system", "attribute access os.system is not allowed"]),
    ],
)
def test_timer_rules(text: str, kind: str, frist: bool, expected: list[str]) -> None:
    problems = check_timer(text, kind, has_frist=frist, form_fields={"datum"})
    assert len(problems) == len(expected), problems
    for problem, fragment in zip(problems, expected, strict=True):
        assert fragment in problem


@pytest.mark.parametrize(
    ("entry", "source"),
    [
        ("-", None),
        ("", None),
        ('"company"', 'dmninputexpr == ("company")'),
        ("< 1000", "dmninputexpr < 1000"),
        ("1000 <= ? < 10000", "1000 <= dmninputexpr < 10000"),
        ('"what?"', 'dmninputexpr == ("what?")'),
    ],
)
def test_dmn_input_entries_are_checked_as_spiffworkflow_evaluates_them(entry: str, source: str | None) -> None:
    assert dmn_match_source(entry) == source


# --- the repository's own bundles -------------------------------------------------------------------

REPO_BUNDLES = discover_bundles(REPO / "bpmn")


@pytest.mark.parametrize("folder", REPO_BUNDLES, ids=[f"{p.parent.name}/{p.name}" for p in REPO_BUNDLES])
def test_repository_bundle_validates_cleanly(folder: Path) -> None:
    bundle = load_bundle_dir(folder)
    assert (bundle.key, str(bundle.version)) == (folder.parent.name, folder.name)
    assert validate_bundle(bundle) == []


RUECKMELDUNG = '{"anhaltspunkte_bestaetigt": anhaltspunkte_bestaetigt, "ja_taetig": ja_taetig}'


@pytest.mark.parametrize(
    ("payload", "found"),
    [
        (RUECKMELDUNG[:-1] + ', "tatsachen": tatsachen}', "anhaltspunkte_bestaetigt, ja_taetig, tatsachen"),
        ('{"ja_taetig": ja_taetig}', "ja_taetig"),
        ("dict(ja_taetig=ja_taetig, anhaltspunkte_bestaetigt=True)", "no dict literal"),
    ],
)
def test_a_rueckmeldung_with_other_than_its_two_facts_is_refused(payload: str, found: str) -> None:
    """R12: a newly deployed jugendamt_8a may not send the reporter more than the two facts."""
    shipped = load_bundle_dir(REPO / "bpmn" / "jugendamt_8a" / "1")
    path = "jugendamt_8a.bpmn"
    assert RUECKMELDUNG.encode() in shipped.files[path]
    changed = {**shipped.files, path: shipped.files[path].replace(RUECKMELDUNG.encode(), payload.encode())}
    [problem] = validate_bundle(bundle_from_files(changed))
    assert "intermediateThrowEvent 'rueckmeldung_senden'" in problem
    assert problem.endswith(
        f"the payload of message 'rueckmeldung_8a' must be a dict of exactly anhaltspunkte_bestaetigt, "
        f"ja_taetig; found {found}"
    )


def test_frist_only_where_the_case_waits() -> None:
    gateway = '<bpmn:exclusiveGateway id="gw_gefahr" name="Akute Gefahr?" default="f_nein">'
    with_frist = (
        gateway + "\n      <bpmn:extensionElements><spiffworkflow:properties>"
        '<spiffworkflow:property name="frist" value="leitung_informieren" />'
        "</spiffworkflow:properties></bpmn:extensionElements>"
    )
    problems = validate_bundle(_minimal_with((gateway, with_frist)))
    assert len(problems) == 1
    assert "exclusiveGateway 'gw_gefahr': frist is only meaningful where the case waits" in problems[0]


TEIL_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_teil"
                  targetNamespace="http://schutzpfad.example/bpmn">
  <bpmn:process id="teil" isExecutable="true">
    <bpmn:startEvent id="teil_start"><bpmn:outgoing>t_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:endEvent id="teil_ende"><bpmn:incoming>t_1</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="t_1" sourceRef="teil_start" targetRef="teil_ende" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize("called", ["teil", "fehlt"])
def test_a_second_process_must_be_called_by_a_call_activity(called: str) -> None:
    end = (
        '<bpmn:endEvent id="ende" name="Abgeschlossen">\n'
        "      <bpmn:incoming>f_nein</bpmn:incoming>\n    </bpmn:endEvent>"
    )
    call = (
        f'<bpmn:callActivity id="ende" name="Teil" calledElement="{called}">\n'
        "      <bpmn:incoming>f_nein</bpmn:incoming>\n    </bpmn:callActivity>"
    )
    files = dict(_minimal_with((end, call)).files)
    manifest = json.loads(files["manifest.json"])
    files["manifest.json"] = json.dumps(dict(manifest, bpmn=["minimal.bpmn", "teil.bpmn"])).encode()
    files["teil.bpmn"] = TEIL_BPMN
    problems = validate_bundle(bundle_from_files(files))
    if called == "teil":
        assert problems == []
    else:
        assert len(problems) == 2
        assert "teil.bpmn line 4: process 'teil': a bundle holds one process, 'minimal'" in problems[0]
        assert "SpiffWorkflow: The process 'fehlt' was not found" in problems[1]


STUFE_DMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="Definitions_stufe" name="Stufe"
             namespace="http://schutzpfad.example/dmn">
  <decision id="stufe_entscheiden" name="Stufe entscheiden">
    <decisionTable id="DecisionTable_stufe">
      <input id="Input_alter" label="Alter">
        <inputExpression id="InputExpression_alter" typeRef="integer"><text>alter</text></inputExpression>
      </input>
      <output id="Output_stufe" label="Stufe" name="stufe" typeRef="string" />
      <rule id="Rule_1">
        <inputEntry id="UnaryTests_1"><text>&lt; 3</text></inputEntry>
        <outputEntry id="LiteralExpression_1"><text>"hoch"</text></outputEntry>
      </rule>
      <rule id="Rule_2">
        <inputEntry id="UnaryTests_2"><text>-</text></inputEntry>
        <outputEntry id="LiteralExpression_2"><text>"normal"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_dmn_cells_are_checked_and_dmn_outputs_may_be_read_by_conditions() -> None:
    files = dict(_minimal_with(("akute_gefahr == True", 'stufe == "hoch"')).files)
    manifest = json.loads(files["manifest.json"])
    files["manifest.json"] = json.dumps(dict(manifest, dmn=["stufe.dmn"])).encode()
    files["stufe.dmn"] = STUFE_DMN
    assert validate_bundle(bundle_from_files(files)) == []
    files["stufe.dmn"] = STUFE_DMN.replace(b"<text>-</text>", b"<text>x.y</text>")
    assert validate_bundle(bundle_from_files(files)) == [
        "stufe.dmn line 15: inputEntry 'x.y': attribute access x.y is not allowed (no helper needs one)"
    ]


def test_frist_names_a_profile_key_and_frist_ab_a_known_start() -> None:
    task = '<spiffworkflow:property name="frist" value="leitung_informieren" />'
    unknown = validate_bundle(_minimal_with((task, '<spiffworkflow:property name="frist" value="gibts_nicht" />')))
    assert any("frist 'gibts_nicht' is no key of the Fristen profile" in p for p in unknown)
    pattern = validate_bundle(_minimal_with((task, '<spiffworkflow:property name="frist" value="eindruck_{x}" />')))
    assert not any("Fristen profile" in p for p in pattern)
    start = task + '<spiffworkflow:property name="frist_ab" value="erledigt:nirgends" />'
    assert any("frist_ab 'erledigt:nirgends'" in p for p in validate_bundle(_minimal_with((task, start))))
