"""Message payloads the law fixes, whatever a bundle says (rule R12).

The Jugendamt's Rückmeldung to whoever reported may carry exactly two facts: whether it confirms the
gewichtigen Anhaltspunkte and whether it is (still) active (§ 4 Abs. 4 KKG, § 8a Abs. 4 SGB VIII with
§ 64 Abs. 4). A bundle is written by an administrator, so a newly deployed version must not be able to
send more: its throw of the message is refused unless the payload is a dict literal of exactly these
keys (the values are the bundle's).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from engine.processes.validation.xml import Doc, bpmn, local, spiff

#: message name → the only keys its payload may have
FIXED_PAYLOADS: dict[str, frozenset[str]] = {
    "rueckmeldung_8a": frozenset({"anhaltspunkte_bestaetigt", "ja_taetig"}),
}

_THROWS = frozenset({"intermediateThrowEvent", "endEvent"})


def payload_problems(docs: Iterable[Doc]) -> list[str]:
    """A problem per throw of a fixed message whose payload is not exactly its keys."""
    docs = list(docs)
    names = {m.get("id"): m.get("name") for doc in docs for m in doc.root.iter(bpmn("message"))}
    problems = []
    for doc in docs:
        for definition in doc.root.iter(bpmn("messageEventDefinition")):
            parent = definition.getparent()
            name = names.get(definition.get("messageRef"))
            if parent is None or local(parent) not in _THROWS or name not in FIXED_PAYLOADS:
                continue
            payload = definition.find(f".//{spiff('messagePayload')}")
            keys = _literal_keys(payload.text if payload is not None else None)
            if keys != FIXED_PAYLOADS[name]:
                allowed = ", ".join(sorted(FIXED_PAYLOADS[name]))
                found = "no dict literal" if keys is None else ", ".join(sorted(keys)) or "nothing"
                problems.append(
                    doc.at(
                        definition,
                        f"the payload of message '{name}' must be a dict of exactly {allowed}; found {found}",
                    )
                )
    return problems


def _literal_keys(source: str | None) -> frozenset[str] | None:
    """The keys of a dict literal with constant string keys, or None for anything else."""
    try:
        tree = ast.parse((source or "").strip(), mode="eval").body
    except SyntaxError:
        return None
    if not isinstance(tree, ast.Dict):
        return None
    keys = [k.value if isinstance(k, ast.Constant) else None for k in tree.keys]
    strings = frozenset(k for k in keys if isinstance(k, str))
    return strings if len(strings) == len(keys) else None
