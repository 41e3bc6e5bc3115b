"""The nine indicators of regulation 三.2, in four categories: the catalogue the firm assesses with."""

# Each entry: code, category, Chinese and English name, definitions, unit, direction, kind.
# Definitions are written for the people being assessed; docs/indicators.md has worked examples.
CATALOGUE = [
    {
        "code": "new_clients",
        "category": "development",
        "name_zh": "新客户数量",
        "name_en": "New clients",
        "definition_zh": "考核期内成功开发的新客户数量：客户与本所的第一份正式委托合同在本季度签订，计入该合同的案源律师。",
        "definition_en": "Clients whose first engagement contract with the firm is signed in the quarter, "
        "credited to that contract's originating lawyer.",
        "unit": "clients",
        "direction": "higher",
        "kind": "computed",
    },
    {
        "code": "new_client_revenue_share",
        "category": "development",
        "name_zh": "新客户业务收入占比",
        "name_en": "New-client revenue share",
        "definition_zh": "本季度收到并计入本人的、来自本人新客户的业务收入，占本季度计入本人的全部业务收入的比例。",
        "definition_en": "Revenue received in the quarter and credited to the person from their new clients, "
        "divided by all revenue received in the quarter and credited to the person.",
        "unit": "%",
        "direction": "higher",
        "kind": "computed",
    },
    {
        "code": "satisfaction",
        "category": "maintenance",
        "name_zh": "客户满意度",
        "name_en": "Client satisfaction",
        "definition_zh": "本季度关于本人的满意度调查中，服务质量、沟通效率、案件处理结果三项平均分的平均值（1–5 分，亦折算为百分制）。",
        "definition_en": "The mean, over the person's satisfaction surveys in the quarter, of the mean of service "
        "quality, communication efficiency and case outcome (1–5, also shown as 0–100).",
        "unit": "score",
        "direction": "higher",
        "kind": "computed",
    },
    {
        "code": "repeat_engagement_rate",
        "category": "maintenance",
        "name_zh": "重复委托率",
        "name_en": "Repeat-engagement rate",
        "definition_zh": "本人的老客户（本季度之前回溯期内签约、本人为案源或承办律师）中，本季度再次签订委托合同的比例。",
        "definition_en": "The share of the person's existing clients (a contract signed before the quarter, within "
        "the look-back window, with the person as originating or responsible lawyer) who sign another contract in "
        "the quarter.",
        "unit": "%",
        "direction": "higher",
        "kind": "computed",
    },
    {
        "code": "referral_rate",
        "category": "maintenance",
        "name_zh": "客户推荐率",
        "name_en": "Referral rate",
        "definition_zh": "本人的老客户中，推荐的客户在本季度成为新客户的比例。",
        "definition_en": "The share of the person's existing clients who referred a client that became a new client "
        "in the quarter.",
        "unit": "%",
        "direction": "higher",
        "kind": "computed",
    },
    {
        "code": "complaint_rate",
        "category": "feedback",
        "name_zh": "客户投诉率",
        "name_en": "Complaint rate",
        "definition_zh": "本季度收到的针对本人的投诉数，占本人本季度服务客户数（本人合同在本季度有效）的比例。越低越好。",
        "definition_en": "Complaints about the person received in the quarter, divided by the clients the person "
        "served in the quarter (a contract of theirs active in the quarter). Lower is better.",
        "unit": "%",
        "direction": "lower",
        "kind": "computed",
    },
    {
        "code": "complaint_timeliness",
        "category": "feedback",
        "name_zh": "投诉处理及时率",
        "name_en": "Complaint handling timeliness",
        "definition_zh": "本季度收到并由本人处理的投诉中，在处理时限（默认 48 小时）内处理完毕的比例；超过时限仍未处理的计为不及时。",
        "definition_en": "Of the complaints received in the quarter with the person as handler, the share handled "
        "within the deadline (48 hours by default); one still open past its deadline counts as late.",
        "unit": "%",
        "direction": "higher",
        "kind": "computed",
    },
    {
        "code": "communication",
        "category": "collaboration",
        "name_zh": "内部沟通效率",
        "name_en": "Internal communication efficiency",
        "definition_zh": "上级、同事等评价主体在本季度对本人沟通效果和效率的评分的平均值。",
        "definition_en": "The average of the scores given in the quarter by the person's superior, peers and other "
        "raters for the effectiveness and efficiency of their communication.",
        "unit": "score",
        "direction": "higher",
        "kind": "rated",
    },
    {
        "code": "collaboration",
        "category": "collaboration",
        "name_zh": "跨部门协作满意度",
        "name_en": "Cross-department collaboration satisfaction",
        "definition_zh": "其他部门在本季度对与本人协作过程和结果的满意度评分的平均值。",
        "definition_en": "The average of the scores given in the quarter by other departments for the process and "
        "result of working with the person.",
        "unit": "score",
        "direction": "higher",
        "kind": "rated",
    },
]


def catalogue_sync(indicator_model=None):
    """Create or update the nine indicators by code (the migration and seed_demo call it; idempotent)."""
    if indicator_model is None:
        from indicators.models import Indicator as indicator_model
    for order, entry in enumerate(CATALOGUE, start=1):
        fields = {key: value for key, value in entry.items() if key != "code"}
        indicator_model.objects.update_or_create(code=entry["code"], defaults={**fields, "order": order})
