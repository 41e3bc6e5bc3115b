"""The explanation of a line whose points an upheld appeal adjusted (appeals.corrections.apply_adjustment)."""

from decimal import Decimal as D

from django.utils import translation

from results.drafts import results_store_drafts
from results.explain import line_explanation
from results.models import IndicatorScore, Scorecard
from tests.indicators.test_selectors import AS_OF, quarter_with_scheme, scored_firm, survey  # noqa: F401


def adjusted(line, *, delta, points):
    """The line as a correction stores it: the computed points kept in details, the adjusted points on the line."""
    details = {
        **line.details,
        "appeal_adjustment": {"computed_points": str(line.points), "points": str(delta), "appeals": [7],
                              "justification": ["漏填推荐人"]},
    }  # fmt: skip
    IndicatorScore.objects.filter(pk=line.pk).update(points=points, details=details)
    return IndicatorScore.objects.select_related("indicator", "scorecard__scheme", "scorecard__quarter").get(pk=line.pk)


def test_the_steps_end_with_the_appeal_adjustment(scored_firm):  # noqa: F811
    # Given the lawyer's revenue-share line (13 points rescaled to 13.68), adjusted by +2 on appeal #7
    firm, quarter, scheme = scored_firm
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    card = Scorecard.objects.get(quarter=quarter, staff=firm.lawyer.profile)
    line = card.lines.get(indicator__code="new_client_revenue_share")
    assert line.points == D("13.68")
    line = adjusted(line, delta=D("2"), points=D("15.68"))
    # Then the rescale step still shows the computed points and the last steps add the adjustment
    with translation.override("en"):
        steps = line_explanation(line)["points_steps"]
    assert "13 × 100 ÷ 95 = 13.68" in steps[-3]
    assert steps[-2] == "Adjusted by the upheld appeal #7: 13.68 + 2 = 15.68"
    assert steps[-1].endswith("15.68")


def test_a_clamped_adjustment_says_so(scored_firm):  # noqa: F811
    firm, quarter, scheme = scored_firm
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=AS_OF)
    card = Scorecard.objects.get(quarter=quarter, staff=firm.lawyer.profile)
    line = adjusted(card.lines.get(indicator__code="new_client_revenue_share"), delta=D("50"), points=D("16.42"))
    with translation.override("en"):
        steps = line_explanation(line)["points_steps"]
    assert "13.68 + 50 = 63.68" in steps[-3]
    assert steps[-2] == "Kept within 0 and the line's ceiling: 16.42"
