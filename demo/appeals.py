"""The demo firm's appeals: a short history made through appeals/services.py, like any appeal on the pages.

- In the latest closed quarter the demo lawyer 陈静 contests one indicator; the administrative supervisor gives the
  appeal to a handler of the execution group (see HANDLERS), who asks for evidence, gets it by message and
  upholds the appeal with a points adjustment: the quarter is corrected and her result gets a version 2, the
  first one kept.
- In the quarter before, another lawyer contests a complaint (or a survey) and the supervisor rejects the appeal
  with her reasons.
Both are then filed away (closed), so every appeal is decided when the quarter closes. Only the dates are moved
back afterwards, to days inside the appeal window after the quarter's publication.
"""

import datetime
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from appeals.models import Appeal, AppealEvent, AppealMessage, Outcome
from demo.firm import EXECUTION_MEMBERS, STAFF, at_hour
from results.models import Correction, CorrectionAdjustment, CorrectionEvent, CorrectionStatus, Scorecard
from reviews.models import Position

APPELLANT = "lawyer"
SUPERVISOR = "executor"
# Regulation 二.2: an execution-group member handles the appeal, never the appellant. The group's senior lawyers
# (of other practice groups than hers) come first, unless the correction could move their own rank: then they would
# judge in their own cause, and the supervisor, ranked among the administrative staff, handles it.
HANDLERS = ("wutao", "zhenghaiyan", SUPERVISOR)
ADJUSTMENT = Decimal("2")

# When each step happened, in (days after publication, hour): filed inside the 7-day window, decided inside the
# 10 days the regulation allows, closed before the quarter closes (20 days after its end, 12 after publication).
TIMETABLES = {
    Outcome.UPHELD: {
        "file": (2, 9),
        "assign": (2, 15),
        "request_info": (3, 10),
        "respond": (4, 16),
        "uphold": (7, 11),
        "close": (8, 9),
    },
    Outcome.REJECTED: {"file": (5, 14), "assign": (5, 17), "reject": (9, 10), "close": (10, 9)},
}


@dataclass(frozen=True)
class DemoAppeal:
    """One appeal of the history: the function that plays it through the services, and how it ends."""

    play: Callable
    upheld: bool

    @property
    def outcome(self):
        return Outcome.UPHELD if self.upheld else Outcome.REJECTED

    def run(self, quarter, users, published_on):
        return self.play(quarter, users, published_on)


@dataclass(frozen=True)
class Story:
    """What the people of one appeal write, in Chinese; {points} and {month} are filled in."""

    indicator: str
    reason: str
    expected: str
    decision: str
    question: str = ""
    answer: str = ""


# The upheld appeal: the first of these indicators on which the lawyer's result has room for the adjustment.
UPHELD_STORIES = (
    Story(
        indicator="satisfaction",
        reason="{month}月中旬电话回访的一份满意度问卷（服务质量、沟通、结果三项均为5分）没有录入系统，"
        "本季度满意度均值因此偏低。",
        expected="补录该份问卷；如数据已无法更改，请在客户满意度一项加{points}分。",
        question="请提供该次回访的日期、客户名称和回访记录（通话记录或问卷照片），以便与行政部核对。",
        answer="回访于{month}月16日以电话方式进行，客户为我承办的买卖合同纠纷案当事人；"
        "通话记录和问卷照片已交行政部李娜核对。",
        decision="经与行政部核对，该份问卷确为漏录（三项均为5分）。本季度结果已发布，按考核办法以加分方式更正："
        "客户满意度加{points}分。",
    ),
    Story(
        indicator="referral_rate",
        reason="本季度新签的一家公司客户系由我的常年顾问单位介绍，但业务部登记时未填写推荐人，客户推荐率因此偏低。",
        expected="将该客户计为推荐客户；如数据已无法更改，请在客户推荐率一项加{points}分。",
        question="请说明是哪一家新客户、由哪一家老客户介绍，并提供能证明介绍关系的材料（邮件或聊天记录）。",
        answer="新客户于{month}月签约，由常年顾问单位的法务负责人介绍；介绍邮件已转发执行小组邮箱，"
        "业务部钱芳也已确认登记时漏填推荐人。",
        decision="经业务部核实，该客户确由老客户介绍，登记时漏填推荐人。本季度结果已发布，按考核办法以加分方式更正："
        "客户推荐率加{points}分。",
    ),
)

# The rejected appeal: a complaint if the appellant had one, else a low survey score.
REJECTED_STORIES = (
    Story(
        indicator="complaint_rate",
        reason="本季度计入的一项投诉，是客户对法院判决结果不满，并非针对我的服务，不应计入投诉率。",
        expected="将该项投诉从投诉率中剔除。",
        decision="经核查投诉记录和行政部的回访记录，客户投诉的是开庭前未及时告知案件进展，属于服务沟通问题，"
        "并非针对判决结果。依据考核办法，该投诉应计入投诉率。申诉不予支持，原考核结果维持不变。",
    ),
    Story(
        indicator="satisfaction",
        reason="一位客户因败诉在满意度调查中给出低分，这并不反映我的服务质量，请剔除该份问卷。",
        expected="剔除该份问卷后重新计算客户满意度。",
        decision="满意度调查按考核办法如实记录客户评价，回访记录显示该客户对沟通频率也提出了意见。"
        "不能因个别评分不利而剔除问卷。申诉不予支持，原考核结果维持不变。",
    ),
)


def _current_card(quarter, staff):
    return Scorecard.objects.get(quarter=quarter, staff=staff, is_current=True, status=Scorecard.Status.PUBLISHED)


def _lines(card):
    return {line.indicator.code: line for line in card.lines.select_related("indicator")}


def _room(line) -> Decimal:
    """How many points an adjustment can still add before the line reaches its ceiling."""
    from results.corrections import points_ceiling

    return points_ceiling(line) - line.points


def _upheld_story(card):
    """The first story whose indicator has room for the whole adjustment, else the one with the most room."""
    lines = _lines(card)
    candidates = [(story, lines[story.indicator]) for story in UPHELD_STORIES if story.indicator in lines]
    for story, line in candidates:
        if _room(line) >= ADJUSTMENT:
            return story, line, ADJUSTMENT
    story, line = max(candidates, key=lambda pair: _room(pair[1]))
    room = _room(line).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return story, line, room if room > 0 else ADJUSTMENT


def _rejected_appellant(quarter):
    """A lawyer who is no demo login and runs no assessment, weakest first: the likeliest to contest a result."""
    logins = {"partner", "executor", "senior", "lawyer", "assistant", *EXECUTION_MEMBERS}
    others = [row[0] for row in STAFF if row[0] not in logins]
    cards = list(
        Scorecard.objects.filter(
            quarter=quarter,
            is_current=True,
            status=Scorecard.Status.PUBLISHED,
            position=Position.LAWYER,
            staff__user__username__in=others,
        )
        .select_related("staff__user")
        .order_by("total", "staff__user__username")
    )
    complaint, survey = REJECTED_STORIES
    for card in cards:
        line = _lines(card).get(complaint.indicator)
        if line is not None and line.numerator:
            return card, complaint, line
    card = cards[0]
    return card, survey, _lines(card)[survey.indicator]


def _handler(card, points, users):
    """The first of HANDLERS whose own result the adjustment cannot reach (ranks are relative)."""
    reach = (card.total - points, card.total + points)
    for username in HANDLERS:
        own = Scorecard.objects.filter(quarter=card.quarter, staff__user__username=username, is_current=True).first()
        if own is None or own.position != card.position or not reach[0] <= own.total <= reach[1]:
            return users[username]
    return users[SUPERVISOR]


def _fill(text, quarter, points=None):
    return text.format(month=quarter.ends_on.month, points=points)


def demo_appeal_upheld(quarter, users, published_on):
    """陈静's appeal: assigned, asked for evidence, answered, upheld with a points adjustment, closed."""
    from appeals import services

    lawyer, supervisor = users[APPELLANT], users[SUPERVISOR]
    card = _current_card(quarter, lawyer.profile)
    story, line, points = _upheld_story(card)
    handler = _handler(card, points, users)
    appeal = services.appeal_file(
        scorecard=card,
        by=lawyer,
        indicators=[line.indicator],
        reason=_fill(story.reason, quarter),
        expected_correction=_fill(story.expected, quarter, points),
    )
    services.appeal_assign(appeal=appeal, handler=handler, by=supervisor)
    services.appeal_request_information(appeal=appeal, by=handler, question=_fill(story.question, quarter))
    services.appeal_message_post(appeal=appeal, by=lawyer, body=_fill(story.answer, quarter))
    services.appeal_uphold(
        appeal=appeal,
        by=handler,
        justification=_fill(story.decision, quarter, points),
        adjustments=[(line.indicator, points)],
        # The corrected version is dated the day of the decision in the appeal's timetable.
        at=_timetable_moment(Outcome.UPHELD, "uphold", published_on),
    )
    appeal.refresh_from_db()
    if appeal.correction and appeal.correction.status == CorrectionStatus.AWAITING_APPROVAL:
        # The points also move colleagues' ranks: a partner who did not prepare it approves (regulation 二.1).
        from results.corrections import correction_approve, correction_preview

        correction_approve(
            correction=appeal.correction,
            by=users["partner"],
            fingerprint=correction_preview(appeal.correction).fingerprint,
            comment="核对无误，同意更正。",
            at=_timetable_moment(Outcome.UPHELD, "uphold", published_on),
        )
    services.appeal_close(appeal=appeal, by=supervisor)
    return appeal


def demo_appeal_rejected(quarter, users, published_on):
    """Another lawyer's appeal: the supervisor handles it herself and rejects it with her reasons, then closes it."""
    from appeals import services

    supervisor = users[SUPERVISOR]
    card, story, line = _rejected_appellant(quarter)
    appellant = users[card.staff.user.username]
    appeal = services.appeal_file(
        scorecard=card,
        by=appellant,
        indicators=[line.indicator],
        reason=_fill(story.reason, quarter),
        expected_correction=_fill(story.expected, quarter),
    )
    services.appeal_assign(appeal=appeal, handler=supervisor, by=supervisor)
    services.appeal_reject(appeal=appeal, by=supervisor, reason=_fill(story.decision, quarter))
    services.appeal_close(appeal=appeal, by=supervisor)
    return appeal


def _timetable_moment(outcome, action, published_on):
    days, hour = TIMETABLES[outcome][action]
    return at_hour(published_on + datetime.timedelta(days=days), hour)


def demo_appeals_backdate(quarter, published_on):
    """Move each appeal's steps, messages and decision to the days of its timetable after the publication."""
    for appeal in Appeal.objects.filter(quarter=quarter):
        timetable = TIMETABLES[appeal.outcome]

        def moment(action, timetable=timetable):
            days, hour = timetable[action]
            return at_hour(published_on + datetime.timedelta(days=days), hour)

        for event in appeal.events.all():
            AppealEvent.objects.filter(pk=event.pk).update(at=moment(event.action))
        for message in appeal.messages.all():
            # The handler's message is the request for information; the appellant's is the answer.
            step = "respond" if message.author_id == appeal.appellant_id else "request_info"
            AppealMessage.objects.filter(pk=message.pk).update(at=moment(step))
        filed, decided = moment("file"), moment("uphold" if appeal.outcome == Outcome.UPHELD else "reject")
        Appeal.objects.filter(pk=appeal.pk).update(
            filed_at=filed,
            decision_due_on=filed.date() + datetime.timedelta(days=quarter.appeal_decision_days),
            decided_at=decided,
            closed_at=moment("close"),
        )
        if appeal.correction_id:
            # The correction was prepared and applied with the decision (its versions are dated so already).
            correction = appeal.correction
            Correction.objects.filter(pk=correction.pk).update(
                prepared_at=decided, submitted_at=decided, applied_at=decided,
                approved_at=decided if correction.approved_by_id else None,
            )  # fmt: skip
            CorrectionAdjustment.objects.filter(correction=correction).update(created_at=decided)
            CorrectionEvent.objects.filter(correction=correction).update(at=decided)


@contextmanager
def history_corrections():
    """A correction in the history must not render the corrected versions' feedback PDFs as it commits: like the
    publication's, the demo renders its logins' own (demo.quarters._render_demo_feedback)."""
    from documents.receivers import on_versions_published
    from results.corrections import versions_published

    versions_published.disconnect(dispatch_uid="documents.versions_published")
    try:
        yield
    finally:
        versions_published.connect(on_versions_published, dispatch_uid="documents.versions_published")
