"""The demo firm's assessment history: past quarters run through the real services, each step on its own day.

The firm is where a punctual firm would be on the reference date (README.md, "Demo logins"), so that its cards,
deadlines and history agree with the calendar on any day it is loaded:
- in the collection window, from the day after a quarter ends to the 10th of the next month (regulation 三.1),
  that quarter is collecting its data: the rating round is mostly answered, so the execution group can score it,
  write the report and submit it, and a partner can approve it; the three quarters before went the whole way
  (scheme approved, ratings given, scored, reported, approved by a second partner, published, interviews held and
  acknowledged, closed), the two latest of them with an appeal, one upheld with a corrected result and one
  rejected (demo/appeals.py); the current quarter's draft scheme waits for the leadership group;
- after the window, the quarter just ended was published on time as well; it is closed once its appeal window and
  interviews are over (the 20th after its end), and then carries the upheld appeal; the current quarter's scheme is
  approved and next quarter's draft is being prepared by the execution group.
Everything goes through the same services the pages use, so the demo can never hold a state the product could
not reach. Each step runs at its moment of the story (`_on`), so the timestamps the services write (approvals,
the basis, computed results, notices) are those of the story, never the moment the demo was loaded.
"""

import datetime
import random
from contextlib import contextmanager

from django.contrib.auth.models import User
from django.db import transaction
from django.test.utils import override_settings

from demo.calibration import demo_generous_rater
from demo.firm import STAFF, at_hour, completed_quarters, on_day
from demo.goals import demo_goals_run
from demo.self_assessments import demo_self_assessments
from interviews.models import ImprovementItem, Interview
from results.models import Scorecard
from reviews.models import Position, Quarter, QuarterState

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


def _on(quarter, step, hour=10):
    """Run one step of a quarter's history on its day of the timetable."""
    return on_day(quarter.ends_on + datetime.timedelta(days=STEP_DAYS[step]), hour)


# The goals agreed in the interview, by position: only what the person's indicators measure (an assistant brings
# no new clients of their own; administrative staff are assessed on complaints and collaboration).
GOALS = {
    Position.LAWYER: "下季度新增客户不少于3家，客户满意度保持在4.5分以上。",
    Position.ASSISTANT: "下季度客户满意度保持在4.5分以上，投诉均在48小时内处理完毕。",
    Position.ADMINISTRATIVE: "下季度投诉均在48小时内处理完毕，跨部门协作评分不低于4分。",
}


WEAKNESSES = {
    Position.LAWYER: "部分投诉回应不够及时；新客户开发渠道较单一。",
    Position.ASSISTANT: "部分投诉回应不够及时；与客户的进度沟通不够主动。",
    Position.ADMINISTRATIVE: "部分投诉回访超过48小时；跨部门协作的反馈不够及时。",
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
    demo_generous_rater(quarter, now=at_hour(quarter.ends_on + datetime.timedelta(days=1)), today=quarter.ends_on)


def _summary(quarter):
    cards = Scorecard.objects.filter(quarter=quarter, is_current=True)
    count = cards.count()
    excellent = cards.filter(total__gte=90).count()
    return (
        f"{quarter.code}共考核{count}人，其中优秀{excellent}人。各部门数据按时报送，满意度调查覆盖全部承办律师；"
        "新客户开发整体稳定，投诉处理及时率仍需提高，建议行政部加强48小时内回访。"
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
        held = at_hour(published_on + datetime.timedelta(days=2), hour=15)
        interview = Interview.objects.create(
            quarter=quarter,
            staff=card.staff,
            superior=superior,
            scheduled_at=held,
            place="第二会议室",
            scheduled_by=superior.user,
            held_at=held,
            strengths=f"本季度总分{card.total}，{card.grade}；客户沟通主动，服务态度获客户认可。",
            weaknesses=WEAKNESSES[card.staff.position],
            goals=GOALS[card.staff.position],
            recorded_by=superior.user,
            recorded_at=held,
            acknowledged_at=held + datetime.timedelta(days=1),
            acknowledgement_comment="已了解，按计划改进。",
        )
        ImprovementItem.objects.create(
            interview=interview,
            description="每周复盘客户回访记录，投诉24小时内首次回复",
            owner=card.staff,
            due_on=quarter.ends_on + datetime.timedelta(days=75),
            done=True,
        )


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


def _file_history_notifications(quarter, *, after_pk, today):
    """A past quarter's notices are old news: read by the day the quarter closed (or today, if it has not yet),
    so the bell of a demo login does not count months-old notices as new."""
    from notifications.models import Notification

    read = at_hour(min(quarter.ends_on + datetime.timedelta(days=STEP_DAYS["close"]), today), 9)
    Notification.objects.filter(pk__gt=after_pk, read_at__isnull=True).update(read_at=read)


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


def _run_past_quarter(quarter, users, rng, *, today, appeal=None):
    from demo.appeals import TIMETABLES, demo_appeals_backdate
    from indicators.ratings import rating_round_close, rating_round_open
    from indicators.schemes import scheme_approve, scheme_start_for_quarter, scheme_submit
    from portal import quarter_services as steps

    executor, partner, second_partner = users["executor"], users["partner"], users["lizhiming"]
    with _on(quarter, "approve_scheme", hour=9):
        scheme = scheme_start_for_quarter(quarter=quarter, by=executor)
        scheme_submit(scheme=scheme, by=executor)
    with _on(quarter, "approve_scheme", hour=15):
        scheme_approve(scheme=scheme, by=partner, comment="同意本季度考核方案。")
    with _on(quarter, "start_collecting"):
        steps.quarter_start_collecting(quarter=quarter, by=executor)
        rating_round = rating_round_open(quarter=quarter, by=executor, today=quarter.ends_on)
    _answer_ratings(quarter, users, rng)
    rating_round_close(
        rating_round=rating_round, by=executor, now=at_hour(quarter.ends_on + datetime.timedelta(days=3))
    )
    with _on(quarter, "score"):
        # The invented past: scored as it was, whatever its completeness board says (regulation 二.3).
        steps.quarter_score(quarter=quarter, by=executor, incomplete_data_reason="演示数据")
        steps.quarter_report_summary_update(quarter=quarter, by=executor, text=_summary(quarter))
    with _on(quarter, "submit"):
        steps.quarter_submit(quarter=quarter, by=executor, comment="考核结果及报告提交领导小组审核。")
    with _on(quarter, "approve"):
        # Four eyes (README.md, "Security model"): a partner who did not submit approves.
        steps.quarter_approve(quarter=quarter, by=second_partner, comment="审核通过。")
    with _on(quarter, "publish"):
        steps.quarter_publish(quarter=quarter, by=executor)
    published_on = quarter.ends_on + datetime.timedelta(days=STEP_DAYS["publish"])
    demo_self_assessments(quarter, published_on)
    _hold_interviews(quarter, published_on)
    demo_goals_run(quarter, published_on)
    if appeal is not None:
        # Filed inside the appeal window; the appeal's later steps are moved to their days of its timetable.
        days, hour = TIMETABLES[appeal.outcome]["file"]
        with on_day(published_on + datetime.timedelta(days=days), hour):
            appeal.run(quarter, users, published_on)
        demo_appeals_backdate(quarter, published_on)
    closed_on = quarter.ends_on + datetime.timedelta(days=STEP_DAYS["close"])
    if closed_on <= today:
        # Closing waits for the appeal window and the interviews (regulation 三.5).
        with on_day(closed_on):
            steps.quarter_close(quarter=quarter, by=executor, comment="面谈均已完成，无待决申诉。")


def _run_collecting_quarter(quarter, users, rng):
    from indicators.ratings import rating_round_open
    from indicators.schemes import scheme_approve, scheme_start_for_quarter, scheme_submit
    from portal import quarter_services as steps

    executor, partner = users["executor"], users["partner"]
    with _on(quarter, "approve_scheme", hour=9):
        scheme = scheme_start_for_quarter(quarter=quarter, by=executor)
        scheme_submit(scheme=scheme, by=executor)
    with _on(quarter, "approve_scheme", hour=15):
        scheme_approve(scheme=scheme, by=partner, comment="同意本季度考核方案。")
    with _on(quarter, "start_collecting"):
        steps.quarter_start_collecting(quarter=quarter, by=executor)
        rating_round_open(quarter=quarter, by=executor, today=quarter.ends_on)
    _answer_ratings(quarter, users, rng, share=OPEN_QUARTER_ANSWERED)


def _run_current_quarter(quarter, users, *, collecting_before):
    """The quarter under way. While the one before is still collecting, its scheme is a draft waiting for the
    leadership group (the firm is a few days late with it); later, it was approved in its first days, and next
    quarter's draft is being prepared instead."""
    from indicators.schemes import scheme_approve, scheme_start_for_quarter, scheme_submit

    executor, partner = users["executor"], users["partner"]
    if collecting_before:
        # Submitted, so that a partner finds a scheme to approve or return with comments.
        scheme_submit(scheme=scheme_start_for_quarter(quarter=quarter, by=executor), by=executor)
        return
    with _on(quarter, "approve_scheme", hour=9):
        scheme = scheme_start_for_quarter(quarter=quarter, by=executor)
        scheme_submit(scheme=scheme, by=executor)
    with _on(quarter, "approve_scheme", hour=15):
        scheme_approve(scheme=scheme, by=partner, comment="同意本季度考核方案。")
    year, number = (quarter.year + 1, 1) if quarter.number == 4 else (quarter.year, quarter.number + 1)
    following, _ = Quarter.objects.get_or_create(year=year, number=number)
    if not following.schemes.exists():
        # Being prepared: the execution group submits it when it is ready.
        scheme_start_for_quarter(quarter=following, by=executor)


def demo_quarters_run(*, today):
    """Bring the demo quarters to their states for the reference date; quarters that already have a scheme are left
    as they are."""
    from demo.appeals import DemoAppeal, demo_appeal_rejected, demo_appeal_upheld, history_corrections
    from demo.jobs import demo_jobs_run
    from indicators.catalogue import catalogue_sync
    from notifications.models import Notification

    # A flushed test database (live-server tests) has lost the catalogue the migration loaded.
    catalogue_sync()
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in STAFF])}
    past = completed_quarters(today)
    latest = Quarter.objects.get(year=past[-1][0], number=past[-1][1])
    collecting = today <= latest.results_due_on
    # The upheld appeal (the demo lawyer's) is on the latest closed quarter, the rejected one on the quarter before.
    latest_is_closed = latest.ends_on + datetime.timedelta(days=STEP_DAYS["close"]) <= today
    latest_closed = len(past) - 1 if latest_is_closed else len(past) - 2
    appeals = {
        latest_closed: DemoAppeal(demo_appeal_upheld, upheld=True),
        latest_closed - 1: DemoAppeal(demo_appeal_rejected, upheld=False),
    }
    for index, (year, number) in enumerate(past):
        quarter = Quarter.objects.get(year=year, number=number)
        if quarter.schemes.exists():
            continue
        rng = random.Random(f"demo-ratings-{quarter.code}")
        if index < len(past) - 1 or not collecting:
            # The publication and correction hooks run when this transaction commits: they stay detached until then.
            last_notice = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            with _history_without_email():
                with _history_publication(), history_corrections(), transaction.atomic():
                    _run_past_quarter(quarter, users, rng, today=today, appeal=appeals.get(index))
                with _on(quarter, "publish", hour=19):
                    _render_demo_feedback(quarter)
            _file_history_notifications(quarter, after_pk=last_notice, today=today)
        else:
            with transaction.atomic():
                _run_collecting_quarter(quarter, users, rng)
    year, number = Quarter.containing(today)
    current, _ = Quarter.objects.get_or_create(year=year, number=number)
    if not current.schemes.exists():
        _run_current_quarter(current, users, collecting_before=collecting)
    demo_jobs_run()
    return {
        q.code: q.get_state_display()
        for q in Quarter.objects.filter(state__in=[s for s, _ in QuarterState.choices]).order_by("year", "number")
    }
