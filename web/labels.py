"""The engine's vocabularies in the user's language: roles, organisation kinds, audit event types.

The German originals are `engine.labels`; here each one is a message of the UI catalog (Flask-Babel,
evaluated when shown), so every page names a role, a kind or an event the same way. The keys must
match the engine's (tests/unit/test_labels.py checks keys and German texts): a role added there
without a name here would show as its German original.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from engine.api import EventType
from engine.labels import EVENT_LABELS, KIND_LABELS, ROLE_LABELS

ROLE_NAMES: dict[str, LazyString] = {
    "fachkraft": _l("Fachkraft"),
    "leitung": _l("Leitung"),
    "berufsgeheimnistraeger": _l("Berufsgeheimnisträger/in (§ 4 KKG)"),
    "insofa": _l("insoweit erfahrene Fachkraft"),
    "ja_fachkraft": _l("Fachkraft im Jugendamt (ASD)"),
    "ja_leitung": _l("Leitung im Jugendamt (ASD)"),
    "ja_fachberatung_ktp": _l("Fachberatung Kindertagespflege im Jugendamt"),
    "ja_bereitschaft": _l("Bereitschaftsdienst im Jugendamt"),
    "auditor": _l("Revision / Datenschutz"),
    "admin": _l("Administration"),
    "qualitaet": _l("Qualitätsentwicklung (LKSG § 8)"),
    "netzwerk_koordination": _l("Netzwerkkoordination"),
}

KIND_NAMES: dict[str, LazyString] = {
    "traeger": _l("Freier Träger der Jugendhilfe"),
    "kindertagespflege": _l("Kindertagespflege"),
    "einrichtung_kkg": _l("Einrichtung mit Berufsgeheimnisträgern (§ 4 KKG)"),
    "gesundheitswesen": _l("Einrichtung des Gesundheitswesens (Heilberufe, § 4 KKG)"),
    "beratungsstelle": _l("Beratungsstelle"),
    "jugendamt": _l("Jugendamt"),
}

EVENT_NAMES: dict[EventType, LazyString] = {
    EventType.ACCESS_DENIED: _l("Zugriff verweigert"),
    EventType.AUDIT_EXPORTED: _l("Protokoll exportiert"),
    EventType.AUDIT_READ: _l("Protokoll entschlüsselt eingesehen"),
    EventType.AUTH_LOCKED: _l("Anmeldung gesperrt"),
    EventType.AUTH_LOGIN: _l("Anmeldung"),
    EventType.AUTH_LOGIN_FAILED: _l("Anmeldung fehlgeschlagen"),
    EventType.AUTH_LOGOUT: _l("Abmeldung"),
    EventType.AUTH_MFA_ENROLLED: _l("Zweiter Faktor eingerichtet"),
    EventType.AUTH_MFA_RESET: _l("Zweiter Faktor zurückgesetzt"),
    EventType.AUTH_SSO_LINKED: _l("Single Sign-On verknüpft"),
    EventType.AUTH_SSO_UNLINKED: _l("Single Sign-On-Verknüpfung gelöst"),
    EventType.BACKUP_CREATED: _l("Sicherung erstellt"),
    EventType.BACKUP_RESTORED: _l("Sicherung wiederhergestellt"),
    EventType.CASE_BREAK_GLASS: _l("Notfallzugriff"),
    EventType.CASE_BREAK_GLASS_REVIEWED: _l("Notfallzugriff geprüft"),
    EventType.CASE_CREATED: _l("Fall angelegt"),
    EventType.CASE_DETAILS_COMPLETED: _l("Angaben zum Kind ergänzt"),
    EventType.CASE_EXPORTED: _l("Akte ausgefertigt"),
    EventType.CASE_HOLD_RELEASED: _l("Löschsperre aufgehoben"),
    EventType.CASE_HOLD_SET: _l("Löschsperre gesetzt"),
    EventType.CASE_MATCH_DECIDED: _l("Früheren Fall bestätigt oder verworfen"),
    EventType.CASE_MIGRATED: _l("Fall auf eine neue Prozessversion migriert"),
    EventType.CASE_READ: _l("Fall eingesehen"),
    EventType.CASE_SEARCH: _l("Fälle gesucht"),
    EventType.CASE_SHREDDED: _l("Fall vernichtet (Datenschlüssel gelöscht)"),
    EventType.CASE_TAKEN_OVER: _l("Fall übernommen"),
    EventType.CASE_TRANSFERRED: _l("Fall an ein anderes Jugendamt abgegeben"),
    EventType.CASE_TRANSFER_RECEIVED: _l("Fall von einem anderen Jugendamt übernommen"),
    EventType.DEADLINE_ESCALATED: _l("Frist überschritten, eskaliert"),
    EventType.DEADLINE_FIRED: _l("Frist abgelaufen"),
    EventType.DEADLINE_REMINDER: _l("Erinnerung an eine Frist"),
    EventType.FRISTEN_CHANGED: _l("Fristenprofil geändert"),
    EventType.KEY_ROTATED: _l("Schlüssel erneuert"),
    EventType.MESSAGE_RECEIVED: _l("Nachricht empfangen"),
    EventType.MESSAGE_SENT: _l("Nachricht gesendet"),
    EventType.ORGANISATION_CONTACT_CHANGED: _l("Kontaktdaten einer Organisation geändert"),
    EventType.ORGANISATION_CREATED: _l("Organisation angelegt"),
    EventType.QUALITY_RELEASED: _l("Freitexte zur Qualitätsprüfung freigegeben"),
    EventType.QUALITY_RELEASE_WITHDRAWN: _l("Freigabe der Freitexte zur Qualitätsprüfung zurückgenommen"),
    EventType.QUALITY_REVIEWED: _l("Qualitätsprüfung eines Falls gespeichert"),
    EventType.QUALITY_SAMPLE_DRAWN: _l("Stichprobe zur Qualitätsprüfung gezogen"),
    EventType.PROCESS_DEPLOYED: _l("Prozessversion bereitgestellt"),
    EventType.RETENTION_RUN: _l("Aufbewahrungsfristen geprüft"),
    EventType.ROLE_CONFIRMED: _l("Rolle bestätigt"),
    EventType.ROLE_REJECTED: _l("Rolle abgelehnt"),
    EventType.ROLE_REQUESTED: _l("Rolle beantragt"),
    EventType.SESSION_ENDED: _l("Sitzungen beendet"),
    EventType.SESSION_STARTED: _l("Sitzung begonnen"),
    EventType.STATISTICS_LOCKED: _l("Statistik nach § 99 Abs. 6 SGB VIII abgeschlossen"),
    EventType.STATISTICS_READ: _l("Statistik nach § 99 Abs. 6 SGB VIII gelesen"),
    EventType.PERSON_AUSKUNFT: _l("Auskunft über gespeicherte Daten einer Person erteilt"),
    EventType.STATISTICS_UNLOCKED: _l("Abschluss der Statistik nach § 99 Abs. 6 SGB VIII aufgehoben"),
    EventType.TASK_COMPLETED: _l("Schritt abgeschlossen"),
    EventType.TASK_REJECTED: _l("Abschluss eines Schritts abgelehnt"),
    EventType.TOKEN_ISSUED: _l("API-Token ausgegeben"),
    EventType.TOKEN_REVOKED: _l("API-Token widerrufen"),
    EventType.USER_ACTIVATED: _l("Benutzer reaktiviert"),
    EventType.USER_CREATED: _l("Benutzer angelegt"),
    EventType.USER_DEACTIVATED: _l("Benutzer deaktiviert"),
    EventType.USER_INVITATION_ACCEPTED: _l("Einladung angenommen"),
    EventType.USER_INVITED: _l("Benutzer eingeladen"),
    EventType.USER_PASSWORD_SET: _l("Passwort gesetzt"),
    EventType.VOLUME_GENERATED: _l("Testfälle erzeugt"),
}


def role_label(role: str) -> str:
    return str(ROLE_NAMES.get(role) or ROLE_LABELS.get(role, role))


def roles_label(roles: Iterable[str]) -> str:
    """Several roles as one phrase: „Fachkraft oder Leitung“ (who may do a step of a lane)."""
    either = " " + _("oder") + " "
    return either.join(role_label(r) for r in roles)


def kind_label(kind: str) -> str:
    return str(KIND_NAMES.get(kind) or KIND_LABELS.get(kind, kind))


def event_type(value: str) -> EventType | None:
    """The event type a filter names, or None when the engine records no such event."""
    try:
        return EventType(value)
    except ValueError:
        return None


def event_label(value: str) -> str:
    """An event's name; a type stored by an older version and no longer recorded stays as stored."""
    known = event_type(value)
    return str(EVENT_NAMES.get(known) or EVENT_LABELS.get(known, value)) if known else value


def event_choices() -> list[tuple[str, str]]:
    """Every event type with its name, sorted by name: the options of the auditor's filter."""
    return sorted(((t.value, event_label(t)) for t in EventType), key=lambda item: item[1].lower())


def by_name(choices: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(key, name) choices sorted by name as people look for them, not by key or insertion order."""
    return sorted(choices, key=lambda item: item[1].casefold())
