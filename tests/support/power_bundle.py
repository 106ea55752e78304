"""A bundle whose expressions are valid at deploy and overrun at run time (issue 13, finding 1).

The minimal vector with the form fields `anzahl` and `datum`; the gateway's condition reads
`akute_gefahr == True and 3 ** anzahl > 0` (the exponent is a form field, so deploy cannot know its
size), and the default path waits for the review date `datum` and then computes `2 ** anzahl` in a
script task. With `anzahl` = HUGE both overrun the limits; with 3 the process ends normally.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

MINIMAL = Path(__file__).resolve().parents[1] / "vectors" / "bundles" / "valid" / "minimal" / "1"
HUGE = 31_000_000


def power_bundle(folder: Path) -> Path:
    """minimal + form fields anzahl/datum; `3 ** anzahl` in the gateway's condition; the default path
    waits for a review date and then computes `2 ** anzahl` in a script task."""
    shutil.copytree(MINIMAL, folder)
    form = json.loads((folder / "forms" / "erfassen.json").read_text())
    form["fields"] += [
        {"name": "anzahl", "zweck": "Testzweck.", "label": "Anzahl", "type": "integer", "required": False},
        {"name": "datum", "zweck": "Testzweck.", "label": "Überprüfung am", "type": "date", "required": False},
    ]
    (folder / "forms" / "erfassen.json").write_text(json.dumps(form, ensure_ascii=False))
    bpmn = (folder / "minimal.bpmn").read_text()
    edits = [
        (
            "akute_gefahr == True</bpmn:conditionExpression>",
            "akute_gefahr == True and 3 ** anzahl &gt; 0</bpmn:conditionExpression>",
        ),
        (
            "<bpmn:flowNodeRef>ende</bpmn:flowNodeRef>",
            "<bpmn:flowNodeRef>ende</bpmn:flowNodeRef><bpmn:flowNodeRef>warten</bpmn:flowNodeRef>"
            "<bpmn:flowNodeRef>rechnen</bpmn:flowNodeRef>",
        ),
        (
            '<bpmn:sequenceFlow id="f_nein" name="nein" sourceRef="gw_gefahr" targetRef="ende" />',
            '<bpmn:sequenceFlow id="f_nein" name="nein" sourceRef="gw_gefahr" targetRef="warten" />'
            '<bpmn:sequenceFlow id="f_warten" sourceRef="warten" targetRef="rechnen" />'
            '<bpmn:sequenceFlow id="f_rechnen" sourceRef="rechnen" targetRef="ende" />',
        ),
        (
            '<bpmn:endEvent id="ende" name="Abgeschlossen">\n      <bpmn:incoming>f_nein</bpmn:incoming>',
            '<bpmn:intermediateCatchEvent id="warten" name="Bis zur Überprüfung">'
            "<bpmn:incoming>f_nein</bpmn:incoming><bpmn:outgoing>f_warten</bpmn:outgoing>"
            '<bpmn:timerEventDefinition id="warten_timer"><bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
            "ueberpruefung_faellig(datum)</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
            '<bpmn:scriptTask id="rechnen" name="Nachrechnen"><bpmn:incoming>f_warten</bpmn:incoming>'
            "<bpmn:outgoing>f_rechnen</bpmn:outgoing><bpmn:script>ergebnis = 2 ** anzahl</bpmn:script>"
            '</bpmn:scriptTask><bpmn:endEvent id="ende" name="Abgeschlossen">\n      '
            "<bpmn:incoming>f_rechnen</bpmn:incoming>",
        ),
    ]
    for old, new in edits:
        assert old in bpmn
        bpmn = bpmn.replace(old, new)
    (folder / "minimal.bpmn").write_text(bpmn)
    return folder
