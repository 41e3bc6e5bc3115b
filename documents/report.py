"""The execution group's report to the leadership group (regulation 二.2), for the page and the PDF.

Built from the quarter's current scorecards with a fixed number of aggregate queries, and plain values rather
than model instances for the whole firm: the approval page carries the report, measured as the partner waits for
it (docs/benchmarks.md, "pages").
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, OuterRef, Subquery, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from appeals.selectors import appeal_statistics as counted_appeals
from documents.completeness import completeness_notes
from results.models import Scorecard
from reviews.models import Position, Quarter

PERFORMERS_SHOWN = 5
CHANGES_SHOWN = 5
CENT = Decimal("0.01")


def _round(value) -> Decimal | None:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP) if value is not None else None


@dataclass(frozen=True)
class Named:
    """A person as the report names them (the full name only: no model instance per person of the firm)."""

    full_name: str


@dataclass(frozen=True)
class Change:
    staff: Named
    previous: Decimal
    current: Decimal

    @property
    def delta(self) -> Decimal:
        return self.current - self.previous


def current_scorecards(quarter):
    return Scorecard.objects.filter(quarter=quarter, is_current=True)


def previous_quarter(quarter) -> Quarter | None:
    year, number = quarter.previous()
    return Quarter.objects.filter(year=year, number=number).first()


def _grade_order(bands) -> dict:
    """The position of each grade (by its Chinese label) from best to worst, as the schemes' bands list them."""
    best_floor = {}
    for label, _label_en, floor in bands:
        best_floor[label] = max(floor, best_floor.get(label, floor))
    return {label: index for index, label in enumerate(sorted(best_floor, key=lambda lab: -best_floor[lab]))}


def appeal_statistics(quarter) -> dict | None:
    """The appeals against the quarter's results, for the execution group's report (regulation 二.2): filed, upheld,
    rejected, withdrawn, still open, escalated and the median days to decide, with the quarter they are about
    (None when there is no such quarter).

    The counting lives with the appeals (appeals.selectors.appeal_statistics); the report only names the quarter.
    """
    if quarter is None:
        return None
    return {"quarter": quarter, **counted_appeals(quarter=quarter)}


def quarter_report(*, quarter) -> dict:
    """Everything the report shows: distribution, averages, grades, performers, changes, data quality, appeals."""
    cards = current_scorecards(quarter)
    previous = previous_quarter(quarter)
    # Every person's total, name and (when there is a previous quarter) published total of that quarter, as plain
    # tuples in one query: the distribution, the average and the changes are computed from them.
    people = cards.order_by("-total", "staff__full_name")
    if previous is not None:
        before = current_scorecards(previous).filter(status=Scorecard.Status.PUBLISHED, staff_id=OuterRef("staff_id"))
        people = people.annotate(before=Subquery(before.values("total")[:1]))
        rows = list(people.values_list("pk", "total", "staff__full_name", "before"))
    else:
        rows = [(*row, None) for row in people.values_list("pk", "total", "staff__full_name")]
    totals = [total for _pk, total, _name, _before in rows]
    count = len(rows)

    english = get_language_is_english()
    by_department = [
        {"name": name_en if english else name_zh, "count": n, "average": _round(avg)}
        for name_zh, name_en, n, avg in cards.values_list("department__name_zh", "department__name_en")
        .annotate(n=Count("pk"), avg=Avg("total"))
        .order_by("department__code")
    ]
    positions = dict(Position.choices)
    by_position = [
        {"name": str(positions.get(position, position)), "count": n, "average": _round(avg)}
        for position, n, avg in cards.values_list("position")
        .annotate(n=Count("pk"), avg=Avg("total"))
        .order_by("position")
    ]
    by_category = _category_averages(quarter, cards, count)

    bands = _grade_bands(quarter, cards)
    grade_order = _grade_order(bands)
    grade_counts = sorted(
        (
            {
                "grade": (grade_en if english and grade_en else grade),
                "count": n,
                "order": grade_order.get(grade, 99),
            }
            for grade, grade_en, n in cards.values_list("grade", "grade_en").annotate(n=Count("pk")).order_by()
        ),
        key=lambda row: (row["order"], row["grade"]),
    )

    # The few people the report names, as scorecards with their staff and department: one query.
    top_ids = [pk for pk, *_rest in rows[:PERFORMERS_SHOWN]]
    bottom_ids = [pk for pk, *_rest in reversed(rows[-PERFORMERS_SHOWN:])] if count > PERFORMERS_SHOWN else []
    named = cards.filter(pk__in=top_ids + bottom_ids).select_related("staff", "department").in_bulk()
    top = [named[pk] for pk in top_ids]
    bottom = [named[pk] for pk in bottom_ids]

    # Rounded as the column is (SQLite hands a subquery's decimal back without its places).
    changes = [Change(Named(name), _round(before), total) for _pk, total, name, before in rows if before is not None]
    rises = sorted((c for c in changes if c.delta > 0), key=lambda c: (-c.delta, c.staff.full_name))[:CHANGES_SHOWN]
    falls = sorted((c for c in changes if c.delta < 0), key=lambda c: (c.delta, c.staff.full_name))[:CHANGES_SHOWN]
    average_change = _round(sum(c.delta for c in changes) / len(changes)) if changes else None

    return {
        "quarter": quarter,
        "count": count,
        "totals": totals,
        "average": _round(sum(totals, Decimal(0)) / count) if count else None,
        "highest": totals[0] if totals else None,
        "lowest": totals[-1] if totals else None,
        "histogram": histogram(totals, bands=_band_floors(bands, english=english)),
        "by_department": by_department,
        "by_position": by_position,
        "by_category": by_category,
        "grade_counts": grade_counts,
        "top": top,
        "bottom": bottom,
        "previous": previous,
        "changes_count": len(changes),
        "average_change": average_change,
        "rises": rises,
        "falls": falls,
        # Only the gaps' sentences: the report needs none of the board's per-department figures.
        "quality_notes": completeness_notes(quarter=quarter),
        "appeals": appeal_statistics(previous),
        "summary": quarter.report_summary,
    }


def get_language_is_english() -> bool:
    return (get_language() or "").startswith("en")


def _category_averages(quarter, cards, count):
    """Per indicator category: the average points per person and the share of the weight reached."""
    from indicators.models import Indicator
    from results.models import IndicatorScore

    order = [value for value, _label in Indicator.Category.choices]
    labels = dict(Indicator.Category.choices)
    sums = (
        IndicatorScore.objects.filter(scorecard__in=cards)
        .values_list("indicator__category")
        .annotate(points=Sum("points"), weight=Sum("effective_weight"))
        .order_by()
    )
    return [
        {
            "name": str(labels.get(category, category)),
            "average": _round(points / count) if count else None,
            "percent": _round(100 * points / weight) if weight else None,
        }
        for category, points, weight in sorted(sums, key=lambda row: order.index(row[0]) if row[0] in order else 99)
    ]


HISTOGRAM_STEP = Decimal(10)
FULL_MARKS = Decimal(100)


def _grade_bands(quarter, cards) -> list[tuple[str, str, Decimal]]:
    """(label_zh, label_en, floor) of the grade bands the quarter's results were graded with: the bands of the
    scorecards' schemes, else of the quarter's approved scheme (results not computed yet). One query when the
    quarter has results."""
    from indicators.models import GradeBand, Scheme

    fields = ("label_zh", "label_en", "min_total")
    bands = list(GradeBand.objects.filter(scheme__in=cards.values("scheme_id")).values_list(*fields))
    if not bands:
        approved = GradeBand.objects.filter(scheme__quarter=quarter, scheme__status=Scheme.Status.APPROVED)
        bands = list(approved.values_list(*fields))
    return bands


def _band_floors(bands, *, english) -> list[tuple[Decimal, str]]:
    """(floor, label) per floor, highest first; the first label read for a floor wins, as the bands are listed."""
    floors = {}
    for label_zh, label_en, floor in sorted(bands, key=lambda band: -band[2]):
        floors.setdefault(floor, label_en if english else label_zh)
    return sorted(floors.items(), reverse=True)


def grade_band_floors(quarter, cards) -> list[tuple[Decimal, str]]:
    """(floor, label) of the grade bands the quarter's results were graded with, highest first: the bands of the
    scorecards' schemes, else of the quarter's approved scheme (results not computed yet)."""
    return _band_floors(_grade_bands(quarter, cards), english=get_language_is_english())


def histogram(totals, *, bands=()):
    """The distribution of totals as an SVG drawing (the same picture on the page and in the PDF).

    The bins are ten points wide from 0 to 100 and also break at every grade band's floor, so a bar never mixes
    two grades; totals above 100 (bonus caps, regulation 三.4) get a "100+" bin of their own rather than
    stretching the scale.
    """
    from documents.charts import histogram_svg

    edges = {HISTOGRAM_STEP * index for index in range(11)}
    edges |= {floor for floor, _label in bands if 0 < floor < FULL_MARKS}
    return histogram_svg(
        totals,
        edges=sorted(edges),
        over_top=any(total > FULL_MARKS for total in totals),
        markers=[(floor, label) for floor, label in bands if 0 < floor < FULL_MARKS],
        title=_("Distribution of totals"),
        x_label=_("Total points"),
        y_label=_("People"),
    )
