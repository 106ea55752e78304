"""The German names of the engine's closed vocabularies: roles, organisation kinds, audit events.

One catalog, so that a role reads the same in a refusal of the engine, the administration pages and
the process diagram. These are the German originals; the web layer (`web.labels`) gives them in the
user's language, and a test keeps both in step.
"""

from __future__ import annotations

from engine.auditing.events import EventType

ROLE_LABELS: dict[str, str] = {
    "fachkraft": "Fachkraft",
    "leitung": "Leitung",
    "berufsgeheimnistraeger": "Berufsgeheimnisträger/in (§ 4 KKG)",
    "insofa": "insoweit erfahrene Fachkraft",
    "ja_fachkraft": "Fachkraft im Jugendamt (ASD)",
    "ja_leitung": "Leitung im Jugendamt (ASD)",
    "ja_fachberatung_ktp": "Fachberatung Kindertagespflege im Jugendamt",
    "ja_bereitschaft": "Bereitschaftsdienst im Jugendamt",
    "auditor": "Revision / Datenschutz",
    "admin": "Administration",
    "qualitaet": "Qualitätsentwicklung (LKSG § 8)",
    "netzwerk_koordination": "Netzwerkkoordination",
}

#: Who holds a role, as the subject of „Jetzt ist … am Zug“ (a step refused because it is another's turn).
#: Every role of `ROLE_LABELS` has one (tests/unit/test_labels.py), so that no refusal names a role key.
TURN_LABELS: dict[str, str] = {
    "fachkraft": "eine Fachkraft",
    "leitung": "die Leitung",
    "berufsgeheimnistraeger": "die Berufsgeheimnisträgerin oder der Berufsgeheimnisträger",
    "insofa": "die insoweit erfahrene Fachkraft",
    "ja_fachkraft": "eine Fachkraft im Jugendamt (ASD)",
    "ja_leitung": "die Leitung im Jugendamt (ASD)",
    "ja_fachberatung_ktp": "die Fachberatung Kindertagespflege im Jugendamt",
    "ja_bereitschaft": "der Bereitschaftsdienst im Jugendamt",
    "auditor": "die Revision / der Datenschutz",
    "admin": "die Administration",
    "qualitaet": "die Qualitätsentwicklung",
    "netzwerk_koordination": "die Netzwerkkoordination",
}

#: Where a role is held by a person the kind of organisation names otherwise: a Kindertagespflege's
#: `fachkraft` is the Tagespflegeperson herself (she works alone, § 8a Abs. 5 SGB VIII).
TURN_LABELS_BY_KIND: dict[tuple[str, str], str] = {
    ("kindertagespflege", "fachkraft"): "die Tagespflegeperson",
}

KIND_LABELS: dict[str, str] = {
    "traeger": "Freier Träger der Jugendhilfe",
    "kindertagespflege": "Kindertagespflege",
    "einrichtung_kkg": "Einrichtung mit Berufsgeheimnisträgern (§ 4 KKG)",
    "gesundheitswesen": "Einrichtung des Gesundheitswesens (Heilberufe, § 4 KKG)",
    "beratungsstelle": "Beratungsstelle",
    "jugendamt": "Jugendamt",
}

#: An organisation's § 99 Abs. 6 SGB VIII category as a reporter ("Meldende Stelle"), the values of the
#: Jugendamt's Eingang form: set per organisation, it prefills the Eingang of each Meldung it sends.
REPORTER_LABELS: dict[str, str] = {
    "kita_kindertagespflege": "Kindertageseinrichtung/Kindertagespflege",
    "schule": "Schule",
    "einrichtung_jugendhilfe": "Einrichtung/Dienst der Kinder- und Jugendhilfe",
    "beratungsstelle": "Beratungsstelle",
    "gesundheitswesen": "Einrichtung/Person des Gesundheitswesens",
    "soziale_dienste": "Soziale Dienste/Jugendamt",
    "polizei_justiz": "Polizei/Gericht/Staatsanwaltschaft",
    "sonstige": "Sonstige",
}

EVENT_LABELS: dict[EventType, str] = {
    EventType.ACCESS_DENIED: "Zugriff verweigert",
    EventType.AUDIT_EXPORTED: "Protokoll exportiert",
    EventType.AUDIT_READ: "Protokoll entschlüsselt eingesehen",
    EventType.AUTH_LOCKED: "Anmeldung gesperrt",
    EventType.AUTH_LOGIN: "Anmeldung",
    EventType.AUTH_LOGIN_FAILED: "Anmeldung fehlgeschlagen",
    EventType.AUTH_LOGOUT: "Abmeldung",
    EventType.AUTH_MFA_ENROLLED: "Zweiter Faktor eingerichtet",
    EventType.AUTH_MFA_RESET: "Zweiter Faktor zurückgesetzt",
    EventType.AUTH_SSO_LINKED: "Single Sign-On verknüpft",
    EventType.AUTH_SSO_UNLINKED: "Single Sign-On-Verknüpfung gelöst",
    EventType.BACKUP_CREATED: "Sicherung erstellt",
    EventType.BACKUP_RESTORED: "Sicherung wiederhergestellt",
    EventType.CASE_BREAK_GLASS: "Notfallzugriff",
    EventType.CASE_BREAK_GLASS_REVIEWED: "Notfallzugriff geprüft",
    EventType.CASE_CREATED: "Fall angelegt",
    EventType.CASE_DETAILS_COMPLETED: "Angaben zum Kind ergänzt",
    EventType.CASE_EXPORTED: "Akte ausgefertigt",
    EventType.CASE_HOLD_RELEASED: "Löschsperre aufgehoben",
    EventType.CASE_HOLD_SET: "Löschsperre gesetzt",
    EventType.CASE_MATCH_DECIDED: "Früheren Fall bestätigt oder verworfen",
    EventType.CASE_MIGRATED: "Fall auf eine neue Prozessversion migriert",
    EventType.CASE_READ: "Fall eingesehen",
    EventType.CASE_SEARCH: "Fälle gesucht",
    EventType.CASE_SHREDDED: "Fall vernichtet (Datenschlüssel gelöscht)",
    EventType.CASE_TAKEN_OVER: "Fall übernommen",
    EventType.CASE_TRANSFERRED: "Fall an ein anderes Jugendamt abgegeben",
    EventType.CASE_TRANSFER_RECEIVED: "Fall von einem anderen Jugendamt übernommen",
    EventType.DEADLINE_ESCALATED: "Frist überschritten, eskaliert",
    EventType.DEADLINE_FIRED: "Frist abgelaufen",
    EventType.DEADLINE_REMINDER: "Erinnerung an eine Frist",
    EventType.FRISTEN_CHANGED: "Fristenprofil geändert",
    EventType.KEY_ROTATED: "Schlüssel erneuert",
    EventType.MESSAGE_RECEIVED: "Nachricht empfangen",
    EventType.MESSAGE_SENT: "Nachricht gesendet",
    EventType.ORGANISATION_CONTACT_CHANGED: "Kontaktdaten einer Organisation geändert",
    EventType.ORGANISATION_CREATED: "Organisation angelegt",
    EventType.QUALITY_RELEASED: "Freitexte zur Qualitätsprüfung freigegeben",
    EventType.QUALITY_RELEASE_WITHDRAWN: "Freigabe der Freitexte zur Qualitätsprüfung zurückgenommen",
    EventType.QUALITY_REVIEWED: "Qualitätsprüfung eines Falls gespeichert",
    EventType.QUALITY_SAMPLE_DRAWN: "Stichprobe zur Qualitätsprüfung gezogen",
    EventType.PROCESS_DEPLOYED: "Prozessversion bereitgestellt",
    EventType.RETENTION_RUN: "Aufbewahrungsfristen geprüft",
    EventType.ROLE_CONFIRMED: "Rolle bestätigt",
    EventType.ROLE_REJECTED: "Rolle abgelehnt",
    EventType.ROLE_REQUESTED: "Rolle beantragt",
    EventType.SESSION_ENDED: "Sitzungen beendet",
    EventType.SESSION_STARTED: "Sitzung begonnen",
    EventType.STATISTICS_LOCKED: "Statistik nach § 99 Abs. 6 SGB VIII abgeschlossen",
    EventType.STATISTICS_READ: "Statistik nach § 99 Abs. 6 SGB VIII gelesen",
    EventType.PERSON_AUSKUNFT: "Auskunft über gespeicherte Daten einer Person erteilt",
    EventType.STATISTICS_UNLOCKED: "Abschluss der Statistik nach § 99 Abs. 6 SGB VIII aufgehoben",
    EventType.TASK_COMPLETED: "Schritt abgeschlossen",
    EventType.TASK_REJECTED: "Abschluss eines Schritts abgelehnt",
    EventType.TOKEN_ISSUED: "API-Token ausgegeben",
    EventType.TOKEN_REVOKED: "API-Token widerrufen",
    EventType.USER_ACTIVATED: "Benutzer reaktiviert",
    EventType.USER_CREATED: "Benutzer angelegt",
    EventType.USER_DEACTIVATED: "Benutzer deaktiviert",
    EventType.USER_INVITATION_ACCEPTED: "Einladung angenommen",
    EventType.USER_INVITED: "Benutzer eingeladen",
    EventType.USER_PASSWORD_SET: "Passwort gesetzt",
    EventType.VOLUME_GENERATED: "Testfälle erzeugt",
}
