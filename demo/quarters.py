"""The demo firm's assessment history: past quarters run through the real services, the last one left open.

After `seed_demo` the firm looks like a firm in its fourth quarter of using the product:
- the three oldest completed quarters went the whole way (scheme approved, ratings given, scored, reported,
  approved by a second partner, published, interviews held and acknowledged, closed); the two latest of them
  also had an appeal, one upheld with a corrected result and one rejected (demo/appeals.py);
- the latest completed quarter is collecting its data: the rating round is mostly answered, so the execution
  group can score it, write the report and submit it, and a partner can approve it;
- the current quarter has a draft scheme copied from the last one, waiting for the leadership group.
Everything goes through the same services the pages use, so the demo can never hold a state the product could
not reach. Only the dates of past events are moved back to when they would have happened.
"""

import datetime
import random
from contextlib import contextmanager

from django.contrib.auth.models import User
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from demo.firm import STAFF, at_hour, completed_quarters
from interviews.models import ImprovementItem, Interview
from results.models import Scorecard
from reviews.models import Quarter, QuarterEvent, QuarterState

# Mean rating (1–5) a colleague of each tier receives for communication and collaboration.
RATING_MEANS = {"A": 4.6, "B": 4.1, "C": 3.5, "D": 2.7, "P": 4.5, "-": 4.0}
# Share of rating assignments already answered in the quarter that is still collecting.
OPEN_QUARTER_ANSWERED = 0.85

# When each step of a past quarter happened, in days after the quarter's last day (regulation 三.1: results by
# the 10th of the next month; 三.5: interviews within a week of publication).
STEP_DAYS = {
    "approve_scheme": -88,
    "start_collecting": 1,
    "score": 4,
    "submit": 5,
    "approve": 7,
    "publish": 8,
    "close": 20,
}


def _clamp(value):
    return max(1, min(5, round(value)))


def _tiers():
    return {row[0]: row[5] for row in STAFF}


def _answer_ratings(quarter, users, rng, *, share=1.0):
    from indicators.models import RatingAssignment
    from indicators.ratings import rating_give

    tiers = _tiers()
    assignments = RatingAssignment.objects.filter(round__quarter=quarter).select_related("rater__user", "ratee__user")
    for assignment in assignments.order_by("pk"):
        if rng.random() >= share:
            continue
        mean = RATING_MEANS[tiers.get(assignment.ratee.user.username, "-")]
        rating_give(
            assignment=assignment,
            by=assignment.rater.user,
            score=_clamp(rng.gauss(mean, 0.6)),
            now=at_hour(quarter.ends_on + datetime.timedelta(days=1)),
            today=quarter.ends_on,
        )


def _summary(quarter):
    cards = Scorecard.objects.filter(quarter=quarter, is_current=True)
    count = cards.count()
    excellent = cards.filter(total__gte=90).count()
    return (
        f"{quarter.code} 共考核 {count} 人，其中优秀 {excellent} 人。各部门数据按时报送，满意度调查覆盖全部承办律师；"
        "新客户开发整体稳定，投诉处理及时率仍需提高，建议行政部加强 48 小时内回访。"
    )


def _hold_interviews(quarter, published_on):
    """Past quarters: every superior held, recorded and had acknowledged the interview within the week."""
    cards = (
        Scorecard.objects.filter(quarter=quarter, is_current=True, status=Scorecard.Status.PUBLISHED)
        .select_related("staff__superior__user", "staff")
        .order_by("staff_id")
    )
    for card in cards:
        superior = card.staff.superior
        if superior is None:
            continue
        held = at_hour(published_on + datetime.timedelta(days=3), hour=15)
        interview = Interview.objects.create(
            quarter=quarter,
            staff=card.staff,
            superior=superior,
            scheduled_at=held,
            place="第二会议室",
            scheduled_by=superior.user,
            held_at=held,
            strengths=f"本季度总分 {card.total}，{card.grade}；客户沟通主动，服务态度获客户认可。",
            weaknesses="部分投诉回应不够及时；新客户开发渠道较单一。",
            goals="下季度新增客户不少于 3 家，满意度保持在 4.5 分以上。",
            recorded_by=superior.user,
            recorded_at=held,
            acknowledged_at=held + datetime.timedelta(days=1),
            acknowledgement_comment="已了解，按计划改进。",
        )
        ImprovementItem.objects.create(
            interview=interview,
            description="每周复盘客户回访记录，投诉 24 小时内首次回复",
            owner=card.staff,
            due_on=quarter.ends_on + datetime.timedelta(days=75),
            done=True,
        )


def _backdate(quarter, published_on):
    """Move the recorded steps of a past quarter, and of its appeals, to the days they would have happened."""
    from demo.appeals import demo_appeals_backdate

    for event in quarter.events.all():
        days = STEP_DAYS.get(event.action)
        if days is not None:
            QuarterEvent.objects.filter(pk=event.pk).update(at=at_hour(quarter.ends_on + datetime.timedelta(days=days)))
    Quarter.objects.filter(pk=quarter.pk).update(published_at=at_hour(published_on))
    demo_appeals_backdate(quarter, published_on)


# Whose feedback PDFs of past quarters the demo renders (the demo logins that are assessed); the rest of the
# firm's history predates the product and has no documents, which also keeps `make run` quick.
DEMO_FEEDBACK_FOR = ("lawyer", "assistant", "senior", "executor", "admclerk")


@contextmanager
def _history_without_email():
    """The history is not news: its notices stay in the people's lists, but no e-mail goes out (locally the
    console back-end would print every one of them into seed_demo's summary)."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", NOTICE_EMAIL=False):
        yield


@contextmanager
def _history_publication():
    """Publishing a past quarter must not e-mail the whole firm or render its PDFs: detach those receivers."""
    from documents.receivers import on_quarter_published as start_feedback
    from interviews.receivers import on_quarter_published as ask_for_interviews
    from reviews.lifecycle import quarter_published

    receivers = {"documents.quarter_published": start_feedback, "interviews.quarter_published": ask_for_interviews}
    for uid in receivers:
        quarter_published.disconnect(dispatch_uid=uid)
    try:
        yield
    finally:
        for uid, receiver in receivers.items():
            quarter_published.connect(receiver, dispatch_uid=uid)


def _file_history_notifications(quarter, *, since):
    """A past quarter's notices are old news: dated the day the quarter closed, and read (the bell of a demo login
    would otherwise count months-old notices as new)."""
    from notifications.models import Notification

    closed = at_hour(quarter.ends_on + datetime.timedelta(days=STEP_DAYS["close"]))
    Notification.objects.filter(created_at__gte=since).update(created_at=closed, read_at=closed)


def _render_demo_feedback(quarter):
    from documents.feedback import feedback_document_render
    from documents.models import FeedbackDocument

    # Every published version: a result corrected after an upheld appeal keeps the first version's document.
    cards = (
        Scorecard.objects.filter(
            quarter=quarter, status=Scorecard.Status.PUBLISHED, staff__user__username__in=DEMO_FEEDBACK_FOR
        )
        .select_related("staff")
        .order_by("staff_id", "version")
    )
    for card in cards:
        document, _ = FeedbackDocument.objects.get_or_create(
            scorecard=card,
            version=card.version,
            defaults={"quarter": quarter, "kind": FeedbackDocument.Kind.FEEDBACK, "language": card.staff.language},
        )
        feedback_document_render(document_id=document.pk)


def _run_past_quarter(quarter, users, rng, appeal=None):
    from indicators.ratings import rating_round_close, rating_round_open
    from indicators.schemes import scheme_approve, scheme_start_for_quarter
    from portal import quarter_services as steps

    executor, partner, second_partner = users["executor"], users["partner"], users["lizhiming"]
    scheme = scheme_start_for_quarter(quarter=quarter, by=executor)
    scheme_approve(scheme=scheme, by=partner, comment="同意本季度考核方案。")
    steps.quarter_start_collecting(quarter=quarter, by=executor, today=quarter.ends_on + datetime.timedelta(days=1))
    rating_round = rating_round_open(quarter=quarter, by=executor, today=quarter.ends_on)
    _answer_ratings(quarter, users, rng)
    rating_round_close(
        rating_round=rating_round, by=executor, now=at_hour(quarter.ends_on + datetime.timedelta(days=3))
    )
    # The invented past: scored as it was, whatever its completeness board says (regulation 二.3).
    steps.quarter_score(quarter=quarter, by=executor, incomplete_data_reason="演示数据")
    steps.quarter_report_summary_update(quarter=quarter, by=executor, text=_summary(quarter))
    steps.quarter_submit(quarter=quarter, by=executor, comment="考核结果及报告提交领导小组审核。")
    # Four eyes (README.md, "Security model"): a partner who did not submit approves.
    steps.quarter_approve(quarter=quarter, by=second_partner, comment="审核通过。")
    steps.quarter_publish(quarter=quarter, by=executor)
    published_on = quarter.ends_on + datetime.timedelta(days=STEP_DAYS["publish"])
    _hold_interviews(quarter, published_on)
    if appeal is not None:
        appeal(quarter, users, published_on)
    # Closing waits for the appeal window: publication and the closing day are those of the quarter's history.
    Quarter.objects.filter(pk=quarter.pk).update(published_at=at_hour(published_on))
    quarter.refresh_from_db()
    closed_on = quarter.ends_on + datetime.timedelta(days=STEP_DAYS["close"])
    steps.quarter_close(quarter=quarter, by=executor, comment="面谈均已完成，无待决申诉。", today=closed_on)
    _backdate(quarter, published_on)


def _run_collecting_quarter(quarter, users, rng, today):
    from indicators.ratings import rating_round_open
    from indicators.schemes import scheme_approve, scheme_start_for_quarter
    from portal import quarter_services as steps

    executor, partner = users["executor"], users["partner"]
    scheme = scheme_start_for_quarter(quarter=quarter, by=executor)
    scheme_approve(scheme=scheme, by=partner, comment="同意本季度考核方案。")
    steps.quarter_start_collecting(quarter=quarter, by=executor, today=today)
    rating_round_open(quarter=quarter, by=executor, today=today)
    _answer_ratings(quarter, users, rng, share=OPEN_QUARTER_ANSWERED)
    for event in quarter.events.all():
        days = STEP_DAYS.get(event.action)
        if days is not None:
            QuarterEvent.objects.filter(pk=event.pk).update(at=at_hour(quarter.ends_on + datetime.timedelta(days=days)))


def demo_quarters_run(*, today):
    """Bring the demo quarters to their states; quarters that already have a scheme are left as they are."""
    from demo.appeals import demo_appeal_rejected, demo_appeal_upheld, history_corrections
    from indicators.catalogue import catalogue_sync

    # A flushed test database (live-server tests) has lost the catalogue the migration loaded.
    catalogue_sync()
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in STAFF])}
    past = completed_quarters(today)
    # The latest closed quarter has the demo lawyer's upheld appeal, the one before another lawyer's rejected one.
    appeals = {len(past) - 2: demo_appeal_upheld, len(past) - 3: demo_appeal_rejected}
    for index, (year, number) in enumerate(past):
        quarter = Quarter.objects.get(year=year, number=number)
        if quarter.schemes.exists():
            continue
        rng = random.Random(f"demo-ratings-{quarter.code}")
        if index < len(past) - 1:
            # The publication and correction hooks run when this transaction commits: they stay detached until then.
            started = timezone.now()
            with _history_without_email():
                with _history_publication(), history_corrections(), transaction.atomic():
                    _run_past_quarter(quarter, users, rng, appeal=appeals.get(index))
                _render_demo_feedback(quarter)
            _file_history_notifications(quarter, since=started)
        else:
            with transaction.atomic():
                _run_collecting_quarter(quarter, users, rng, today)
    year, number = Quarter.containing(today)
    current, _ = Quarter.objects.get_or_create(year=year, number=number)
    if not current.schemes.exists():
        from indicators.schemes import scheme_start_for_quarter

        scheme_start_for_quarter(quarter=current, by=users["executor"])
    return {
        q.code: q.get_state_display()
        for q in Quarter.objects.filter(state__in=[s for s, _ in QuarterState.choices]).order_by("year", "number")
    }
