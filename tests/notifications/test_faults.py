"""Notices that always arrive, tried against the real services: a Celery worker process killed with SIGKILL in the
middle of the feedback batch, the mail server down during publication, every message delivered twice, and Redis
restarted mid-batch. Each test publishes a small quarter (four people and the report), breaks something, lets the
product recover on its own, and counts: every document rendered once, every notice e-mailed once (by
Message-ID, at the test's own SMTP server), none lost. The figures are printed at the end of the run.
"""

import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings

from documents.models import FeedbackDocument
from documents.tasks import feedback_batch_start, feedback_render
from interviews.tasks import interview_requests
from notifications.models import Notice, Notification
from notifications.tasks import outbox_drain
from portal.quarter_services import quarter_publish
from tests.notifications.conftest import PEOPLE, approved_quarter_with_drafts
from tests.notifications.faults import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

DOCUMENTS = len(PEOPLE) + 1  # one per person and the report to the leadership group
SETTLE_SECONDS = 300  # the machine is shared: a PDF can take seconds, a recovery waits for timeouts


def statuses(quarter) -> Counter:
    return Counter(FeedbackDocument.objects.filter(quarter=quarter).values_list("status", flat=True))


def email_notices():
    return list(Notice.objects.exclude(email_to="").order_by("pk"))


def broker_idle(url) -> bool:
    """Nothing queued and nothing held unacknowledged (a killed worker's messages have been given back)."""
    client = redis.Redis.from_url(url)
    try:
        return client.llen("celery") == 0 and client.hlen("unacked") == 0
    finally:
        client.close()


def settled(rig, quarter) -> bool:
    """Every document finished, every e-mail accepted, and the broker idle (no redelivery still to come)."""
    documents = statuses(quarter)
    if documents[FeedbackDocument.Status.DONE] != DOCUMENTS:
        return False
    notices = email_notices()
    if not notices or any(notice.status != Notice.Status.SENT for notice in notices):
        return False
    return broker_idle(rig.broker)


def wait_until_settled(rig, quarter):
    try:
        wait_for(lambda: settled(rig, quarter), timeout=SETTLE_SECONDS, interval=0.5, what="the batch and the outbox")
    except AssertionError as error:
        state = {
            "documents": dict(statuses(quarter)),
            "notices": [(n.kind, n.status, n.attempts, n.last_error[:80]) for n in email_notices()],
            "broker_idle": broker_idle(rig.broker),
        }
        raise AssertionError(f"{error}: {state}\n{rig.worker.logs()}") from None
    time.sleep(2)  # anything still in flight would show now
    assert settled(rig, quarter)


def feedback_files(quarter) -> list[Path]:
    return sorted((Path(settings.PRIVATE_MEDIA_ROOT) / "feedback" / str(quarter.pk)).glob("*.pdf"))


def count_and_check(record_property, rig, quarter, *, label, extra=""):
    """The figures (expected / delivered / duplicated) for documents and notices, recorded, then asserted."""
    documents = list(FeedbackDocument.objects.filter(quarter=quarter))
    files = feedback_files(quarter)
    done = [d for d in documents if d.status == FeedbackDocument.Status.DONE and d.file]
    notices = email_notices()
    expected_ids = {notice.message_id for notice in notices}
    received = rig.sink.message_ids()
    delivered = [message_id for message_id in expected_ids if received[message_id] >= 1]
    duplicated = sum(count - 1 for message_id, count in received.items() if count > 1)
    unexpected = sum(count for message_id, count in received.items() if message_id not in expected_ids)
    result_notices = Notice.objects.filter(kind="result_out").count()
    in_app = Notification.objects.filter(kind="result_out").count()
    figures = (
        f"{label}: documents {DOCUMENTS} expected / {len(done)} delivered / {len(files) - len(done)} duplicated; "
        f"notices {len(notices)} expected / {len(delivered)} delivered / {duplicated} duplicated "
        f"({result_notices} result notices, {in_app} in the app){extra}"
    )
    record_property("fault_figures", figures)
    print(figures)  # noqa: T201 — also in the test's own output
    assert len(documents) == len(done) == DOCUMENTS, figures
    assert len(files) == DOCUMENTS, figures  # one file per document: no render kept twice
    assert {Path(d.file.path) for d in done} == set(files), figures
    assert len(delivered) == len(notices) and duplicated == 0 and unexpected == 0, figures
    assert result_notices == in_app == len(PEOPLE), figures


def wait_mid_batch(quarter):
    """Until at least one document is done and another is rendering: the middle of the batch."""

    def middle():
        documents = statuses(quarter)
        if documents[FeedbackDocument.Status.DONE] == DOCUMENTS:
            raise AssertionError("the batch finished before it could be interrupted")
        return documents[FeedbackDocument.Status.DONE] >= 1 and documents[FeedbackDocument.Status.RUNNING] >= 1

    wait_for(middle, timeout=SETTLE_SECONDS, interval=0.05, what="the middle of the batch")
    return statuses(quarter)


def test_a_worker_killed_mid_batch_and_restarted_renders_every_document_and_sends_every_notice_once(
    firm, fault_rig, record_property
):
    # Given a worker process and a working mail server
    fault_rig.connect()
    fault_rig.sink.start()
    fault_rig.start_worker()
    quarter = approved_quarter_with_drafts(firm)

    # When the execution group publishes and the worker is killed (SIGKILL) while it renders a document
    quarter_publish(quarter=quarter, by=firm.executor)
    at_kill = wait_mid_batch(quarter)
    fault_rig.worker.kill()
    unfinished = DOCUMENTS - statuses(quarter)[FeedbackDocument.Status.DONE]
    assert unfinished >= 1
    # And a worker is started again (a restart policy, an operator)
    fault_rig.start_worker()
    wait_until_settled(fault_rig, quarter)

    # Then every document was rendered once and every notice e-mailed once
    count_and_check(
        record_property,
        fault_rig,
        quarter,
        label="worker killed mid-batch",
        extra=f"; killed with {dict(at_kill)}, {unfinished} documents unfinished",
    )


def test_the_mail_server_down_during_publication_delays_the_notices_and_each_arrives_once_when_it_is_back(
    firm, fault_rig, record_property
):
    # Given the mail server is down (nothing listens on its port)
    fault_rig.connect()
    fault_rig.start_worker()
    quarter = approved_quarter_with_drafts(firm)

    # When the execution group publishes
    quarter_publish(quarter=quarter, by=firm.executor)

    # Then every document is finished all the same, and every person has the result notice in the app
    wait_for(
        lambda: statuses(quarter)[FeedbackDocument.Status.DONE] == DOCUMENTS, timeout=SETTLE_SECONDS, what="documents"
    )
    assert Notification.objects.filter(kind="result_out").count() == len(PEOPLE)
    # And the e-mails wait in the outbox, retried with backoff, none sent and none lost
    wait_for(lambda: sum(n.attempts for n in email_notices()) >= 3, timeout=SETTLE_SECONDS, what="retries while down")
    waiting = email_notices()
    assert waiting and all(notice.status == Notice.Status.PENDING for notice in waiting)
    assert any("refused" in notice.last_error.lower() for notice in waiting)
    attempts_while_down = sum(notice.attempts for notice in waiting)

    # When the mail server comes back
    fault_rig.sink.start()
    wait_until_settled(fault_rig, quarter)

    # Then every notice arrived once
    count_and_check(
        record_property,
        fault_rig,
        quarter,
        label="SMTP down during publication",
        extra=f"; {attempts_while_down} failed attempts while down",
    )


def duplicate_queued_messages(url) -> int:
    """Deliver every queued message twice: the same bytes again, as the broker does when it gives back a message
    it thinks was lost (kombu re-queues the stored payload)."""
    client = redis.Redis.from_url(url)
    try:
        payloads = client.lrange("celery", 0, -1)
        for payload in payloads:
            client.lpush("celery", payload)
        return len(payloads)
    finally:
        client.close()


def snapshot(quarter, sink):
    documents = sorted(FeedbackDocument.objects.filter(quarter=quarter).values_list("pk", "status", "attempts", "file"))
    notices = sorted(Notice.objects.values_list("key", "status", "attempts", "sent_at"))
    return (
        documents,
        notices,
        Notification.objects.count(),
        sink.message_ids(),
        [p.name for p in feedback_files(quarter)],
    )


def test_every_message_delivered_twice_changes_nothing_the_second_time(firm, fault_rig, record_property):
    # Given a mail server, and the worker not yet running
    fault_rig.connect()
    fault_rig.sink.start()
    quarter = approved_quarter_with_drafts(firm)

    # When the quarter is published and each of its messages (the batch, the interview requests) is delivered twice
    quarter_publish(quarter=quarter, by=firm.executor)
    first = duplicate_queued_messages(fault_rig.broker)
    fault_rig.start_worker()
    wait_until_settled(fault_rig, quarter)
    before = snapshot(quarter, fault_rig.sink)

    # And later every render, the batch, the interview requests and a drain arrive again, each twice
    fault_rig.worker.stop()
    for document in FeedbackDocument.objects.filter(quarter=quarter):
        feedback_render.delay(document.pk)
    feedback_batch_start.delay(quarter.pk)
    interview_requests.delay(quarter.pk)
    outbox_drain.delay()
    second = duplicate_queued_messages(fault_rig.broker)
    fault_rig.start_worker()
    wait_until_settled(fault_rig, quarter)

    # Then nothing changed: the same documents, files and attempts, the same notices, no e-mail more
    assert snapshot(quarter, fault_rig.sink) == before
    count_and_check(
        record_property,
        fault_rig,
        quarter,
        label="every message delivered twice",
        extra=f"; {first} + {second} messages duplicated",
    )


def test_redis_restarted_mid_batch_loses_and_doubles_nothing(firm, fault_rig, record_property):
    # Given Redis (the test's own, with the append-only file as deployed), a worker and a mail server
    fault_rig.connect()
    fault_rig.sink.start()
    fault_rig.start_worker()
    quarter = approved_quarter_with_drafts(firm)

    # When Redis is restarted while the batch renders
    quarter_publish(quarter=quarter, by=firm.executor)
    at_restart = wait_mid_batch(quarter)
    fault_rig.redis.restart()
    wait_until_settled(fault_rig, quarter)

    # Then every document was rendered once and every notice e-mailed once
    count_and_check(
        record_property,
        fault_rig,
        quarter,
        label="Redis restarted mid-batch",
        extra=f"; restarted at {dict(at_restart)}",
    )
