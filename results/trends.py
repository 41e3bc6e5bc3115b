"""The firm over time (docs/trends.md): the last published quarters' results aggregated for the two groups.

Only published results count, each person's current version (a corrected result replaces the one it corrects,
docs/results.md, "Corrections"); a current version above the first is counted and marked as corrected. A fixed
number of aggregate queries, however many quarters, people or indicators there are.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import get_language

from indicators.models import GradeBand, Indicator
from results.models import IndicatorScore, Scorecard
from reviews.models import Position, Quarter, QuarterState

DEFAULT_QUARTERS = 8
MOVERS_SHOWN = 5
# The states of a quarter whose results people have been given (regulation 三.5): published, then closed.
PUBLISHED_STATES = (QuarterState.PUBLISHED, QuarterState.CLOSED)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def _round(value, step=CENT) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(step, rounding=ROUND_HALF_UP)


def _percent(points, weight) -> Decimal | None:
    """The share of the weight a group reached, in per cent (comparable across positions with other weights)."""
    return _round(100 * Decimal(points) / Decimal(weight), TENTH) if weight else None


def _english() -> bool:
    return (get_language() or "").startswith("en")


@dataclass(frozen=True)
class CategoryCell:
    """One group's figures in one indicator category and quarter."""

    people: int
    average_points: Decimal  # points per person in the category
    percent: Decimal | None  # share of the category's weight reached


@dataclass(frozen=True)
class HeatRow:
    group: str  # a department's name or a position's label
    category: str  # the category's label
    category_code: str
    cells: list  # one CategoryCell or None per quarter, oldest first


@dataclass(frozen=True)
class IndicatorTrend:
    indicator: Indicator
    average_points: list  # one Decimal or None per quarter
    percents: list
    people: list

    @property
    def latest(self) -> Decimal | None:
        return self.percents[-1] if self.percents else None

    @property
    def change(self) -> Decimal | None:
        """The change of the share reached from the quarter before the latest (None without both)."""
        if len(self.percents) < 2 or self.percents[-1] is None or self.percents[-2] is None:
            return None
        return self.percents[-1] - self.percents[-2]


@dataclass(frozen=True)
class QuarterGrades:
    quarter: Quarter
    people: int
    average: Decimal | None
    counts: list  # people per grade, in the order of Trends.grades
    corrected: int  # people whose current result is a corrected version


@dataclass(frozen=True)
class Mover:
    scorecard_id: int  # the latest quarter's current version, for the link to it
    name: str
    department: str
    position: str
    previous_total: Decimal
    total: Decimal
    previous_rank: int
    rank: int
    same_position: bool  # ranks are within a position: compared only when it did not change
    corrected: bool  # either quarter's result is a corrected version

    @property
    def delta(self) -> Decimal:
        return self.total - self.previous_total

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost; None when the person changed position."""
        return self.previous_rank - self.rank if self.same_position else None


@dataclass
class Trends:
    quarters: list  # oldest first
    categories: list  # (code, label)
    by_department: list = field(default_factory=list)
    by_position: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    grades: list = field(default_factory=list)  # labels in the active language, best first
    grade_rows: list = field(default_factory=list)
    movers_from: Quarter | None = None
    movers_to: Quarter | None = None
    changes: list = field(default_factory=list)  # every person in both of the last two quarters, biggest rise first
    rises: list = field(default_factory=list)
    falls: list = field(default_factory=list)

    @property
    def corrected_total(self) -> int:
        return sum(row.corrected for row in self.grade_rows)


def published_quarters(*, count: int = DEFAULT_QUARTERS) -> list[Quarter]:
    """The last `count` quarters whose results are published, oldest first."""
    latest = Quarter.objects.filter(state__in=PUBLISHED_STATES).order_by("-year", "-number")[:count]
    return list(reversed(latest))


def _heat_rows(sums, quarter_index, categories, group_of, group_order):
    """HeatRows of one grouping (department or position) from the (quarter, department, position, category) sums."""
    totals = {}
    for row in sums:
        key = (group_of(row), row["indicator__category"], quarter_index[row["scorecard__quarter_id"]])
        people, points, weight = totals.get(key, (0, Decimal(0), Decimal(0)))
        totals[key] = (people + row["people"], points + row["points"], weight + row["weight"])
    groups = sorted({group for group, _category, _index in totals}, key=group_order)
    rows = []
    for group in groups:
        for code, label in categories:
            cells = []
            for index in range(len(quarter_index)):
                found = totals.get((group, code, index))
                # No weight left (every line of the category excluded for lack of data, 三.4) is no figure.
                cells.append(
                    None
                    if found is None or not found[0] or not found[2]
                    else CategoryCell(
                        people=found[0],
                        average_points=_round(found[1] / found[0]),
                        percent=_percent(found[1], found[2]),
                    )
                )
            if any(cells):
                rows.append(HeatRow(group=group[1], category=str(label), category_code=code, cells=cells))
    return rows


def _grade_order(quarters) -> dict[str, Decimal]:
    """Each grade's (Chinese label's) highest floor among the quarters' schemes: the order from best to worst."""
    floors = {}
    for label, floor in GradeBand.objects.filter(scheme__quarter__in=quarters).values_list("label_zh", "min_total"):
        floors[label] = max(floor, floors.get(label, floor))
    return floors


def firm_trends(*, count: int = DEFAULT_QUARTERS, department=None, position: str | None = None) -> Trends:
    """The figures of the trends page for the last `count` published quarters, optionally of one department
    (as the results recorded it) and one position. Seven queries, whatever the numbers."""
    quarters = published_quarters(count=count)
    categories = [(code, label) for code, label in Indicator.Category.choices]
    trends = Trends(quarters=quarters, categories=categories)
    if not quarters:
        return trends
    english = _english()
    quarter_index = {quarter.pk: index for index, quarter in enumerate(quarters)}
    cards = Q(quarter__in=quarters, is_current=True, status=Scorecard.Status.PUBLISHED)
    if department is not None:
        cards &= Q(department=department)
    if position:
        cards &= Q(position=position)
    lines = IndicatorScore.objects.filter(scorecard__in=Scorecard.objects.filter(cards).values("pk"))

    # The heat maps: one grouped query, summed per department and per position (each scorecard is in exactly one
    # department and position, so the people add up).
    sums = list(
        lines.values(
            "scorecard__quarter_id",
            "scorecard__department_id",
            "scorecard__department__code",
            "scorecard__department__name_zh",
            "scorecard__department__name_en",
            "scorecard__position",
            "indicator__category",
        )
        .annotate(points=Sum("points"), weight=Sum("effective_weight"), people=Count("scorecard_id", distinct=True))
        .order_by()
    )
    name_field = "scorecard__department__name_en" if english else "scorecard__department__name_zh"
    trends.by_department = _heat_rows(
        sums,
        quarter_index,
        categories,
        lambda row: (row["scorecard__department__code"], row[name_field]),
        lambda group: group[0],
    )
    positions = [value for value, _label in Position.choices]
    labels = dict(Position.choices)
    trends.by_position = _heat_rows(
        sums,
        quarter_index,
        categories,
        lambda row: (
            row["scorecard__position"],
            str(labels.get(row["scorecard__position"], row["scorecard__position"])),
        ),
        lambda group: positions.index(group[0]) if group[0] in positions else len(positions),
    )

    # Each indicator's firm-wide trend.
    per_indicator = {}
    for indicator_id, quarter_id, points, weight, people in (
        lines.values_list("indicator_id", "scorecard__quarter_id")
        .annotate(points=Sum("points"), weight=Sum("effective_weight"), people=Count("scorecard_id"))
        .order_by()
    ):
        per_indicator.setdefault(indicator_id, {})[quarter_index[quarter_id]] = (points, weight, people)
    for indicator in Indicator.objects.filter(pk__in=per_indicator).order_by("order", "code"):
        found = per_indicator[indicator.pk]
        trends.indicators.append(
            IndicatorTrend(
                indicator=indicator,
                average_points=[
                    _round(found[i][0] / found[i][2]) if i in found and found[i][2] else None
                    for i in range(len(quarters))
                ],
                percents=[_percent(*found[i][:2]) if i in found else None for i in range(len(quarters))],
                people=[found[i][2] if i in found else 0 for i in range(len(quarters))],
            )
        )

    # The grades per quarter, with the corrected results among them.
    grade_counts = list(
        Scorecard.objects.filter(cards)
        .values_list("quarter_id", "grade", "grade_en")
        .annotate(people=Count("pk"), total=Sum("total"), corrected=Count("pk", filter=Q(version__gt=1)))
        .order_by()
    )
    floors = _grade_order(quarters)
    shown = {}
    for _quarter, grade, grade_en, *_figures in grade_counts:
        shown.setdefault(grade, grade_en if english and grade_en else grade)
    grade_keys = sorted(shown, key=lambda grade: (-floors.get(grade, Decimal(-1)), grade))
    trends.grades = [shown[grade] for grade in grade_keys]
    per_quarter = {}
    for quarter_id, grade, _grade_en, people, total, corrected in grade_counts:
        per_quarter.setdefault(quarter_index[quarter_id], []).append((grade, people, total, corrected))
    for index, quarter in enumerate(quarters):
        found = per_quarter.get(index, [])
        people = sum(row[1] for row in found)
        counts = dict.fromkeys(grade_keys, 0)
        for grade, n, _total, _corrected in found:
            counts[grade] += n
        trends.grade_rows.append(
            QuarterGrades(
                quarter=quarter,
                people=people,
                average=_round(sum(row[2] for row in found) / people) if people else None,
                counts=[counts[grade] for grade in grade_keys],
                corrected=sum(row[3] for row in found),
            )
        )

    # The movers between the last two quarters shown.
    if len(quarters) >= 2:
        trends.movers_from, trends.movers_to = quarters[-2], quarters[-1]
        _movers(trends, cards, english=english)
    return trends


def _movers(trends, cards, *, english):
    before, after = {}, {}
    for card in (
        Scorecard.objects.filter(cards, quarter__in=[trends.movers_from, trends.movers_to])
        .select_related("staff", "department")
        .only(
            "quarter_id",
            "staff_id",
            "staff__full_name",
            "department__name_zh",
            "department__name_en",
            "position",
            "total",
            "rank",
            "version",
        )
    ):
        (after if card.quarter_id == trends.movers_to.pk else before)[card.staff_id] = card
    for staff_id, card in after.items():
        old = before.get(staff_id)
        if old is None:
            continue
        trends.changes.append(
            Mover(
                scorecard_id=card.pk,
                name=card.staff.full_name,
                department=card.department.name_en if english else card.department.name_zh,
                position=card.get_position_display(),
                previous_total=old.total,
                total=card.total,
                previous_rank=old.rank,
                rank=card.rank,
                same_position=old.position == card.position,
                corrected=card.version > 1 or old.version > 1,
            )
        )
    trends.changes.sort(key=lambda mover: (-mover.delta, mover.name))
    trends.rises = [mover for mover in trends.changes if mover.delta > 0][:MOVERS_SHOWN]
    trends.falls = sorted((mover for mover in trends.changes if mover.delta < 0), key=lambda m: (m.delta, m.name))[
        :MOVERS_SHOWN
    ]
