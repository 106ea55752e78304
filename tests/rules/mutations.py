"""The recorded mutations of the rules register (docs/rules.md): per enforced rule, the edits that
remove its enforcement and the tests that must then fail.

Each edit replaces a text that occurs exactly once in its file (a source module, or a shipped bundle's
BPMN or form under bpmn/): declarative, so a reader sees what the enforcement is, and a refactoring
that moves it makes the register's own test (tests/rules/test_register.py) fail instead of letting the
mutation go stale. A rule enforced in several places has one mutation per place; the rule counts as
killed when every one of them is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Edit:
    target: str  # path from the repository's root
    old: str  # occurs exactly once in the target
    new: str


@dataclass(frozen=True)
class Mutation:
    rule: str
    name: str  # what the mutation removes, in a few words
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]  # pytest node ids that must fail under the mutation


def mutation(rule: str, name: str, target: str, old: str, new: str, *tests: str) -> Mutation:
    return Mutation(rule, name, (Edit(target, old, new),), tests)


def without_property(rule: str, name: str, target: str, prop: str, *tests: str) -> Mutation:
    """A form field's or BPMN element's property removed (a `required_if`, a `vier_augen` …)."""
    return mutation(rule, name, target, prop, "", *tests)


TRAEGER_FORMS = "bpmn/traeger_8a/1/forms"
KKG4_FORMS = "bpmn/kkg4/1/forms"
JUGENDAMT = "bpmn/jugendamt_8a/1/jugendamt_8a.bpmn"
JUGENDAMT_FORMS = "bpmn/jugendamt_8a/1/forms"
JUGENDAMT_V2 = "bpmn/jugendamt_8a/2/jugendamt_8a.bpmn"
JUGENDAMT_V2_FORMS = "bpmn/jugendamt_8a/2/forms"
JA_V2_PATHS = "tests/process/test_paths_jugendamt_8a_v2.py"
TRAEGER_V2 = "bpmn/traeger_8a/2/traeger_8a.bpmn"
TRAEGER_V2_FORMS = "bpmn/traeger_8a/2/forms"
TRAEGER_V2_PATHS = "tests/process/test_paths_traeger_8a_v2.py"
KKG4_V2 = "bpmn/kkg4/2/kkg4.bpmn"
KKG4_V2_PATHS = "tests/process/test_paths_kkg4_v2.py"

SHIPPED = "tests/unit/test_shipped_rules.py"
TRAEGER_TESTS = "tests/process/test_traeger_8a.py"
JA_PATHS = "tests/process/test_paths_jugendamt_8a.py"
PURPOSES = "tests/unit/test_purposes.py"
ACCESS = "engine/cases/subject_access.py"
ACCESS_TESTS = "tests/integration/test_subject_access.py"

MUTATIONS: tuple[Mutation, ...] = (
    mutation(
        "R01",
        "lane role not checked",
        "engine/permissions.py",
        '    return f"Jetzt ist {turn_of(task)} am Zug',
        '    return None\n    return f"Jetzt ist {turn_of(task)} am Zug',
        f"{TRAEGER_TESTS}::test_fachkraft_may_not_work_the_leitung_lane",
    ),
    mutation(
        "R02",
        "every case visible",
        "engine/cases/visibility.py",
        "        return True\n    return is_pool_viewer(session, actor, case.id)",
        "        return True\n    return True",
        "tests/integration/test_messages.py::test_foreign_organisation_cannot_see_or_complete",
    ),
    without_property(
        "R03",
        "leitung_informieren not paired with the documentation",
        TRAEGER_V2,
        '          <spiffworkflow:property name="vier_augen" value="anhaltspunkte_dokumentieren"/>\n',
        f"{TRAEGER_TESTS}::test_mehraugenprinzip_leitung_informieren_needs_another_person",
    ),
    without_property(
        "R04",
        "Ersteinschätzung confirmed by its author",
        JUGENDAMT,
        '          <spiffworkflow:property name="vier_augen" value="ersteinschaetzung" />\n',
        f"{JA_PATHS}::test_direct_report_with_both_loops_inobhutnahme_and_familiengericht",
    ),
    without_property(
        "R04",
        "Gefährdungseinschätzung confirmed by its author",
        JUGENDAMT,
        '          <spiffworkflow:property name="vier_augen" value="gefaehrdungseinschaetzung" />\n',
        f"{JA_PATHS}::test_direct_report_with_both_loops_inobhutnahme_and_familiengericht",
    ),
    without_property(
        "R05",
        "the Jugendamt skips a participation without a reason",
        f"{JUGENDAMT_FORMS}/beteiligung.json",
        '      "required_if": {\n        "eltern_beteiligt": false,\n        "kind_beteiligt": false,\n'
        '        "melder_beteiligt": false\n      },\n',
        f"{SHIPPED}::test_r05_the_jugendamt_gives_a_reason_when_a_participation_is_skipped",
    ),
    without_property(
        "R06",
        "the Träger skips a participation without a reason",
        f"{TRAEGER_FORMS}/beteiligung_familie.json",
        '      "required_if": {\n        "eltern_einbezogen": false,\n        "kind_einbezogen": false\n      },\n',
        f"{SHIPPED}::test_r06_the_traeger_gives_a_reason_when_a_participation_is_skipped",
    ),
    without_property(
        "R07",
        "no unmittelbarer Eindruck without a reason",
        f"{JUGENDAMT_FORMS}/unmittelbarer_eindruck.json",
        '      "required_if": {\n        "art": "nicht_erforderlich"\n      },\n',
        f"{SHIPPED}::test_r07_no_unmittelbarer_eindruck_needs_a_reason",
    ),
    without_property(
        "R08",
        "no KKG conversation without a reason",
        f"{KKG4_FORMS}/gespraech_familie.json",
        '      "required_if": {\n        "gefuehrt": false\n      },\n',
        f"{SHIPPED}::test_r08_a_kkg4_professional_gives_a_reason_when_there_was_no_conversation",
    ),
    mutation(
        "R09",
        "the insofa sees identifying data",
        "engine/cases/visibility.py",
        'the pseudonym only."""\n    return works_case_of_organisation',
        'the pseudonym only."""\n    return True or works_case_of_organisation',
        f"{TRAEGER_TESTS}::test_named_insofa_gets_the_consultation_with_the_pseudonym_only",
        "tests/integration/test_audit_trail.py::test_insofa_view_and_errors_never_carry_the_name",
    ),
    Mutation(
        "R10",
        "an insofa of any network",
        (
            Edit(
                "engine/permissions.py",
                "    if task.network_key not in actor.networks_with_role(role):\n        return False\n",
                "",
            ),
            Edit("engine/cases/visibility.py", "        & m.OpenTask.network_key.in_(networks)\n", ""),
        ),
        (f"{TRAEGER_TESTS}::test_an_insofa_of_another_network_neither_sees_nor_completes_the_consultation",),
    ),
    mutation(
        "R10",
        "the Leitung names an insofa outside the network",
        "engine/cases/completion.py",
        "                m.Organisation.network_key == network_key,\n",
        "",
        f"{TRAEGER_TESTS}::test_named_insofa_gets_the_consultation_with_the_pseudonym_only",
    ),
    mutation(
        "R12",
        "a third fact in the Rückmeldung",
        JUGENDAMT,
        '"ja_taetig": ja_taetig}</spiffworkflow:messagePayload>',
        '"ja_taetig": ja_taetig, "tatsachen": tatsachen}</spiffworkflow:messagePayload>',
        f"{JA_PATHS}::test_meldung_with_gewichtige_anhaltspunkte_gets_exactly_two_booleans_back",
    ),
    mutation(
        "R12",
        "a new bundle's Rückmeldung payload not checked",
        "engine/processes/validation/bundle.py",
        "    problems += payload_problems(docs)\n",
        "",
        "tests/unit/test_validation.py::test_a_rueckmeldung_with_other_than_its_two_facts_is_refused",
    ),
    without_property(
        "R14",
        "a Meldung without informing the parents and without a reason",
        f"{TRAEGER_FORMS}/meldung_jugendamt.json",
        '      "required_if": {\n        "eltern_vorab_informiert": false\n      },\n',
        f"{SHIPPED}::test_r14_a_report_without_informing_the_parents_names_the_reason",
    ),
    without_property(
        "R14",
        "a Sofortmeldung without informing the parents and without a reason",
        f"{TRAEGER_FORMS}/sofortmeldung_jugendamt.json",
        '      "required_if": {\n        "eltern_informiert": false\n      },\n',
        f"{SHIPPED}::test_r14_a_report_without_informing_the_parents_names_the_reason",
    ),
    without_property(
        "R14",
        "a § 4 KKG Mitteilung without informing the persons concerned and without a reason",
        f"{KKG4_FORMS}/mitteilung_jugendamt.json",
        '      "required_if": {\n        "betroffene_vorab_informiert": false\n      },\n',
        f"{SHIPPED}::test_r14_a_report_without_informing_the_parents_names_the_reason",
    ),
    mutation(
        "R15",
        "the Leitung's assessment travels in the Meldebogen",
        TRAEGER_V2,
        ' "zusammenfassung": zusammenfassung,\n "insofa_beteiligt": insofa_beteiligt}',
        ' "zusammenfassung": zusammenfassung,\n "einschaetzung_leitung": einschaetzung_leitung,\n'
        ' "insofa_beteiligt": insofa_beteiligt}',
        "tests/integration/test_case_file.py::test_the_jugendamt_reads_the_whole_meldebogen_and_nothing_internal",
    ),
    mutation(
        "R15",
        "the Träger's observations travel in the Meldebogen",
        TRAEGER_V2,
        ' "zusammenfassung": zusammenfassung,\n "insofa_beteiligt": insofa_beteiligt}',
        ' "zusammenfassung": zusammenfassung,\n "beobachtungen": beobachtungen,\n'
        ' "insofa_beteiligt": insofa_beteiligt}',
        "tests/integration/test_case_file.py::test_the_jugendamt_reads_the_whole_meldebogen_and_nothing_internal",
    ),
    mutation(
        "R16",
        "the Jugendamt case not linked back",
        "engine/cases/messages.py",
        "    session.add(m.CaseLink(case_id=opened.case.id, linked_case_id=sender.case.id, relation=RECEIVED_FROM))\n",
        "",
        "tests/process/test_paths_traeger_8a.py::test_kwg_nicht_abwendbar_leads_to_meldung_directly",
    ),
    mutation(
        "R17",
        "every child routed to one Jugendamt",
        "engine/cases/opening.py",
        "        resolved = load_directory(session).resolve(municipality, today)",
        '        resolved = load_directory(session).resolve("Kevelaer", today)',
        f"{TRAEGER_TESTS}::test_akute_gefahr_reports_immediately_to_the_responsible_jugendamt",
    ),
    mutation(
        "R17",
        "an explicitly chosen Jugendamt ignored",
        "engine/cases/opening.py",
        "    if explicit_key is not None:\n        office = session.execute(",
        "    if False:\n        office = session.execute(",
        "tests/integration/test_api.py::test_unknown_municipality_is_422_unless_a_jugendamt_is_named",
    ),
    mutation(
        "R17",
        "a choice recorded as a routing",
        "engine/cases/opening.py",
        '"jugendamt_ausdruecklich_gewaehlt": opening.explicit_jugendamt',
        '"jugendamt_ausdruecklich_gewaehlt": False',
        "tests/integration/test_audit_trail.py::test_the_opening_records_whether_the_jugendamt_was_routed_or_chosen",
    ),
    mutation(
        "R18",
        "a running case moves to the newest version",
        "engine/cases/state.py",
        "    process = work.catalog.load(work.session, case.definition_id)\n",
        "    process = work.catalog.newest(work.session, work.catalog.load(work.session, case.definition_id).key)\n",
        "tests/integration/test_versions.py::test_running_case_stays_on_its_version_new_cases_get_the_newest",
    ),
    mutation(
        "R18",
        "a migration not audited",
        "engine/cases/version_migration.py",
        "    record(\n        work,\n        EventType.CASE_MIGRATED,",
        "    (lambda *_a, **_k: 0)(\n        work,\n        EventType.CASE_MIGRATED,",
        "tests/integration/test_case_migration.py::test_a_case_at_every_v1_task_migrates_or_is_refused_then_runs_to_the_end",
    ),
    mutation(
        "R19",
        "a completion not audited",
        "engine/auditing/recording.py",
        "    scope = case_scope(case.reference) if case and not system_scope else SYSTEM_SCOPE\n",
        "    if event_type is EventType.TASK_COMPLETED:\n        return 0\n"
        "    scope = case_scope(case.reference) if case and not system_scope else SYSTEM_SCOPE\n",
        "tests/integration/test_audit_trail.py::test_every_change_is_recorded_in_order_and_the_chain_verifies",
    ),
    mutation(
        "R19",
        "a refused completion not audited",
        "engine/cases/completion.py",
        "    if error.denial is not None:\n        return\n",
        "    if error.denial is not None or True:\n        return\n",
        "tests/integration/test_audit_trail.py::test_refused_completion_is_recorded_although_nothing_else_changed",
    ),
    mutation(
        "R20",
        "a Gefährdungseinschätzung without its facts",
        f"{JUGENDAMT_FORMS}/gefaehrdungseinschaetzung.json",
        '"Tatsachen, auf die sich die Einschätzung stützt",\n      "type": "textarea",\n      "required": true',
        '"Tatsachen, auf die sich die Einschätzung stützt",\n      "type": "textarea",\n      "required": false',
        f"{SHIPPED}::test_r20_a_risk_level_is_documented_with_the_facts_it_rests_on",
    ),
    mutation(
        "R20",
        "an Ersteinschätzung without its reasons",
        f"{JUGENDAMT_FORMS}/ersteinschaetzung.json",
        '"label": "Begründung",\n      "type": "textarea",\n      "required": true',
        '"label": "Begründung",\n      "type": "textarea",\n      "required": false',
        f"{SHIPPED}::test_r20_a_risk_level_is_documented_with_the_facts_it_rests_on",
    ),
    mutation(
        "R20",
        "the Leitung's assessment without its reasons",
        f"{TRAEGER_FORMS}/leitung_informieren.json",
        '"label": "Einschätzung der Leitung",\n      "type": "textarea",\n      "required": true',
        '"label": "Einschätzung der Leitung",\n      "type": "textarea",\n      "required": false',
        f"{SHIPPED}::test_r20_a_risk_level_is_documented_with_the_facts_it_rests_on",
    ),
    mutation(
        "R21",
        "acute danger takes the ordinary way",
        TRAEGER_V2,
        "akute_gefahr == True</bpmn:conditionExpression>",
        "akute_gefahr == 'nie'</bpmn:conditionExpression>",
        f"{TRAEGER_TESTS}::test_akute_gefahr_reports_immediately_to_the_responsible_jugendamt",
    ),
    mutation(
        "R21",
        "the Sofortmeldung not marked akut",
        TRAEGER_V2,
        ' "dringlichkeit_hinweis": "akut",\n',
        "",
        "tests/process/test_deadlines_urgency.py::test_a_sofortmeldung_runs_the_intake_and_its_confirmation_on_akut",
    ),
    mutation(
        "R22",
        "no Bereitschaft on an acute report's step page",
        "engine/cases/queries.py",
        '        "bereitschaft": _bereitschaft(session, case) if case.akut else None,',
        '        "bereitschaft": None,',
        "tests/ui/test_directory_contacts.py::test_a_sofortmeldung_shows_the_jugendamts_bereitschaft_on_its_step_page",
    ),
    mutation(
        "R23",
        "cases without an unmittelbarer Eindruck counted",
        "engine/statistics/records.py",
        '.get("art") != NO_EINDRUCK for row in rows)',
        '.get("art") != "" for row in rows)',
        "tests/process/test_statistics_99.py::test_counted_records_their_items_and_the_csv",
    ),
    mutation(
        "R23",
        "birth month outside 1-12 accepted",
        "engine/statistics/records.py",
        "    if not 1 <= month <= 12:",
        "    if not 1 <= month <= 13:",
        "tests/process/test_statistics_99.py::test_implausible_records_are_listed_to_fix_not_counted",
    ),
    mutation(
        "R24",
        "a review date beyond the network's maximum",
        "engine/cases/completion.py",
        "        elif chosen > latest:",
        "        elif chosen > latest and False:",
        "tests/process/test_deadlines.py::test_schutzplan_review_timer_fires_at_the_chosen_date",
    ),
    mutation(
        "R25",
        "a Löschsperre does not stop the run",
        "engine/retention/run.py",
        "            m.Case.hold.is_(None),\n",
        "",
        "tests/integration/test_retention.py::test_the_run_shreds_what_is_due_and_spares_the_held_and_the_longer_kept",
    ),
    mutation(
        "R28",
        "a Kita may start the Kindertagespflege procedure",
        "bpmn/kindertagespflege_8a/1/manifest.json",
        '"organisation_kinds": [\n    "kindertagespflege"',
        '"organisation_kinds": [\n    "kita"',
        "tests/process/test_paths_kindertagespflege_8a.py::test_only_a_kindertagespflege_opens_this_procedure_and_only_this_one",
    ),
    Mutation(
        "R28",
        "the Fachberatung of any Jugendamt of the network is the second person",
        (
            Edit(
                "engine/permissions.py",
                "    return role not in JUGENDAMT_POOL_ROLES or task.jugendamt_id in actor.organisations_with_role(",
                "    return True or actor.organisations_with_role(",
            ),
            Edit("engine/cases/visibility.py", "    if role in JUGENDAMT_POOL_ROLES:", "    if False:"),
        ),
        (
            "tests/process/test_paths_kindertagespflege_8a.py::test_only_the_fachberatung_of_her_jugendamt_is_the_second_person",
        ),
    ),
    Mutation(
        "R29",
        "case data stored in plain text",
        (
            Edit(
                "engine/persistence/sealed.py",
                "    return work.vault.seal_field(",
                '    return __import__("json").dumps(value).encode()\n    return work.vault.seal_field(',
            ),
            Edit(
                "engine/persistence/sealed.py",
                "    return work.vault.open_json(work.session.connection(), case_scope(reference), record, blob)",
                '    return __import__("json").loads(blob)  # type: ignore',
            ),
        ),
        ("tests/integration/test_plaintext.py::test_no_plaintext_in_the_sqlite_files",),
    ),
    mutation(
        "R36",
        "the reporter shown in the parents' inspection copy",
        "engine/cases/redaction.py",
        'REPORTER_FIELDS = frozenset({"melder", "bezug", "meldende_stelle"})',
        'REPORTER_FIELDS = frozenset({"bezug", "meldende_stelle"})',
        "tests/integration/test_akte_pdf.py::test_the_inspection_copy_blacks_out_the_reporter_and_keeps_the_content",
    ),
    mutation(
        "R37",
        "the sender's step documentation crosses to the new Jugendamt",
        "engine/cases/transfer.py",
        "    keep_message(work, case, opened.case, OutgoingMessage(MESSAGE, payload))",
        "    keep_message(work, case, opened.case, OutgoingMessage(MESSAGE, {**sender.instance.variables, **payload}))",
        "tests/integration/test_transfer.py::test_the_receiving_jugendamt_gets_a_new_case_with_only_the_listed_data",
    ),
    mutation(
        "R37",
        "a case handed to its own Jugendamt",
        "engine/cases/transfer.py",
        "    if target.id == case.organisation_id:",
        "    if False:",
        "tests/integration/test_transfer.py::test_wrong_targets_are_refused_and_nothing_changes",
    ),
    mutation(
        "R34",
        "small counts of the network's indicators shown",
        "engine/indicators/suppression.py",
        "    return 0 < count < MIN_COUNT",
        "    return False",
        "tests/unit/test_indicator_suppression.py::test_small_counts_read_small_and_zero_stays",
    ),
    mutation(
        "R34",
        "no secondary suppression against differencing",
        "engine/indicators/suppression.py",
        "    if 0 < sum(counts[k] for k in hidden) < MIN_COUNT:",
        "    if False:",
        "tests/unit/test_indicator_suppression.py::test_no_hidden_cell_can_be_recomputed_from_what_is_shown",
    ),
    mutation(
        "R34",
        "a network's quality results shown exactly to everybody",
        "engine/quality/aggregates.py",
        "    return owner or (actor.user_id == reviewer_id and actor.has_role(REVIEWER_ROLE))",
        "    return True",
        "tests/integration/test_quality_aggregates.py::"
        "test_a_jugendamt_read_exactly_by_its_leitung_a_network_with_small_counts_hidden",
    ),
    mutation(
        "R34",
        "a year shows what one of its quarters hides",
        "engine/quality/aggregates.py",
        "    if all(p.shown for p in parts):",
        "    if any(p.shown for p in parts):",
        "tests/unit/test_quality_period_suppression.py::test_a_year_hides_what_any_of_its_quarters_hides",
    ),
    mutation(
        "R35",
        "a break-glass access never ends",
        "engine/break_glass/access.py",
        "            access.expires_at > now,\n",
        "",
        "tests/integration/test_break_glass.py::test_the_bereitschaft_reads_its_jugendamts_case_until_the_access_ends",
    ),
    mutation(
        "R35",
        "no reason required",
        "engine/break_glass/access.py",
        "    if len(value) < REASON_MIN or len(value.split()) < 3:",
        "    if False:",
        "tests/integration/test_break_glass.py::test_a_reason_in_a_sentence_and_a_duration_within_the_maximum_are_required",
    ),
    mutation(
        "R35",
        "break-glass into another Jugendamt's or a Träger's case",
        "engine/break_glass/access.py",
        "    if not may_break_glass(actor, case.organisation_id):\n        raise denied(",
        "    if False:\n        raise denied(",
        "tests/integration/test_break_glass.py::test_only_the_bereitschaft_and_only_for_its_own_jugendamts_cases",
    ),
    mutation(
        "R35",
        "the user reviews their own access",
        "engine/break_glass/review.py",
        "    if row.user_id == actor.user_id:\n",
        "    if False:\n",
        "tests/integration/test_break_glass.py::test_nobody_reviews_their_own_access",
    ),
    mutation(
        "R31",
        "a field without purpose deployed",
        "engine/processes/validation/bundle.py",
        "        if not (field.zweck and field.zweck.strip())",
        "        if False",
        f"{PURPOSES}::test_a_bundle_with_a_field_without_purpose_is_refused_naming_the_field",
        f"{PURPOSES}::test_a_v1_version_without_its_shipped_purposes_is_refused",
    ),
    mutation(
        "R31",
        "the v1 bundles' purposes not amended",
        "engine/processes/form_defaults.py",
        'AMENDABLE = frozenset({"nicht_in_zukunft", "help", "zweck", "auswahl"})',
        'AMENDABLE = frozenset({"nicht_in_zukunft", "help", "auswahl"})',
        f"{PURPOSES}::test_every_field_of_the_shipped_versions_states_its_purpose_with_their_bytes_unchanged",
    ),
    mutation(
        "R31",
        "the purpose not shown with the field",
        "web/templates/cases/_fields.html",
        '{% if f.zweck %}{{ _disclosure(f, _("Zweck"), bundle_text(f, "zweck")) }}{% endif %}',
        "",
        "tests/ui/test_case_pages.py::test_step_form_is_built_from_the_definition",
    ),
    mutation(
        "R38",
        "the reporter and § 65 data shown in the subject-access document",
        ACCESS,
        "    file = redacted_for_inspection(file, process.manifest.schwaerzung)",
        "",
        f"{ACCESS_TESTS}::test_a_child_gets_its_data_across_the_jugendamts_cases_with_the_protected_parts_withheld",
    ),
    mutation(
        "R38",
        "third parties' entries shown to a child",
        ACCESS,
        "        if field.name in child and field.name != _GUARDIANS",
        "        if field.name in child",
        f"{ACCESS_TESTS}::test_a_child_gets_its_data_across_the_jugendamts_cases_with_the_protected_parts_withheld",
    ),
    mutation(
        "R38",
        "a Sorgeberechtigter matched by name tokens of two people",
        ACCESS,
        'if wanted <= set(tokens(str(g.get("name", ""))))]',
        "]",
        f"{ACCESS_TESTS}::test_a_sorgeberechtigter_gets_their_own_entries_and_nothing_of_the_others",
    ),
    mutation(
        "R38",
        "anybody answers a subject-access request",
        ACCESS,
        "    jugendaemter = [ms.organisation_id for ms in actor.memberships if ms.role == AUSKUNFT_ROLE]",
        "    jugendaemter = [ms.organisation_id for ms in actor.memberships]",
        f"{ACCESS_TESTS}::test_only_a_jugendamts_leitung_asks_and_the_request_is_checked_after_who_asks",
    ),
    mutation(
        "R38",
        "other organisations' cases disclosed",
        ACCESS,
        "    found = matching_cases(work, terms, jugendaemter)",
        "    found = matching_cases(work, terms, work.session.execute(select(m.Organisation.id)).scalars().all())",
        f"{ACCESS_TESTS}::test_a_child_gets_its_data_across_the_jugendamts_cases_with_the_protected_parts_withheld",
        f"{ACCESS_TESTS}::test_only_a_jugendamts_leitung_asks_and_the_request_is_checked_after_who_asks",
    ),
    # jugendamt_8a version 2 (issue 12 item 1)
    without_property(
        "R07",
        "the child not seen without a reason",
        f"{JUGENDAMT_V2_FORMS}/unmittelbarer_eindruck.json",
        '      "required_if": {\n        "kind_gesehen": false\n      },\n',
        f"{JA_V2_PATHS}::test_meldung_child_not_seen_inobhutnahme_after_the_assessment_hilfeplan_and_rueckmeldung",
    ),
    mutation(
        "R07",
        "the second Fachkraft of the Hausbesuch not checked",
        "engine/cases/completion.py",
        "        colleague_errors(work.session, actor, spec.form, clean, row.organisation_id),\n",
        "",
        f"{JA_V2_PATHS}::test_eindruck_to_inobhutnahme_parents_object_court_without_delay_then_assessment",
    ),
    without_property(
        "R13",
        "the Rückmeldung without saying whether the persons concerned were informed",
        f"{JUGENDAMT_V2_FORMS}/rueckmeldung_melder.json",
        '      "required_if": {\n        "betroffene_informiert": false\n      },\n',
        f"{JA_V2_PATHS}::test_meldung_child_not_seen_inobhutnahme_after_the_assessment_hilfeplan_and_rueckmeldung",
    ),
    Mutation(
        "R26",
        "an objection to the Inobhutnahme leads to the Hilfeplanverfahren instead of the court",
        (
            Edit(
                JUGENDAMT_V2,
                'widerspruch == "ja" or widerspruch == "nicht_erreichbar"<',
                'widerspruch == "nicht_erreichbar"<',
            ),
            Edit(JUGENDAMT_V2, 'widerspruch == "nein"<', 'widerspruch == "nein" or widerspruch == "ja"<'),
        ),
        (f"{JA_V2_PATHS}::test_eindruck_to_inobhutnahme_parents_object_court_without_delay_then_assessment",),
    ),
    mutation(
        "R30",
        "a Yes not checked against the case's findings",
        "engine/cases/completion.py",
        "        implausible(spec.form, clean, step.data),\n",
        "",
        f"{JA_V2_PATHS}::test_meldung_child_not_seen_inobhutnahme_after_the_assessment_hilfeplan_and_rueckmeldung",
        f"{JA_V2_PATHS}::test_beteiligung_to_inobhutnahme_parents_unreachable_and_no_court_without_danger",
    ),
    mutation(
        "R30",
        "a court referral after no finding of danger",
        f"{JUGENDAMT_V2_FORMS}/massnahmen_festlegen.json",
        '          "latente_kwg"\n        ]\n      },\n      "nur_wenn_grund"',
        '          "latente_kwg",\n          "keine_kwg_hilfebedarf"\n        ]\n      },\n      "nur_wenn_grund"',
        f"{JA_V2_PATHS}::test_beteiligung_to_inobhutnahme_parents_unreachable_and_no_court_without_danger",
    ),
    without_property(
        "R09",
        "the Fallschilderung for the insofa not checked for names, street and birth date",
        f"{TRAEGER_V2_FORMS}/leitung_informieren.json",
        '      "ohne_personendaten": true,\n',
        f"{TRAEGER_V2_PATHS}::test_the_fallschilderung_names_nobody_and_is_all_the_insofa_reads",
    ),
    mutation(
        "R09",
        "the insofa reads the Leitung's whole entry, not only the Fallschilderung",
        "bpmn/traeger_8a/2/manifest.json",
        '"beratung": [\n        "fallschilderung"\n      ]',
        '"beratung": "*"',
        f"{TRAEGER_V2_PATHS}::test_the_fallschilderung_names_nobody_and_is_all_the_insofa_reads",
    ),
    mutation(
        "R09",
        "the Tagespflegeperson's observations reach both advisers unchecked (as in version 1)",
        "bpmn/kindertagespflege_8a/2/forms/anhaltspunkte_dokumentieren.json",
        'Grundlage der Gefährdungseinschätzung.",\n      "ohne_personendaten": true\n    },\n'
        '    {\n      "name": "beobachtet_am"',
        'Grundlage der Gefährdungseinschätzung."\n    },\n    {\n      "name": "beobachtet_am"',
        "tests/process/test_paths_kindertagespflege_8a.py::test_version_2_refuses_names_in_the_texts_the_advisers_read",
    ),
    Mutation(
        "R11",
        "the insofa's Einschätzung routes the case instead of the Leitung's decision",
        (
            Edit(TRAEGER_V2, '>vorgehen == "keine_gefaehrdung"<', '>einschaetzung == "keine_kwg"<'),
            Edit(TRAEGER_V2, '>vorgehen == "meldung"<', '>einschaetzung == "kwg_nicht_abwendbar"<'),
            Edit(
                TRAEGER_V2,
                '>vorgehen == "hilfen_mit_familie"<',
                '>einschaetzung in ("hilfebedarf", "kwg_abwendbar")<',
            ),
        ),
        (f"{TRAEGER_V2_PATHS}::test_the_leitung_decides_against_the_insofa_no_danger_then_closed",),
    ),
    mutation(
        "R09",
        "the Fallschilderung of a § 4 KKG consultation not checked for names",
        "bpmn/kkg4/2/forms/gespraech_familie.json",
        '      },\n      "ohne_personendaten": true,\n',
        "      },\n",
        f"{KKG4_V2_PATHS}::test_the_insofa_sees_no_danger_the_teacher_informs_the_jugendamt_all_the_same",
    ),
    mutation(
        "R11",
        "after the § 4 KKG consultation the case closes without the reporting person's decision",
        KKG4_V2,
        'sourceRef="insofa_beratung" targetRef="gw_mitteilung_merge"',
        'sourceRef="insofa_beratung" targetRef="gw_abschluss_merge"',
        f"{KKG4_V2_PATHS}::test_the_insofa_sees_no_danger_the_teacher_informs_the_jugendamt_all_the_same",
    ),
    mutation(
        "R27",
        "help refused leads straight to the Meldung (as in version 1)",
        TRAEGER_V2,
        'sourceRef="gw_hilfe" targetRef="gw_vorgehen_merge"',
        'sourceRef="gw_hilfe" targetRef="meldung_jugendamt"',
        f"{TRAEGER_V2_PATHS}::test_hilfebedarf_help_refused_returns_to_the_leitung_not_to_a_meldung",
    ),
)
