"""The demo firm's goals (regulation 三.5): each past quarter's interviews agree goals for the quarter after, tied to
the person's indicators where a number says it (新增客户不少于3家 → new clients ≥ 3) and in words otherwise; the
next quarter's interviews mark the goals in words. Run through goals.services, at the story's moments."""

import datetime
from decimal import Decimal

from demo.firm import on_day
from goals.models import Goal, next_quarter_key
from goals.services import GoalDraft, goal_assess, goals_agree
from indicators.models import Indicator
from interviews.models import Interview
from reviews.models import Position

# What each position agrees: (description, indicator code or None, target). The numbers are what the firm's
# regulation asks of each position (docs/indicators.md); an assistant brings no new clients of their own.
GOALS = {
    Position.LAWYER: [
        ("新增客户不少于3家", "new_clients", "3"),
        ("客户满意度保持在4.5分以上", "satisfaction", "4.5"),
        ("每月参加一次行业交流活动", None, None),
    ],
    Position.ASSISTANT: [
        ("客户满意度保持在4.5分以上", "satisfaction", "4.5"),
        ("投诉均在48小时内处理完毕", "complaint_timeliness", "100"),
        ("熟悉新的案卷管理系统", None, None),
    ],
    Position.ADMINISTRATIVE: [
        ("投诉均在48小时内处理完毕", "complaint_timeliness", "100"),
        ("跨部门协作评分不低于4分", "collaboration", "4"),
        ("整理并更新投诉处理流程", None, None),
    ],
}


def demo_goals_run(quarter, published_on: datetime.date) -> None:
    """After the quarter's interviews: mark the goals in words agreed last quarter (most met, every fourth person's
    not), then agree this quarter's goals for the next."""
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    interviews = list(
        Interview.objects.filter(quarter=quarter, recorded_at__isnull=False)
        .select_related("quarter", "staff", "superior__user")
        .order_by("staff_id")
    )
    with on_day(published_on + datetime.timedelta(days=2), hour=16):
        year, number = quarter.previous()
        earlier = Goal.objects.filter(quarter__year=year, quarter__number=number, indicator__isnull=True)
        by_staff = {interview.staff_id: interview for interview in interviews}
        for goal in earlier.select_related("quarter").order_by("staff_id"):
            interview = by_staff.get(goal.staff_id)
            if interview is not None and next_quarter_key(goal.quarter) == (quarter.year, quarter.number):
                goal_assess(goal=goal, interview=interview, met=goal.staff_id % 4 != 0, by=interview.superior.user)
        for interview in interviews:
            drafts = [
                GoalDraft(
                    description=description,
                    indicator=indicators[code] if code else None,
                    target=Decimal(target) if target else None,
                )
                for description, code, target in GOALS[interview.staff.position]
            ]
            goals_agree(interview=interview, drafts=drafts, by=interview.superior.user, now=interview.recorded_at)
