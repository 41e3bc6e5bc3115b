"""The data collection reminder rule (regulation 三.3: the data departments deliver after the quarter ends),
registered with notifications.reminders from PortalConfig.ready()."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clients.selectors import standing_deliveries
from documents.completeness import KIND_TITLES, quarter_records
from notifications.reminders import DATA_AGAIN_ON, Reminder, ended_quarter
from reviews.models import Department, Quarter, QuarterState, StaffProfile
from reviews.roles import DATA_KINDS_BY_DEPARTMENT


def _department_status(year, number):
    """Per data department: [(kind, count, gap text or None)] for the quarter (saved or not yet created)."""
    quarter = Quarter.objects.filter(year=year, number=number).first() or Quarter(year=year, number=number)
    records = quarter_records(quarter)
    counts = {kind: queryset.count() for kind, (queryset, _person) in records.items()}
    open_complaints = records["complaints"][0].filter(handled_at__isnull=True).count()
    without_surveys = (
        StaffProfile.objects.filter(active=True, assessed=True)
        .exclude(pk__in=records["surveys"][0].values("staff_id"))
        .count()
    )

    def gaps(kind):
        if kind == "complaints" and open_complaints:
            return ngettext("%(n)d complaint still open", "%(n)d complaints still open", open_complaints) % {
                "n": open_complaints
            }
        if kind == "surveys" and without_surveys:
            return ngettext(
                "%(n)d assessed person without a satisfaction survey",
                "%(n)d assessed people without a satisfaction survey",
                without_surveys,
            ) % {"n": without_surveys}
        if kind not in ("complaints",) and counts[kind] == 0:
            return _("nothing entered yet")
        return None

    return quarter, counts, gaps


def data_collection_reminders(today: datetime.date) -> list[Reminder]:
    """The day after a quarter ends each data department's clerks get the list of what is due; on the 5th of
    the month they get it again if their department's data is still incomplete."""
    year, number, first_day = ended_quarter(today)
    again = first_day.replace(day=DATA_AGAIN_ON)
    if today not in (first_day, again):
        return []
    quarter, counts, gaps = _department_status(year, number)
    if (
        today == again
        and quarter.pk
        and quarter.state not in (QuarterState.SCHEME_DRAFT, QuarterState.SCHEME_APPROVED, QuarterState.COLLECTING)
    ):
        return []  # already scored: nothing is being collected any more
    code = f"{year}Q{number}"
    kind = "data_due" if today == first_day else "data_incomplete"
    delivered = standing_deliveries(quarter)
    reminders = []
    for department in Department.objects.prefetch_related("clerks__profile").order_by("code"):
        data_kinds = DATA_KINDS_BY_DEPARTMENT.get(department.kind, ())
        if not data_kinds:
            continue
        rows = [(k, counts[k], gaps(k)) for k in data_kinds]
        if kind == "data_incomplete" and not any(gap for _k, _n, gap in rows):
            continue
        if kind == "data_incomplete" and department.pk in delivered:
            continue  # the department's clerks marked the delivery done: they know what they delivered
        for clerk in department.clerks.filter(is_active=True).order_by("pk"):
            reminders.append(
                Reminder(
                    kind,
                    f"{code}:dept:{department.pk}",
                    today,
                    clerk,
                    reverse("clients:index"),
                    _compose_data(code, department, rows, kind),
                )
            )
    return reminders


def _compose_data(code, department, rows, kind):
    def compose():
        titles = KIND_TITLES
        if kind == "data_due":
            title = _("%(quarter)s has ended: please deliver %(department)s's data") % {
                "quarter": code,
                "department": department.name,
            }
        else:
            title = _("%(quarter)s: %(department)s's data is still incomplete") % {
                "quarter": code,
                "department": department.name,
            }
        lines = []
        for data_kind, count, gap in rows:
            line = _("%(kind)s: %(n)d entered") % {"kind": titles[data_kind], "n": count}
            if gap:
                line += f" ({gap})"
            lines.append("- " + line)
        body = _("Due for %(quarter)s (regulation 3.3):") % {"quarter": code} + "\n" + "\n".join(lines)
        return title, body

    return compose
