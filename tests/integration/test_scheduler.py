"""Deadlines fire exactly once across nodes (two schedulers on one database), fire at start-up what
fell due while nothing ran, and send mails that name no child — a failing mail server delays the
mail, never the deadline."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from engine.bootstrap import build_engine
from engine.deadlines.scheduler import DeadlineScheduler
from engine.persistence import models as m
from tests.support.cases import BEOBACHTUNG


def _documented_cases(world, child, n):
    for _ in range(n):
        case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
        world.engine.complete_task(world["kita_fk"], case.open_tasks[0].id, BEOBACHTUNG)


def _counts(engine):
    with engine.work() as (uow, _):
        types = [
            e.type
            for e in engine.vault.read(uow.session.connection(), types=["deadline.reminder", "deadline.escalated"])
        ]
        escalations = uow.session.query(m.OpenTask).filter_by(kind="frist_klaeren").count()
        pending = uow.session.query(m.Deadline).filter(m.Deadline.state.in_(("pending", "reminded"))).count()
    return types.count("deadline.reminder"), types.count("deadline.escalated"), escalations, pending


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_schedulers_on_one_postgresql_database_fire_each_deadline_once(world, child, clock, database_url, instance):
    n = 12
    _documented_cases(world, child, n)
    clock.advance(timedelta(days=1))  # every reminder and escalation is due
    other = build_engine(database_url, clock, instance)
    schedulers = [DeadlineScheduler(world.engine), DeadlineScheduler(other)]
    try:
        for scheduler in schedulers:
            scheduler.start()
        deadline = time.monotonic() + 60
        while _counts(world.engine)[3] and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for scheduler in schedulers:
            scheduler.stop()
        other.db.dispose()
    assert _counts(world.engine) == (n, n, n, 0)
    assert sum(len(s.fired) for s in schedulers) == 2 * n
    assert all(s.fired for s in schedulers) or n < 2  # both really worked (not one idle node)


def _on_two_nodes(world, database_url, clock, instance, call):
    """`call(engine)` on this node and a second engine on the same database at the same moment."""
    other = build_engine(database_url, clock, instance)
    barrier, results = threading.Barrier(2), []

    def run(engine):
        barrier.wait()
        results.append(call(engine))

    threads = [threading.Thread(target=run, args=(e,)) for e in (world.engine, other)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        other.db.dispose()
    return results


def test_racing_run_due_calls_fire_each_deadline_once(world, child, clock, database_url, instance):
    n = 8
    _documented_cases(world, child, n)
    clock.advance(timedelta(days=1))
    results = _on_two_nodes(world, database_url, clock, instance, lambda engine: engine.run_due())
    assert sorted(line for lines in results for line in lines) == sorted(
        line for lines in results for line in set(lines)
    )
    assert _counts(world.engine) == (n, n, n, 0)


@pytest.fixture
def smtp_server():
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:  # aiosmtpd needs a concrete port to check that it is up
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield f"smtp://127.0.0.1:{port}", received
    controller.stop()


def _set_email(engine, username, address):
    with engine.writing() as uow:
        uow.session.query(m.User).filter_by(username=username).update({"email": address})
        uow.commit()


def test_reminder_mail_names_reference_and_task_only(world, child, clock, smtp_server):
    url, received = smtp_server
    _set_email(world.engine, "kita_leitung", "leitung@kita.example")
    _documented_cases(world, child, 1)
    clock.advance(timedelta(hours=3))
    assert world.engine.run_due()[0].endswith("reminder")
    assert world.engine.send_notifications(url, "https://schutzpfad.example") == 1
    [mail] = received
    text = mail.content.decode()
    assert mail.rcpt_tos == ["leitung@kita.example"]
    assert "KS-2026-000001" in text and "Leitung informieren" in text and "https://schutzpfad.example/faelle/" in text
    for secret in (child["vorname"], child["nachname"], "Markt 1", BEOBACHTUNG["beobachtungen"]):
        assert secret not in text


def test_failing_mail_server_delays_the_mail_not_the_deadline(world, child, clock):
    _set_email(world.engine, "kita_leitung", "leitung@kita.example")
    _documented_cases(world, child, 1)
    clock.advance(timedelta(hours=5))
    assert [line.split(": ")[1] for line in world.engine.run_due()] == ["reminder", "escalated"]
    assert world.engine.send_notifications("smtp://127.0.0.1:1", "https://x.example") == 0
    with world.engine.reading() as uow:
        notes = [(n.sent_at, n.attempts, n.next_attempt_at) for n in uow.session.query(m.Notification)]
    assert len(notes) == 2 and all(sent is None and attempts == 1 for sent, attempts, _ in notes)
    assert all(retry > clock.now() for _, _, retry in notes)  # retried later, with back-off


def test_two_nodes_sending_the_outbox_send_each_mail_once(world, child, clock, smtp_server, database_url, instance):
    """Every `serve` runs a scheduler: two nodes emptying the outbox at once claim each mail once."""
    url, received = smtp_server
    _set_email(world.engine, "kita_leitung", "leitung@kita.example")
    _set_email(world.engine, "kita_leitung2", "leitung2@kita.example")
    _documented_cases(world, child, 4)
    clock.advance(timedelta(hours=3))
    world.engine.run_due()
    sent = _on_two_nodes(
        world, database_url, clock, instance, lambda engine: engine.send_notifications(url, "https://x.example")
    )
    with world.engine.reading() as uow:
        outbox = uow.session.query(m.Notification).count()
    assert outbox == 8 and sum(sent) == 8 and len(received) == 8


def test_a_claimed_mail_is_not_sent_by_another_node_until_its_lease_ends(world, child, clock):
    from engine.deadlines.notifications import CLAIM_LEASE, claim_next

    _set_email(world.engine, "kita_leitung", "leitung@kita.example")
    _documented_cases(world, child, 1)
    clock.advance(timedelta(hours=3))
    world.engine.run_due()
    first = world.engine.tx.command(claim_next)
    assert first is not None and world.engine.tx.command(claim_next) is None  # taken by the first node
    clock.advance(CLAIM_LEASE + timedelta(seconds=1))  # that node died while sending
    again = world.engine.tx.command(claim_next)
    assert again is not None and again.id == first.id
