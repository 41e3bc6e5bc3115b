"""The demo firm's self-assessments (regulation 三.5): in each published quarter some people wrote one the evening
after publication, before their interview, through the same service as the page; the recorded interviews then
show it beside the superior's record."""

import datetime

from demo.firm import on_day
from results.models import Scorecard
from reviews.models import Position

# The demo logins who are assessed always write one (so each role finds one to read); of the rest, every second.
ALWAYS = ("lawyer", "assistant", "senior", "admclerk")

# What each position tends to say, per indicator category; the collaboration line names the quarter's total.
ANSWERS = {
    Position.LAWYER: {
        "development": {
            "went_well": "通过老客户推荐新签约两家制造业企业，转介绍比例比上季度提高。",
            "obstacles": "两个招投标项目周期较长，本季度未能落地。",
            "needs": "希望参加律所组织的招投标实务培训，并获得市场部的行业资料支持。",
        },
        "maintenance": {
            "went_well": "常年法律顾问客户全部续约，重点客户每月回访。",
            "obstacles": "案件集中开庭期间回访频率下降。",
        },
        "feedback": {
            "obstacles": "有一起投诉首次回复超过24小时，原因是出差期间未及时转交。",
            "needs": "建议出差期间由助理代为登记投诉并提醒。",
        },
    },
    Position.ASSISTANT: {
        "maintenance": {
            "went_well": "案件进度按周向客户通报，客户满意度调查得分较高。",
            "needs": "希望统一客户进度通报的模板。",
        },
        "feedback": {
            "went_well": "经手的投诉均在48小时内完成首次回复。",
            "obstacles": "部分投诉需等待承办律师意见，回访时间被拉长。",
        },
    },
    Position.ADMINISTRATIVE: {
        "feedback": {
            "went_well": "投诉台账每日更新，回访记录完整。",
            "obstacles": "跨部门转办的投诉偶有信息缺失。",
            "needs": "希望业务部转办投诉时附上客户联系方式和案号。",
        },
        "collaboration": {
            "went_well": "配合财务部完成季度收入核对。",
            "needs": "希望各业务组指定一名对接人。",
        },
    },
}

TEAM_LINES = (
    "本季度总分%(total)s；与团队配合顺畅，按时参加案件讨论会。",
    "本季度总分%(total)s；协助同事完成两件疑难案件的检索和文书工作。",
    "本季度总分%(total)s；在组内分享了一次客户回访经验，反馈较好。",
)

GOALS = {
    Position.LAWYER: "新增客户不少于3家；投诉24小时内首次回复；完成一次行业专题讲座。",
    Position.ASSISTANT: "客户进度每周通报；投诉48小时内处理完毕；协助律师完成两份客户回访报告。",
    Position.ADMINISTRATIVE: "投诉均在48小时内回访；转办信息齐全率达到百分之百。",
}


def demo_self_assessments(quarter, published_on: datetime.date) -> int:
    """Some of the quarter's assessed people submit a self-assessment the evening after publication (before the
    interviews, two days after it); returns how many."""
    from interviews.self_assessment import self_assessment_save

    cards = (
        Scorecard.objects.filter(quarter=quarter, is_current=True, status=Scorecard.Status.PUBLISHED)
        .select_related("staff__user", "quarter")
        .order_by("staff_id")
    )
    written = 0
    with on_day(published_on + datetime.timedelta(days=1), hour=20):
        for index, card in enumerate(cards):
            staff = card.staff
            if staff.user.username not in ALWAYS and index % 2:
                continue
            answers = {category: dict(row) for category, row in ANSWERS[staff.position].items()}
            # Each quarter in its own words: the result it speaks of, and a different line on the team.
            answers.setdefault("collaboration", {})["went_well"] = answers.get("collaboration", {}).get(
                "went_well"
            ) or TEAM_LINES[(quarter.number + index) % len(TEAM_LINES)] % {"total": card.total}
            self_assessment_save(
                scorecard=card, by=staff.user, answers=answers, proposed_goals=GOALS[staff.position], submit=True
            )
            written += 1
    return written
