"""Fristen (procedures.md § 4): parsing, Werktage around NRW holidays, DST, reminders, profiles.

Every instant is written out as Europe/Berlin wall time and checked against an explicit UTC value,
so an off-by-one-hour (DST) or off-by-one-day (holiday) bug fails loudly. No test reads the wall clock.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from engine.clock import BERLIN, FakeClock
from engine.deadlines.fristen import (
    ACCEPTED_FORMS,
    DEFAULT_PROFILE,
    Frist,
    Profile,
    default_profile_path,
    due,
    due_text,
    is_werktag,
    load_default_profile,
    parse_frist,
    reminder_at,
)
from engine.errors import ValidationFailed


def berlin(y: int, mo: int, d: int, h: int = 10, mi: int = 0, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BERLIN, fold=fold)


def utc(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


def due_of(value: str, start: datetime) -> datetime:
    return due(parse_frist(value), start)


def refusal(value: object) -> str:
    with pytest.raises(ValidationFailed) as caught:
        parse_frist(value)  # type: ignore[arg-type]
    assert list(caught.value.errors) == ["value"]
    [message] = caught.value.errors["value"]
    return message


# --- parsing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PT4H", Frist("duration", "PT4H", elapsed=timedelta(hours=4))),
        ("PT20S", Frist("duration", "PT20S", elapsed=timedelta(seconds=20))),
        ("PT30M", Frist("duration", "PT30M", elapsed=timedelta(minutes=30))),
        ("P8W", Frist("duration", "P8W", weeks=8)),
        ("P1M", Frist("duration", "P1M", months=1)),
        ("P1Y", Frist("duration", "P1Y", years=1)),
        ("P1DT2H", Frist("duration", "P1DT2H", days=1, elapsed=timedelta(hours=2))),
        ("P0DT4H", Frist("duration", "P0DT4H", elapsed=timedelta(hours=4))),
        (
            "P1Y2M3W4DT5H6M7S",
            Frist("duration", "P1Y2M3W4DT5H6M7S", 1, 2, 3, 4, timedelta(hours=5, minutes=6, seconds=7)),
        ),
        ("PT1.5H", Frist("duration", "PT1.5H", elapsed=timedelta(minutes=90))),
        ("PT0,5S", Frist("duration", "PT0,5S", elapsed=timedelta(milliseconds=500))),
        ("PT1H0.5M", Frist("duration", "PT1H0.5M", elapsed=timedelta(hours=1, seconds=30))),
        ("  PT4H  ", Frist("duration", "PT4H", elapsed=timedelta(hours=4))),
        ("1 Werktag", Frist("werktage", "1 Werktag", werktage=1)),
        ("1 Werktage", Frist("werktage", "1 Werktag", werktage=1)),
        ("3 Werktage", Frist("werktage", "3 Werktage", werktage=3)),
        ("3 Werktag", Frist("werktage", "3 Werktage", werktage=3)),
        ("10 werktage", Frist("werktage", "10 Werktage", werktage=10)),
        ("5 WERKTAGE", Frist("werktage", "5 Werktage", werktage=5)),
    ],
)
def test_accepted_forms_parse_to_their_parts(value: str, expected: Frist) -> None:
    assert parse_frist(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "3 Wochentage", "P-1D", "P", "PT", "P1DT", "0 Werktage", "00 Werktage", "03 Werktage", "-1 Werktag",
        "+1 Werktag", "1,5 Werktage", "3  Werktage", "3Werktage", "Werktage", "P1.5D", "P1,5W", "PT1.5H30M",
        "P0D", "PT0S", "PT0.0S", "P0Y0M0W0DT0H0M0S", "", "   ", "pt4h", "P4H", "4h", "4 Stunden", "PT4H5H",
        "P1D1Y", "P\u0663D", "\u0663 Werktage", "PT4H\n1D", "P1W 2D",
    ],
)  # fmt: skip
def test_everything_else_is_refused_with_the_accepted_forms(value: str) -> None:
    message = refusal(value)
    assert message.startswith("Unbekannte Frist.")
    assert ACCEPTED_FORMS in message
    for example in ("PT4H", "P8W", "P1DT2H", "Werktage", "1 Werktag"):
        assert example in message


def test_non_text_and_absurdly_long_values_are_refused() -> None:
    assert ACCEPTED_FORMS in refusal(None)
    assert ACCEPTED_FORMS in refusal(3)
    too_long = refusal("P101Y")
    assert too_long.startswith("Frist zu lang") and ACCEPTED_FORMS in too_long
    assert parse_frist("P100Y").years == 100
    assert "zu lang" in refusal("PT999999H")


# --- ISO durations: elapsed vs. calendar parts, DST -----------------------------------------------


def test_pt4h_across_spring_forward_is_four_real_hours() -> None:
    start = berlin(2026, 3, 29, 0, 30)  # CET, the night the clocks go forward
    assert start.utcoffset() == timedelta(hours=1)
    result = due_of("PT4H", start)
    assert result == utc(2026, 3, 29, 3, 30)
    assert result.astimezone(BERLIN).isoformat() == "2026-03-29T05:30:00+02:00"
    assert result.tzinfo is UTC


def test_pt4h_across_fall_back_is_four_real_hours() -> None:
    start = berlin(2026, 10, 25, 0, 30)  # CEST
    result = due_of("PT4H", start)
    assert result == utc(2026, 10, 25, 2, 30)
    assert result.astimezone(BERLIN).isoformat() == "2026-10-25T03:30:00+01:00"


def test_elapsed_time_from_the_second_occurrence_of_an_ambiguous_hour_is_not_re_resolved() -> None:
    start = berlin(2026, 10, 25, 2, 30, fold=1)  # 02:30 CET, the repeated hour
    assert start.astimezone(UTC) == utc(2026, 10, 25, 1, 30)
    assert due_of("PT1H", start) == utc(2026, 10, 25, 2, 30)


def test_p1d_keeps_the_wall_time_across_both_dst_changes() -> None:
    spring = due_of("P1D", berlin(2026, 3, 28, 10))
    assert spring == utc(2026, 3, 29, 8)  # 10:00 CEST: only 23 real hours later
    assert spring - berlin(2026, 3, 28, 10) == timedelta(hours=23)
    autumn = due_of("P1D", berlin(2026, 10, 24, 10))
    assert autumn == utc(2026, 10, 25, 9)  # 10:00 CET: 25 real hours later
    assert autumn - berlin(2026, 10, 24, 10) == timedelta(hours=25)


def test_p8w_is_56_calendar_days_at_the_same_wall_time() -> None:
    result = due_of("P8W", berlin(2026, 3, 1, 9, 15))  # CET → CEST
    assert result.astimezone(BERLIN).isoformat() == "2026-04-26T09:15:00+02:00"
    assert due_of("P8W", berlin(2026, 3, 1, 9, 15)) == due_of("P56D", berlin(2026, 3, 1, 9, 15))


def test_p1dt2h_steps_the_calendar_first_then_adds_real_hours() -> None:
    result = due_of("P1DT2H", berlin(2026, 3, 28, 10))
    assert result.astimezone(BERLIN).isoformat() == "2026-03-29T12:00:00+02:00"


def test_calendar_step_into_the_spring_forward_gap_resolves_forward() -> None:
    start = berlin(2026, 3, 28, 2, 30)  # Saturday 02:30 CET; Sunday 02:30 does not exist
    assert due_of("P1D", start) == utc(2026, 3, 29, 1, 30)
    assert due_of("P1D", start).astimezone(BERLIN).isoformat() == "2026-03-29T03:30:00+02:00"
    assert due_of("P1W", berlin(2026, 3, 22, 2, 30)) == utc(2026, 3, 29, 1, 30)
    assert due_of("P1DT1H", start).astimezone(BERLIN).isoformat() == "2026-03-29T04:30:00+02:00"


def test_calendar_step_into_the_fall_back_repeat_takes_the_first_occurrence() -> None:
    result = due_of("P1D", berlin(2026, 10, 24, 2, 30))  # Sunday 02:30 happens twice
    assert result == utc(2026, 10, 25, 0, 30)
    assert result.astimezone(BERLIN).isoformat() == "2026-10-25T02:30:00+02:00"


def test_months_and_years_clamp_to_the_end_of_the_month() -> None:
    assert due_of("P1M", berlin(2026, 1, 31)).astimezone(BERLIN).date() == date(2026, 2, 28)
    assert due_of("P1M", berlin(2028, 1, 31)).astimezone(BERLIN).date() == date(2028, 2, 29)
    assert due_of("P1Y", berlin(2028, 2, 29)).astimezone(BERLIN).date() == date(2029, 2, 28)
    assert due_of("P13M", berlin(2026, 12, 15)).astimezone(BERLIN).date() == date(2028, 1, 15)
    assert due_of("P1M1D", berlin(2026, 1, 31)).astimezone(BERLIN).date() == date(2026, 3, 1)


def test_calendar_parts_use_the_berlin_date_not_the_utc_date() -> None:
    start = utc(2026, 1, 31, 23, 30)  # already 1 February 00:30 in Berlin
    assert due_of("P1M", start).astimezone(BERLIN).isoformat() == "2026-03-01T00:30:00+01:00"


def test_naive_start_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        due_of("PT4H", datetime(2026, 1, 1, 10))  # deliberately naive
    with pytest.raises(ValueError):
        due_of("1 Werktag", datetime(2026, 1, 1, 10))


# --- Werktage around NRW holidays ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "value", "expected"),
    [
        # Christmas / New Year 2026/27: 24.12 and 31.12 are working days, 25./26.12 and 1.1 are not
        (berlin(2026, 12, 24), "1 Werktag", berlin(2026, 12, 28)),  # the spec's own example
        (berlin(2026, 12, 23), "1 Werktag", berlin(2026, 12, 24)),
        (berlin(2026, 12, 23), "2 Werktage", berlin(2026, 12, 28)),
        (berlin(2026, 12, 24), "3 Werktage", berlin(2026, 12, 30)),
        (berlin(2026, 12, 30), "1 Werktag", berlin(2026, 12, 31)),
        (berlin(2026, 12, 31), "1 Werktag", berlin(2027, 1, 4)),
        (berlin(2026, 12, 24), "5 Werktage", berlin(2027, 1, 4)),
        (berlin(2026, 12, 18), "10 Werktage", berlin(2027, 1, 5)),
        # Easter 2026: Karfreitag 3 April, Ostermontag 6 April
        (berlin(2026, 4, 2), "1 Werktag", berlin(2026, 4, 7)),
        (berlin(2026, 4, 2), "3 Werktage", berlin(2026, 4, 9)),
        (berlin(2026, 4, 1), "1 Werktag", berlin(2026, 4, 2)),
        # Christi Himmelfahrt (14 May), Pfingstmontag (25 May), Fronleichnam (4 June) 2026
        (berlin(2026, 5, 13), "1 Werktag", berlin(2026, 5, 15)),
        (berlin(2026, 5, 22), "1 Werktag", berlin(2026, 5, 26)),
        (berlin(2026, 6, 3), "1 Werktag", berlin(2026, 6, 5)),
        (berlin(2026, 6, 3), "3 Werktage", berlin(2026, 6, 9)),
        (berlin(2026, 5, 29), "5 Werktage", berlin(2026, 6, 8)),
        # Tag der Arbeit 2026 (Friday 1 May), Tag der Deutschen Einheit 2025 (Friday 3 October)
        (berlin(2026, 4, 30), "1 Werktag", berlin(2026, 5, 4)),
        (berlin(2025, 10, 2), "1 Werktag", berlin(2025, 10, 6)),
        # Allerheiligen 2027 is a Monday; the clocks also go back on 31 October 2027
        (berlin(2027, 10, 29), "1 Werktag", berlin(2027, 11, 2)),
        # holidays of other Länder are working days in NRW
        (berlin(2025, 10, 30), "1 Werktag", berlin(2025, 10, 31)),  # Reformationstag
        (berlin(2025, 11, 18), "1 Werktag", berlin(2025, 11, 19)),  # Buß- und Bettag
        (berlin(2026, 1, 5), "1 Werktag", berlin(2026, 1, 6)),  # Heilige Drei Könige
        (berlin(2026, 8, 14), "1 Werktag", berlin(2026, 8, 17)),  # Friday; Mariä Himmelfahrt is Saturday
        # weekend starts and starts on a holiday
        (berlin(2026, 12, 5), "1 Werktag", berlin(2026, 12, 7)),  # Saturday
        (berlin(2026, 12, 6), "1 Werktag", berlin(2026, 12, 7)),  # Sunday
        (berlin(2026, 12, 4), "1 Werktag", berlin(2026, 12, 7)),  # Friday
        (berlin(2026, 12, 25), "1 Werktag", berlin(2026, 12, 28)),  # 1. Weihnachtstag
        (berlin(2026, 4, 3, 14, 45), "1 Werktag", berlin(2026, 4, 7, 14, 45)),  # Karfreitag
        (berlin(2026, 6, 4, 23, 59), "1 Werktag", berlin(2026, 6, 5, 23, 59)),  # Fronleichnam
    ],
)
def test_werktage_around_nrw_holidays(start: datetime, value: str, expected: datetime) -> None:
    result = due_of(value, start)
    assert result == expected
    assert result.tzinfo is UTC


def test_the_working_day_calendar_itself() -> None:
    assert is_werktag(date(2026, 12, 24)) and is_werktag(date(2026, 12, 31))
    for holiday in (date(2026, 12, 25), date(2026, 12, 26), date(2027, 1, 1), date(2026, 4, 3), date(2026, 4, 6),
                    date(2026, 5, 25), date(2026, 6, 4), date(2027, 11, 1), date(2025, 10, 3)):  # fmt: skip
        assert not is_werktag(holiday), holiday
    assert not is_werktag(date(2026, 12, 5)) and not is_werktag(date(2026, 12, 6))


def test_werktage_keep_the_local_time_across_both_dst_changes() -> None:
    spring = due_of("1 Werktag", berlin(2026, 3, 27, 10))  # Friday CET → Monday CEST
    assert spring == utc(2026, 3, 30, 8)
    autumn = due_of("1 Werktag", berlin(2026, 10, 23, 10))  # Friday CEST → Monday CET
    assert autumn == utc(2026, 10, 26, 9)
    allerheiligen = due_of("1 Werktag", berlin(2027, 10, 29, 10))
    assert allerheiligen.astimezone(BERLIN).isoformat() == "2027-11-02T10:00:00+01:00"


def test_werktage_from_an_ambiguous_or_odd_local_time() -> None:
    # Sunday 02:30 CET (second occurrence) on the fall-back day: the local time of day is 02:30
    assert due_of("1 Werktag", berlin(2026, 10, 25, 2, 30, fold=1)) == utc(2026, 10, 26, 1, 30)
    # Saturday 02:30 before the spring-forward Sunday: Monday 02:30 CEST exists
    assert due_of("1 Werktag", berlin(2026, 3, 28, 2, 30)) == utc(2026, 3, 30, 0, 30)


def test_werktage_count_from_the_berlin_date_not_the_utc_date() -> None:
    # 23:30 UTC on 24 December is already 25 December 00:30 in Berlin (a holiday)
    assert due_of("1 Werktag", utc(2026, 12, 24, 23, 30)) == berlin(2026, 12, 28, 0, 30)
    # 23:30 UTC on 23 December is 24 December 00:30 in Berlin (a working day)
    assert due_of("1 Werktag", utc(2026, 12, 23, 23, 30)) == berlin(2026, 12, 28, 0, 30)
    assert due_of("1 Werktag", utc(2026, 12, 23, 22, 59)) == berlin(2026, 12, 24, 23, 59)


def test_werktage_keep_seconds_and_microseconds() -> None:
    start = datetime(2026, 6, 3, 8, 7, 6, 543_210, tzinfo=BERLIN)
    assert due_of("1 Werktag", start) == datetime(2026, 6, 5, 8, 7, 6, 543_210, tzinfo=BERLIN)


# --- reminders and a fake clock ---------------------------------------------------------------------


def test_reminder_fires_at_75_percent_of_the_real_elapsed_time() -> None:
    start = berlin(2026, 3, 29, 0, 30)
    assert reminder_at(start, due_of("PT4H", start)) == utc(2026, 3, 29, 2, 30)  # three real hours
    christmas = berlin(2026, 12, 24)
    assert reminder_at(christmas, due_of("1 Werktag", christmas)) == berlin(2026, 12, 27, 10)  # 72 of 96 h
    spring = berlin(2026, 3, 27, 10)  # Friday → Monday spans only 71 real hours
    assert reminder_at(spring, due_of("1 Werktag", spring)) == spring.astimezone(UTC) + timedelta(hours=53, minutes=15)


def test_reminder_edge_cases() -> None:
    start = utc(2026, 1, 5, 9)
    assert reminder_at(start, start + timedelta(microseconds=1)) == start  # floored, never after due
    assert reminder_at(start, start) == start
    assert reminder_at(start, start).tzinfo is UTC
    with pytest.raises(ValueError):
        reminder_at(start, start - timedelta(seconds=1))
    with pytest.raises(ValueError):
        reminder_at(datetime(2026, 1, 5, 9), start)  # deliberately naive


def test_a_deadline_armed_from_a_fake_clock_becomes_due_exactly_when_the_clock_gets_there() -> None:
    clock = FakeClock(berlin(2026, 12, 24, 10))
    armed_at = clock.now()
    due_at = due(parse_frist(DEFAULT_PROFILE["eindruck_gelb"]), armed_at)
    remind = reminder_at(armed_at, due_at)
    clock.advance(timedelta(hours=71, minutes=59))
    assert clock.now() < remind
    clock.set(remind)
    assert clock.now() < due_at
    clock.advance(timedelta(hours=24) - timedelta(microseconds=1))
    assert clock.now() < due_at
    clock.advance(timedelta(microseconds=1))
    assert clock.now() == due_at == berlin(2026, 12, 28, 10)


def test_fake_clock_across_the_spring_forward_night() -> None:
    clock = FakeClock(berlin(2026, 3, 29, 0, 30))
    due_at = due(parse_frist("PT4H"), clock.now())
    clock.advance(timedelta(hours=4))
    assert clock.now() == due_at
    assert clock.now().astimezone(BERLIN).strftime("%H:%M %Z") == "05:30 CEST"


# --- the CLI helper -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "start", "expected"),
    [
        ("1 Werktag", "2026-12-24T10:00:00+01:00", "2026-12-28T10:00:00+01:00"),
        ("1 Werktag", "2026-12-24T09:00:00Z", "2026-12-28T10:00:00+01:00"),
        ("PT4H", "2026-03-29T00:30:00+01:00", "2026-03-29T05:30:00+02:00"),
        ("P1D", "2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00"),
        ("P8W", "2026-03-01T09:15:00+01:00", "2026-04-26T09:15:00+02:00"),
        ("3 werktage", "2026-06-03T08:00:00.250000+02:00", "2026-06-09T08:00:00.250000+02:00"),
    ],
)
def test_due_text_prints_one_berlin_instant_with_offset(value: str, start: str, expected: str) -> None:
    assert due_text(value, start) == expected


@pytest.mark.parametrize("start", ["2026-12-24T10:00:00", "2026-12-24", "morgen", "", "2026-13-01T10:00+01:00"])
def test_due_text_refuses_a_start_without_offset_or_unparseable(start: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        due_text("1 Werktag", start)
    assert list(caught.value.errors) == ["from"]
    assert "Zeitzone" in caught.value.errors["from"][0]


def test_due_text_refuses_a_bad_value_with_the_accepted_forms() -> None:
    with pytest.raises(ValidationFailed) as caught:
        due_text("3 Wochentage", "2026-12-24T10:00:00+01:00")
    assert caught.value.errors == {"value": [f"Unbekannte Frist. {ACCEPTED_FORMS}"]}


# --- profiles ---------------------------------------------------------------------------------------------

SPEC_TABLE = {
    "leitung_informieren": "PT4H",
    # issue 12: the Fachberatung Kindertagespflege as the second person of a Tagespflegeperson (§ 8a Abs. 5)
    "fachberatung_kindertagespflege": "1 Werktag",
    "insofa_beratung": "3 Werktage",
    "beteiligung_familie": "5 Werktage",
    "meldung_schriftlich": "1 Werktag",
    "rueckmeldung_erwartet": "10 Werktage",
    "schutzplan_max": "P8W",
    "ersteinschaetzung": "PT4H",
    "eindruck_rot": "PT4H",
    "eindruck_gelb": "1 Werktag",
    "eindruck_gruen": "5 Werktage",
    "gefaehrdungseinschaetzung": "5 Werktage",
    "rueckmeldung_melder": "10 Werktage",
    # issue 10: every user task has a Frist; the intake of a Sofortmeldung runs on `akut`
    "unverzueglich": "1 Werktag",
    "akut": "PT1H",
}


def test_default_profile_is_exactly_the_procedures_table() -> None:
    assert dict(DEFAULT_PROFILE) == SPEC_TABLE
    data = json.loads(default_profile_path().read_text(encoding="utf-8"))
    assert data["format"] == 1 and data["version"] == 1 and data["values"] == SPEC_TABLE
    with pytest.raises(TypeError):
        DEFAULT_PROFILE["eindruck_rot"] = "PT1H"  # type: ignore[index]


@pytest.mark.parametrize(
    "content",
    [
        {"format": 2, "version": 1, "values": {"a": "PT4H"}},
        {"format": 1, "version": 1, "values": {"a": "3 Wochentage"}},
        {"format": 1, "version": 1, "values": {}},
        {"format": 1, "version": 1},
        ["PT4H"],
    ],
)
def test_a_broken_profile_file_is_refused_on_load(tmp_path: Path, content: object) -> None:
    path = tmp_path / "default.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(ValueError):
        load_default_profile(path)


def test_profile_without_overrides_is_the_default() -> None:
    profile = Profile()
    assert profile.merged() == SPEC_TABLE
    assert list(profile.merged()) == list(SPEC_TABLE)
    assert profile.value("eindruck_gelb") == "1 Werktag"
    assert profile.frist("schutzplan_max") == Frist("duration", "P8W", weeks=8)


def test_override_applies_normalised_and_leaves_the_original_untouched() -> None:
    base = Profile(DEFAULT_PROFILE, {})
    changed = base.with_override("insofa_beratung", "2 werktag")
    assert changed.value("insofa_beratung") == "2 Werktage"
    assert changed.overrides == {"insofa_beratung": "2 Werktage"}
    assert base.value("insofa_beratung") == "3 Werktage"
    assert changed.merged() == {**SPEC_TABLE, "insofa_beratung": "2 Werktage"}
    assert changed.frist("insofa_beratung").werktage == 2
    reset = changed.without_override("insofa_beratung")
    assert reset == base and reset.overrides == {}


def test_unknown_key_is_refused_with_the_known_keys() -> None:
    for attempt in (
        lambda: Profile().with_override("eindruck_blau", "PT4H"),
        lambda: Profile().value("eindruck_blau"),
        lambda: Profile(DEFAULT_PROFILE, {"eindruck_blau": "PT4H"}),
    ):
        with pytest.raises(ValidationFailed) as caught:
            attempt()
        assert list(caught.value.errors) == ["key"]
        [message] = caught.value.errors["key"]
        assert all(key in message for key in SPEC_TABLE)
        assert "eindruck_blau" not in message


def test_unparseable_override_is_refused_with_the_accepted_forms() -> None:
    for bad in ("3 Wochentage", "P-1D", "0 Werktage"):
        with pytest.raises(ValidationFailed) as caught:
            Profile().with_override("eindruck_rot", bad)
        assert caught.value.errors == {"value": [f"Unbekannte Frist. {ACCEPTED_FORMS}"]}
    with pytest.raises(ValidationFailed):
        Profile(DEFAULT_PROFILE, {"eindruck_rot": "P"})
    with pytest.raises(ValidationFailed):
        Profile({"eindruck_rot": "4 Stunden"}, {})


def test_profile_is_immutable() -> None:
    profile = Profile().with_override("eindruck_rot", "PT2H")
    with pytest.raises(TypeError):
        profile.overrides["eindruck_rot"] = "PT1H"  # type: ignore[index]
    source = {"eindruck_rot": "PT2H"}
    copied = Profile(DEFAULT_PROFILE, source)
    source["eindruck_rot"] = "PT9H"
    assert copied.value("eindruck_rot") == "PT2H"
