"""The data completeness board (regulation 二.3: the departments deliver on time): what each department has
delivered for a quarter, so the execution group knows whether it can score. It is part of the execution group's
report to the leadership group (二.2), hence lives with the report. A fixed number of aggregate queries, however
large the firm."""

import datetime
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clients.models import ChangeRecord, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from clients.selectors import standing_deliveries
from indicators.scoring import SATISFACTION
from interviews.interviewers import people_without_interviewer
from reviews.models import Department, StaffProfile
from reviews.roles import DATA_KINDS_BY_DEPARTMENT

KIND_TITLES = {
    "clients": gettext_lazy("New clients"),
    "contracts": gettext_lazy("Engagement contracts"),
    "revenue": gettext_lazy("Revenue entries"),
    "complaints": gettext_lazy("Complaints"),
    "surveys": gettext_lazy("Satisfaction surveys"),
}

# The kinds of data attributed to a person, hence to a department (clients belong to the firm).
PERSON_KINDS = ("contracts", "revenue", "complaints", "surveys")


def quarter_moments(quarter) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the quarter as aware datetimes in the configured time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(quarter.starts_on, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(quarter.ends_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


def quarter_records(quarter):
    """The quarter's records of each kind of department data (regulation 三.3), with the field naming the person
    they are attributed to (None for clients, which belong to the firm)."""
    start, end = quarter_moments(quarter)
    first, last = quarter.starts_on, quarter.ends_on
    return {
        "clients": (Client.objects.filter(created_on__range=(first, last)), None),
        "contracts": (Contract.objects.filter(signed_on__range=(first, last)), "originating_lawyer"),
        "revenue": (RevenueEntry.objects.filter(received_on__range=(first, last)), "credited_to"),
        "complaints": (Complaint.objects.filter(received_at__gte=start, received_at__lt=end), "about"),
        "surveys": (SatisfactionSurvey.objects.filter(surveyed_on__range=(first, last)), "staff"),
    }


@dataclass
class Delivery:
    kind: str
    title: str
    departments: list
    count: int
    last_change: datetime.datetime | None


@dataclass
class DepartmentRow:
    department: Department
    assessed: int = 0
    counts: dict = field(default_factory=dict)
    open_complaints: int = 0
    without_surveys: list = field(default_factory=list)
    ratings_done: int = 0
    ratings_total: int = 0
    last_change: datetime.datetime | None = None
    # The counts in the order of PERSON_KINDS, for the board's columns.
    cells: list = field(default_factory=list)

    @property
    def ratings_percent(self):
        return round(100 * self.ratings_done / self.ratings_total) if self.ratings_total else None


# The gaps someone can be reminded of from the completeness page, and who: the clerks of the departments that
# deliver the data (regulation 二.3, 三.3), or the raters who still owe a rating (三.4).
REMINDABLE_GAPS = ("complaints", "surveys", "ratings")


@dataclass
class Gap:
    """One thing still missing before scoring: what it is, and where it is put right."""

    kind: str
    text: str
    url: str = ""
    link_label: str = ""

    @property
    def remindable(self):
        return self.kind in REMINDABLE_GAPS


@dataclass
class Board:
    quarter: object
    deliveries: list
    rows: list
    open_complaints: int
    without_surveys: list
    rating_round: object | None
    ratings_done: int
    ratings_total: int
    gaps: list
    # Regulation 三.5: assessed people with nobody to interview them (no active superior, none designated).
    without_interviewer: list = field(default_factory=list)
    # Regulation 二.3: each data department and its standing delivery mark (None until its clerks mark it).
    delivery_marks: list = field(default_factory=list)
    kind_titles: list = field(default_factory=lambda: [str(KIND_TITLES[kind]) for kind in PERSON_KINDS])

    @property
    def notes(self) -> list[str]:
        """The gaps as sentences (the report and the compute step's record quote them)."""
        return [gap.text for gap in self.gaps]

    @property
    def ready(self):
        """Nothing stands in the way of scoring."""
        return not self.gaps


def _rating_round(quarter):
    from indicators.models import RatingRound  # indicators builds on reviews: imported when used

    return RatingRound.objects.filter(quarter=quarter).first()


def delivery_marks(quarter, departments) -> list:
    """[(department, standing DataDelivery or None)] for each data department (regulation 二.3, 三.3)."""
    marks = standing_deliveries(quarter)
    return [(d, marks.get(d.pk)) for d in departments if d.kind in DATA_KINDS_BY_DEPARTMENT]


def _positions_with_satisfaction(quarter) -> set | None:
    """The positions whose scheme for the quarter has the satisfaction indicator (the approved scheme, else the
    latest version); None when the quarter has no scheme yet, so everyone assessed is expected to be surveyed."""
    from indicators.models import Scheme, SchemeItem  # indicators builds on reviews: imported when used

    schemes = Scheme.objects.filter(quarter=quarter) if quarter.pk else Scheme.objects.none()
    scheme = schemes.filter(status=Scheme.Status.APPROVED).first() or schemes.order_by("-version").first()
    if scheme is None:
        return None
    return set(
        SchemeItem.objects.filter(scheme=scheme, indicator__code=SATISFACTION).values_list("position", flat=True)
    )


def _last_change_by_department(queryset, person_field, content_type) -> dict:
    """{department id: the last audit-log entry (clients.audit) of the quarter's records of this kind attributed to
    that department's people}: one query, however many records."""
    department_of = Subquery(
        queryset.model.objects.annotate(key=Cast("pk", CharField()))
        .filter(key=OuterRef("object_id"))
        .values(f"{person_field}__department_id")[:1]
    )
    return dict(
        ChangeRecord.objects.filter(
            content_type=content_type,
            object_id__in=queryset.annotate(key=Cast("pk", CharField())).values("key"),
        )
        .annotate(department=department_of)
        .values_list("department")
        .annotate(last=Max("at"))
        .order_by()
    )


def _gaps(
    *, quarter, open_complaints, without_surveys_count, without_interviewer, rating_round, ratings_done, ratings_total
) -> list[Gap]:
    """What still stands in the way of scoring, each with where it is put right (the board and the report's notes)."""
    code = quarter.code
    gaps = []
    if open_complaints:
        gaps.append(
            Gap(
                "complaints",
                ngettext(
                    "%(n)d complaint of the quarter is still open.",
                    "%(n)d complaints of the quarter are still open.",
                    open_complaints,
                )
                % {"n": open_complaints},
                f"{reverse('clients:complaints_list')}?quarter={code}&open=1",
                _("See the open complaints"),
            )
        )
    if without_surveys_count:
        gaps.append(
            Gap(
                "surveys",
                ngettext(
                    "%(n)d assessed person has no satisfaction survey.",
                    "%(n)d assessed people have no satisfaction survey.",
                    without_surveys_count,
                )
                % {"n": without_surveys_count},
                f"{reverse('clients:surveys_list')}?quarter={code}",
                _("See the quarter's surveys"),
            )
        )
    if without_interviewer:
        gaps.append(
            Gap(
                "interviewers",
                ngettext(
                    "%(n)d assessed person has nobody to interview them: %(names)s.",
                    "%(n)d assessed people have nobody to interview them: %(names)s.",
                    len(without_interviewer),
                )
                % {"n": len(without_interviewer), "names": ", ".join(p.full_name for p in without_interviewer)},
                reverse("portal:interviewers", args=[code]) if quarter.pk else "",
                _("Designate interviewers"),
            )
        )
    if rating_round is None:
        gaps.append(
            Gap(
                "rating_round",
                _("No rating round has been opened for this quarter."),
                reverse("indicators:rating_rounds"),
                _("Open a rating round"),
            )
        )
    elif ratings_done < ratings_total:
        missing = ratings_total - ratings_done
        gaps.append(
            Gap(
                "ratings",
                ngettext("%(n)d rating is not given yet.", "%(n)d ratings are not given yet.", missing)
                % {"n": missing},
                reverse("indicators:rating_round", args=[rating_round.pk]),
                _("See the rating round"),
            )
        )
    return gaps


def completeness_notes(*, quarter) -> list[str]:
    """The board's gaps as sentences, for the report (regulation 二.2), from the few counts they need: the report
    reads none of the board's per-department figures, so it asks for none of their queries."""
    records = quarter_records(quarter)
    open_complaints = records["complaints"][0].filter(handled_at__isnull=True).count()
    assessed = StaffProfile.objects.filter(active=True, assessed=True)
    to_survey = assessed
    positions = _positions_with_satisfaction(quarter)
    if positions is not None:
        to_survey = assessed.filter(position__in=positions)
    without_surveys_count = to_survey.exclude(pk__in=records["surveys"][0].values("staff_id")).count()
    without_interviewer = people_without_interviewer(quarter, assessed.select_related("superior", "department"))
    rating_round = _rating_round(quarter)
    ratings = {"total": 0, "done": 0}
    if rating_round is not None:
        ratings = rating_round.assignments.aggregate(total=Count("pk"), done=Count("pk", filter=Q(score__isnull=False)))
    gaps = _gaps(
        quarter=quarter,
        open_complaints=open_complaints,
        without_surveys_count=without_surveys_count,
        without_interviewer=without_interviewer,
        rating_round=rating_round,
        ratings_done=ratings["done"],
        ratings_total=ratings["total"],
    )
    return [gap.text for gap in gaps]


def completeness_board(*, quarter) -> Board:
    records = quarter_records(quarter)
    departments = list(Department.objects.all())
    rows = {department.pk: DepartmentRow(department=department) for department in departments}

    # Who delivers what (regulation 三.3), and when each kind of the quarter's data last changed.
    deliveries = []
    for kind, (queryset, person_field) in records.items():
        content_type = ContentType.objects.get_for_model(queryset.model)
        last_change = ChangeRecord.objects.filter(
            content_type=content_type,
            object_id__in=queryset.annotate(key=Cast("pk", CharField())).values("key"),
        ).aggregate(at=Max("at"))["at"]
        deliveries.append(
            Delivery(
                kind=kind,
                title=str(KIND_TITLES[kind]),
                departments=[d for d in departments if kind in DATA_KINDS_BY_DEPARTMENT.get(d.kind, ())],
                count=queryset.count(),
                last_change=last_change,
            )
        )
        if person_field is None:
            continue
        for department_id, count in (
            queryset.values_list(f"{person_field}__department_id").annotate(n=Count("pk")).order_by()
        ):
            rows[department_id].counts[kind] = count
        # When the department's data of the quarter last changed, from the audit log of those very records.
        for department_id, at in _last_change_by_department(queryset, person_field, content_type).items():
            row = rows.get(department_id)
            if row is not None and (row.last_change is None or at > row.last_change):
                row.last_change = at

    complaints = records["complaints"][0]
    for department_id, count in (
        complaints.filter(handled_at__isnull=True)
        .values_list("about__department_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        rows[department_id].open_complaints = count

    assessed = StaffProfile.objects.filter(active=True, assessed=True)
    for department_id, count in assessed.values_list("department_id").annotate(n=Count("pk")).order_by():
        rows[department_id].assessed = count
    surveyed = records["surveys"][0].values("staff_id")
    # Only those whose position's scheme has the satisfaction indicator need a survey (regulation 三.4).
    to_survey = assessed
    positions = _positions_with_satisfaction(quarter)
    if positions is not None:
        to_survey = assessed.filter(position__in=positions)
    without_surveys = list(to_survey.exclude(pk__in=surveyed).select_related("department").order_by("full_name"))
    for person in without_surveys:
        rows[person.department_id].without_surveys.append(person)
    without_interviewer = people_without_interviewer(quarter, assessed.select_related("superior", "department"))

    rating_round = _rating_round(quarter)
    ratings_done = ratings_total = 0
    if rating_round is not None:
        for department_id, total, done in (
            rating_round.assignments.values_list("ratee__department_id")
            .annotate(total=Count("pk"), done=Count("pk", filter=Q(score__isnull=False)))
            .order_by()
        ):
            rows[department_id].ratings_total = total
            rows[department_id].ratings_done = done
            ratings_total += total
            ratings_done += done

    open_complaints = sum(row.open_complaints for row in rows.values())
    gaps = _gaps(
        quarter=quarter,
        open_complaints=open_complaints,
        without_surveys_count=len(without_surveys),
        without_interviewer=without_interviewer,
        rating_round=rating_round,
        ratings_done=ratings_done,
        ratings_total=ratings_total,
    )
    for row in rows.values():
        row.cells = [row.counts.get(kind, 0) for kind in PERSON_KINDS]
    return Board(
        delivery_marks=delivery_marks(quarter, departments),
        quarter=quarter,
        deliveries=deliveries,
        rows=[rows[d.pk] for d in departments],
        open_complaints=open_complaints,
        without_surveys=without_surveys,
        rating_round=rating_round,
        ratings_done=ratings_done,
        ratings_total=ratings_total,
        gaps=gaps,
        without_interviewer=without_interviewer,
    )
