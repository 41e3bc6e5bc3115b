"""THE access matrix (README.md, "Security model"): for every URL pattern of the project and every persona, what
happens.

tests/access/test_access_matrix.py enumerates the URL patterns from the resolver; a pattern missing here fails
the test by name, and so does a row here whose pattern no longer exists. Each row says how its arguments are built
from the `world` fixture (tests/access/conftest.py) and, per persona, the expected outcome:

    OK        200: the page (or file) is served
    INVALID   400: allowed in, the (deliberately empty) form is answered with its errors
    REDIRECT  302 somewhere other than the login page: the page's normal behaviour (target given per row)
    REFUSED   403: the persona's role may not do this
    NOT_FOUND 404: the object does not exist for this persona (or at all)
    LOGIN     302 to /accounts/login/: anonymous visitors sign in first
    METHOD    405: the URL answers only another HTTP method
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

# Patterns deliberately not in the table, with the reason.
EXCLUDED_NAMESPACES = {
    # Django's admin: staff-only by Django's own is_staff check, none of the personas is staff, and its dozens of
    # generated patterns are Django's, not ours. Published results are read-only there (tests/reviews/test_integrity).
    "admin": "Django's admin site (is_staff only; generated patterns)",
}
EXCLUDED_NAMES = {
    # Django's language switch: a POST that sets a cookie and redirects, for everyone (no data behind it).
    "set_language": "Django's i18n set_language view (no data, open to all by design)",
}
# Static files are served by whitenoise / runserver, never through the URL configuration, so they do not appear.

PERSONAS = (
    "partner",  # leadership group, not assessed
    "executor",  # execution group
    "business_clerk",
    "finance_clerk",
    "admin_clerk",
    "superior",  # direct superior of lawyer, colleague and assistant
    "lawyer",
    "colleague",  # the lawyer's colleague: same superior
    "assistant",
    "outsider",  # a lawyer of another group with another superior
    "anonymous",
)


@dataclass(frozen=True)
class Outcome:
    label: str
    status: int
    # For redirects, where to: a path, or a function of the world giving one; the Location header starts with it.
    location: object = None

    def __call__(self, location):
        """REDIRECT(to("reviews:people")): a redirect to that page."""
        return Outcome(self.label, self.status, location)

    def where(self, world):
        return self.location(world) if callable(self.location) else self.location

    def __str__(self):
        return self.label


OK = Outcome("OK", 200)
INVALID = Outcome("INVALID", 400)
REDIRECT = Outcome("REDIRECT", 302)
REFUSED = Outcome("REFUSED", 403)
NOT_FOUND = Outcome("NOT_FOUND", 404)
LOGIN = Outcome("LOGIN", 302, "/accounts/login/")
METHOD = Outcome("METHOD", 405)
GONE = Outcome("GONE", 410)


def expect(default, *, anonymous=LOGIN, **persona_outcomes):
    """Every persona gets `default` unless named; anonymous visitors are sent to log in unless said otherwise."""
    unknown = set(persona_outcomes) - set(PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    return {name: persona_outcomes.get(name, default) for name in PERSONAS[:-1]} | {"anonymous": anonymous}


def everyone(outcome):
    return expect(outcome, anonymous=outcome)


@dataclass(frozen=True)
class Case:
    expect: dict
    args: Callable = lambda w: {}  # noqa: E731 — kwargs for reverse(), from the world
    method: str = "GET"
    data: Callable = lambda w: {}  # noqa: E731
    note: str = ""
    id: str = ""
    checks: tuple = field(default=())  # extra (persona, text) pairs the page must show


ORGANISERS = {"partner": OK, "executor": OK}


def to(name, args=lambda w: {}):  # noqa: B008
    """A redirect target: the URL of a pattern, with its arguments taken from the world."""
    return lambda w: reverse(name, kwargs=args(w))


# Argument builders: what each id in a URL points at.
QUARTER = lambda w: {"code": w.quarter.code}  # noqa: E731 — the published 2026Q3
QUARTER_CSV = lambda w: {"code": w.quarter.code, "file_format": "csv"}  # noqa: E731
QUARTER_XLSX = lambda w: {"code": w.quarter.code, "file_format": "xlsx"}  # noqa: E731
LAWYER_CARD = lambda w: {"pk": w.card.pk}  # noqa: E731 — the lawyer's own published scorecard
INTERVIEW = lambda w: {"pk": w.interview.pk}  # noqa: E731 — the lawyer's interview, scheduled by the superior
APPEAL = lambda w: {"pk": w.appeal.pk}  # noqa: E731 — the lawyer's appeal, with one attachment
ROUND = lambda w: {"pk": w.rating_round.pk}  # noqa: E731 — 2026Q4's open rating round
REVENUE = lambda w: {"kind": "revenue"}  # noqa: E731
DRAFT_SCHEME = lambda w: {"pk": w.draft_scheme.pk}  # noqa: E731 — 2027Q1's draft scheme


def _executor_job(w):
    """A finished report-PDF job the execution group asked for (a kind only its requester follows), with its file."""
    from django.core.files.base import ContentFile

    from jobs.models import Job

    job = Job.objects.filter(requested_by=w.firm.executor, kind="report_pdf").first()
    if job is None:
        job = Job(kind="report_pdf", requested_by=w.firm.executor, subject=w.quarter.code, state="succeeded")
        job.result_file.save("report.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        job.save()
    return {"pk": job.pk}


def _recorded_item(w):
    """The lawyer's interview recorded, with one improvement item she owns (the world holds it only scheduled)."""
    from interviews.models import ImprovementItem
    from interviews.services import PlanItem, interview_record

    item = ImprovementItem.objects.filter(interview=w.interview).first()
    if item is None:
        interview_record(
            interview=w.interview,
            by=w.firm.superior,
            held_at=timezone.now() - datetime.timedelta(hours=1),
            strengths="沟通主动",
            weaknesses="回访不及时",
            goals="下季度新增两位客户",
            items=[PlanItem("每周复盘客户回访", w.firm.lawyer.profile, timezone.localdate() + datetime.timedelta(30))],
        )
        item = ImprovementItem.objects.get(interview=w.interview)
    return {"pk": w.interview.pk, "item_pk": item.pk}


IMPROVEMENT_ITEM = _recorded_item


def _goal_to_mark(w):
    """A goal in words agreed in the lawyer's 2026Q2 interview, marked in her 2026Q3 interview (the world's)."""
    from goals.models import Goal
    from interviews.models import Interview
    from reviews.models import Quarter, QuarterState

    goal = Goal.objects.filter(staff=w.firm.lawyer.profile, quarter__year=2026, quarter__number=2).first()
    if goal is None:
        earlier = Quarter.objects.create(year=2026, number=2, state=QuarterState.CLOSED)
        held = timezone.now() - datetime.timedelta(days=90)
        interview = Interview.objects.create(
            quarter=earlier,
            staff=w.firm.lawyer.profile,
            superior=w.firm.superior.profile,
            scheduled_at=held,
            place="3 号会议室",
            scheduled_by=w.firm.superior,
            held_at=held,
            recorded_by=w.firm.superior,
            recorded_at=held,
        )
        goal = Goal.objects.create(
            interview=interview,
            quarter=earlier,
            staff=w.firm.lawyer.profile,
            department=w.firm.lawyer.profile.department,
            description="完成两次客户回访培训",
            created_by=w.firm.superior,
            created_at=held,
        )
    return {"pk": w.interview.pk, "goal_pk": goal.pk}


GOAL_TO_MARK = _goal_to_mark


def _record(kind):
    return lambda w: {"pk": w.records.of(kind).pk}


DATA_KINDS = {
    # kind → the persona whose department delivers it (regulation 三.3)
    "clients": "business_clerk",
    "contracts": "business_clerk",
    "revenue": "finance_clerk",
    "complaints": "admin_clerk",
    "surveys": "admin_clerk",
}


def _data_rows():
    rows = {}
    for kind, clerk in DATA_KINDS.items():
        read = expect(REFUSED, **ORGANISERS, **{clerk: OK})
        write = expect(REFUSED, **{clerk: OK})
        rows[f"clients:{kind}_list"] = [Case(read, note="the groups read every list; a clerk their own kinds")]
        rows[f"clients:{kind}_add"] = [Case(write, note="only the delivering department's clerk adds")]
        rows[f"clients:{kind}_edit"] = [
            Case(write, args=_record(kind), note="only the delivering department's clerk edits"),
            Case(
                expect(REFUSED, **{clerk: OK}),
                args=_record(kind),
                method="POST",
                id="post",
                note="a refused POST never reaches the form; the clerk's empty POST re-shows the form with its errors",
            ),
        ]
        rows[f"clients:{kind}_history"] = [Case(read, args=_record(kind), note="same readers as the list")]
    return rows


def _standing_mark(w):
    """The business department's delivery mark for the published 2026Q3 (too late to withdraw: it is scored)."""
    from clients.models import DataDelivery

    mark, _created = DataDelivery.objects.get_or_create(
        quarter=w.quarter,
        department=w.firm.business,
        withdrawn_at=None,
        defaults={"marked_by": w.firm.business_clerk, "marked_at": timezone.now() - datetime.timedelta(days=30)},
    )
    return {"pk": mark.pk}


def _delivery_rows():
    clerks = {"business_clerk": OK, "finance_clerk": OK, "admin_clerk": OK}
    back = REDIRECT(to("clients:delivery"))
    return {
        "clients:delivery": [Case(expect(REFUSED, **clerks), note="the data departments' clerks (regulation 二.3)")],
        "clients:delivery_mark": [
            Case(
                expect(REFUSED, business_clerk=back, finance_clerk=NOT_FOUND, admin_clerk=NOT_FOUND),
                args=lambda w: {"department": w.firm.business.pk},
                method="POST",
                note="a clerk marks only their own department (others' 404); no quarter is collecting: a message",
            ),
            Case(everyone(METHOD), args=lambda w: {"department": w.firm.business.pk}, id="get", note="POST only"),
        ],
        "clients:delivery_withdraw": [
            Case(
                expect(REFUSED, business_clerk=back, finance_clerk=NOT_FOUND, admin_clerk=NOT_FOUND),
                args=_standing_mark,
                method="POST",
                note="only the department's clerks; the quarter is scored, so the mark stays (with a message)",
            ),
            Case(everyone(METHOD), args=_standing_mark, id="get", note="POST only"),
        ],
    }


def _import_rows():
    by_kind = {
        "revenue": "finance_clerk",
        "clients": "business_clerk",
        "complaints": "admin_clerk",
        "staff": "executor",
        "departments": "executor",
    }
    return {
        "clients:import_index": [
            Case(
                expect(REFUSED, executor=OK, business_clerk=OK, finance_clerk=OK, admin_clerk=OK),
                note="whoever may import at least one kind",
            )
        ],
        "clients:import_upload": [
            Case(
                expect(REFUSED, **{who: OK}),
                args=lambda w, k=kind: {"kind": k},
                id=kind,
                note="a clerk imports their department's kinds; staff is the execution group's",
            )
            for kind, who in by_kind.items()
        ],
        "clients:import_preview": [
            Case(
                expect(REFUSED, finance_clerk=REDIRECT(to("clients:import_upload", REVENUE))),
                args=REVENUE,
                note="with nothing uploaded the preview sends the clerk back to the upload form",
            )
        ],
        "clients:import_confirm": [
            Case(
                expect(REFUSED, finance_clerk=REDIRECT(to("clients:import_upload", REVENUE))),
                args=REVENUE,
                method="POST",
                note="nothing waiting: back to the upload form (test_object_access checks nothing is saved)",
            ),
            Case(everyone(METHOD), args=REVENUE, id="get", note="POST only"),
        ],
        "clients:import_cancel": [
            Case(
                expect(REFUSED, finance_clerk=REDIRECT(to("clients:import_upload", REVENUE))),
                args=REVENUE,
                method="POST",
            )
        ],
        "clients:import_errors": [
            Case(
                expect(REFUSED, finance_clerk=NOT_FOUND),
                args=REVENUE,
                note="the error list of the clerk's own pending upload; with none pending there is nothing to list",
            )
        ],
        "clients:import_template": [
            Case(expect(REFUSED, **{who: OK}), args=lambda w, k=kind: {"kind": k, "fmt": "csv"}, id=kind)
            for kind, who in by_kind.items()
        ]
        + [
            Case(
                expect(REFUSED, **{"finance_clerk": NOT_FOUND}),
                args=lambda w: {"kind": "revenue", "fmt": "exe"},
                id="unknown-format",
            )
        ],
    }


MATRIX: dict[str, list[Case]] = {
    # --- Site and accounts ------------------------------------------------------------------------------------
    "home": [Case(expect(OK), note="each person's task list")],
    "healthz": [Case(everyone(OK), note="the load balancer's health check: no data, no login")],
    "readyz": [Case(everyone(OK), note="readiness (database, Redis, storage): no data, no login")],
    "login": [Case(everyone(OK))],
    "logout": [
        Case(everyone(LOGIN), method="POST", note="logging out ends on the login page, for everyone"),
        Case(everyone(METHOD), id="get", note="Django 5 logs out by POST only"),
    ],
    "password_change": [Case(expect(OK))],
    "password_change_done": [Case(expect(OK))],
    "password_reset": [Case(everyone(OK), note="anyone may ask for a reset e-mail")],
    "password_reset_done": [Case(everyone(OK))],
    "password_reset_confirm": [
        Case(
            everyone(OK),
            args=lambda w: {"uidb64": "MQ", "token": "not-a-token"},
            note="a wrong token shows the 'link invalid' page to anyone",
        )
    ],
    "password_reset_complete": [Case(everyone(OK))],
    # --- People (regulation 二) -------------------------------------------------------------------------------
    "reviews:people": [Case(expect(REFUSED, **ORGANISERS), note="group membership, for the two groups")],
    "reviews:person_add": [
        Case(
            expect(REFUSED, **ORGANISERS),
            note="the execution group manages people; leadership too (it grants leadership)",
        ),
        Case(expect(REFUSED, **ORGANISERS), method="POST", id="post", note="an empty POST re-shows the form (200)"),
    ],
    "reviews:person_edit": [Case(expect(REFUSED, **ORGANISERS), args=lambda w: {"pk": w.firm.lawyer.profile.pk})],
    "reviews:person_invite": [
        Case(
            expect(REFUSED, executor=REDIRECT(to("reviews:people")), partner=REDIRECT(to("reviews:people"))),
            method="POST",
            args=lambda w: {"pk": w.firm.lawyer.profile.pk},
        )
    ],
    "reviews:staff_changes": [
        Case(expect(REFUSED, partner=OK), note="the record of role changes is the leadership group's (二.1)"),
        Case(
            expect(REFUSED, partner=OK),
            data=lambda w: {"kind": "groups", "since": "2026-01-01", "until": "2026-12-31", "page": "2"},
            id="filtered",
        ),
    ],
    # --- The quarter (docs/regulation.md, "The quarter's life") -----------------------------------------------
    "portal:quarters": [Case(expect(REFUSED, **ORGANISERS))],
    "portal:quarter": [Case(expect(REFUSED, **ORGANISERS), args=QUARTER)],
    "portal:quarter_act": [
        Case(
            expect(
                REFUSED,
                partner=REDIRECT(to("portal:quarter", QUARTER)),
                executor=REDIRECT(to("portal:quarter", QUARTER)),
            ),
            args=lambda w: {"code": w.quarter.code, "action": "close"},
            method="POST",
            note="the groups reach the service, which refuses a wrong step with a message on the quarter page",
        ),
        Case(everyone(METHOD), args=lambda w: {"code": w.quarter.code, "action": "close"}, id="get"),
    ],
    "portal:quarter_appeal_terms": [
        Case(
            expect(REFUSED, executor=REDIRECT(to("portal:quarter", QUARTER))),
            args=QUARTER,
            method="POST",
            data=lambda w: {"appeal_window_days": "10", "appeal_decision_days": "14"},
            note="the execution group sets them until publication; the published quarter refuses with a message",
        ),
        Case(everyone(METHOD), args=QUARTER, id="get", note="POST only: the form is on the quarter page"),
    ],
    "portal:completeness": [Case(expect(REFUSED, **ORGANISERS), args=QUARTER)],
    "portal:completeness_remind": [
        Case(
            expect(REFUSED, executor=REDIRECT(to("portal:completeness", QUARTER))),
            args=QUARTER,
            method="POST",
            data=lambda w: {"gap": "surveys"},
            note="the execution group reminds; a published quarter's data are no longer collected (a message)",
        ),
        Case(everyone(METHOD), args=QUARTER, id="get", note="POST only: the buttons are on the completeness page"),
    ],
    "portal:compute": [
        Case(
            expect(REFUSED, executor=REDIRECT(to("portal:quarter", QUARTER))),
            args=QUARTER,
            note="the execution group computes (三.4); a published quarter cannot be computed: back with a message",
        ),
        Case(
            expect(REFUSED, executor=REDIRECT(to("portal:quarter", QUARTER))),
            args=QUARTER,
            method="POST",
            id="post",
        ),
    ],
    "portal:interviewers": [
        Case(expect(REFUSED, **ORGANISERS), args=QUARTER),
        Case(
            expect(REFUSED, executor=INVALID),
            args=QUARTER,
            method="POST",
            id="post",
            note="only the execution group designates interviewers; the empty form is answered with its errors",
        ),
    ],
    "portal:report": [
        Case(expect(REFUSED, **ORGANISERS), args=QUARTER),
        Case(
            expect(REFUSED, executor=REDIRECT(to("portal:report", QUARTER))),
            args=QUARTER,
            method="POST",
            data=lambda w: {"text": "改写"},
            id="post",
            note="only the execution group writes the summary; after publication it is told it can't change",
        ),
    ],
    "portal:report_pdf": [
        Case(
            expect(REFUSED, partner=REDIRECT("/jobs/"), executor=REDIRECT("/jobs/")),
            args=QUARTER,
            method="POST",
            note="the PDF is made by a job: to its page",
        ),
        Case(everyone(METHOD), args=QUARTER, id="get"),
    ],
    "portal:report_download": [
        Case(expect(REFUSED, **ORGANISERS), args=QUARTER_CSV, note="as the report: the two groups"),
        Case(expect(REFUSED, **ORGANISERS), args=QUARTER_XLSX, id="xlsx"),
    ],
    "portal:evaluations": [
        Case(expect(REFUSED, **ORGANISERS), args=QUARTER),
        Case(
            expect(REFUSED, executor=INVALID),
            args=QUARTER,
            method="POST",
            id="post",
            data=lambda w: {f"text-{w.card.pk}": "改写的评价", f"shown-{w.card.pk}": ""},
            note="only the execution group writes; a published result's evaluation is refused with an error",
        ),
    ],
    "portal:approval": [
        Case(expect(REFUSED, partner=OK), args=QUARTER, note="leadership group only (二.1)"),
        Case(expect(REFUSED, partner=INVALID), args=QUARTER, method="POST", id="post"),
    ],
    "portal:approval_download": [
        Case(expect(REFUSED, partner=OK), args=QUARTER_CSV, note="as the approval page: leadership group only"),
        Case(expect(REFUSED, partner=OK), args=QUARTER_XLSX, id="xlsx"),
    ],
    # --- Scorecards and interviews (regulation 三.5) -------------------------------------------------------------
    "portal:my_scorecards": [Case(expect(OK), note="each person's own list")],
    "portal:history_download": [
        Case(
            expect(OK, partner=REDIRECT(to("portal:my_scorecards"))),
            args=lambda w: {"file_format": "csv"},
            note="each person's own published results only; the partner (not assessed) has none: back to the list",
        ),
        Case(
            expect(OK, partner=REDIRECT(to("portal:my_scorecards"))),
            args=lambda w: {"file_format": "xlsx"},
            id="xlsx",
        ),
    ],
    "portal:scorecard": [
        Case(
            expect(NOT_FOUND, **ORGANISERS, lawyer=OK, superior=OK),
            args=LAWYER_CARD,
            note="owner, superiors up the line, the groups; 404 for everyone else",
        )
    ],
    "interviews:interview_schedule": [
        Case(
            expect(NOT_FOUND, partner=REFUSED, executor=REFUSED, lawyer=REFUSED, superior=OK),
            args=LAWYER_CARD,
            note="who may read the scorecard but is not the direct superior is refused; the rest do not see it",
        )
    ],
    "interviews:self_assessment": [
        Case(
            expect(NOT_FOUND, executor=OK, lawyer=OK, superior=OK),
            args=LAWYER_CARD,
            note="the person, their interviewer and the execution group; not the leadership group, peers or clerks",
        ),
        Case(
            expect(NOT_FOUND, executor=REFUSED, superior=REFUSED, lawyer=INVALID),
            args=LAWYER_CARD,
            method="POST",
            id="post",
            note="only the person writes it; the empty form is answered with its errors",
        ),
    ],
    "interviews:team": [Case(expect(OK), note="a superior's direct reports; empty for others")],
    "interviews:interviews": [Case(expect(REFUSED, **ORGANISERS))],
    "interviews:interviews_overdue": [Case(expect(REFUSED, **ORGANISERS))],
    "interviews:interview": [Case(expect(NOT_FOUND, **ORGANISERS, lawyer=OK, superior=OK), args=INTERVIEW)],
    "interviews:interview_record": [
        Case(
            expect(NOT_FOUND, partner=REFUSED, executor=REFUSED, lawyer=REFUSED, superior=OK),
            args=INTERVIEW,
            note="only the direct superior records",
        )
    ],
    "interviews:interview_acknowledge": [
        Case(
            expect(
                NOT_FOUND,
                partner=REFUSED,
                executor=REFUSED,
                superior=REFUSED,
                lawyer=REDIRECT(to("interviews:interview", INTERVIEW)),
            ),
            args=INTERVIEW,
            method="POST",
            note="only the assessed person acknowledges (not yet recorded: told so on the interview page)",
        ),
        Case(everyone(METHOD), args=INTERVIEW, id="get"),
    ],
    "interviews:improvement_item_done": [
        Case(
            expect(
                NOT_FOUND,
                partner=REFUSED,
                executor=REFUSED,
                superior=REDIRECT(to("interviews:interview", INTERVIEW)),
                lawyer=REDIRECT(to("interviews:interview", INTERVIEW)),
            ),
            args=IMPROVEMENT_ITEM,
            method="POST",
            data=lambda w: {"done": "1"},
            note="the item's owner (the lawyer) and the interview's superior tick it; the groups only read it",
        ),
        Case(everyone(METHOD), args=IMPROVEMENT_ITEM, id="get"),
    ],
    "interviews:goal_assess": [
        Case(
            expect(
                NOT_FOUND,
                partner=REFUSED,
                executor=REFUSED,
                lawyer=REFUSED,
                superior=REDIRECT(to("interviews:interview", INTERVIEW)),
            ),
            args=GOAL_TO_MARK,
            method="POST",
            data=lambda w: {"met": "1"},
            note="the superior holding the next interview marks a goal in words; the person and the groups read it",
        ),
        Case(everyone(METHOD), args=GOAL_TO_MARK, id="get"),
    ],
    # --- Goals agreed in interviews (regulation 三.5) ------------------------------------------------------------
    "goals:mine": [Case(expect(OK), note="each person's own goal history; empty for those without goals")],
    "goals:person": [
        Case(
            expect(NOT_FOUND, **ORGANISERS, lawyer=OK, superior=OK),
            args=lambda w: {"pk": w.card.staff_id},
            note="as the person's scorecards: the person, superiors up the line, the groups; 404 for everyone else",
        )
    ],
    "goals:departments": [Case(expect(REFUSED, **ORGANISERS), note="the firm's share of goals met: the two groups")],
    # --- Department data (regulation 二.3) -------------------------------------------------------------------
    "clients:index": [
        Case(
            expect(
                REFUSED,
                partner=REDIRECT(to("clients:clients_list")),
                executor=REDIRECT(to("clients:clients_list")),
                business_clerk=REDIRECT(to("clients:clients_list")),
                finance_clerk=REDIRECT(to("clients:revenue_list")),
                admin_clerk=REDIRECT(to("clients:complaints_list")),
            ),
            note="/data/ opens the first kind the person may read",
        )
    ],
    **_data_rows(),
    **_import_rows(),
    **_delivery_rows(),
    # --- Ratings (regulation 三.4) and questionnaires (三.3) ----------------------------------------------------
    "indicators:ratings_todo": [Case(expect(OK), note="each rater's own to-do list")],
    "indicators:my_ratings": [Case(expect(OK), note="each ratee's own averages")],
    "indicators:rating_give": [
        Case(
            expect(NOT_FOUND, lawyer=OK),
            args=lambda w: {"pk": w.assignment.pk},
            note="only the rater; for the ratee and everyone else it does not exist",
        )
    ],
    "indicators:rating_rounds": [Case(expect(REFUSED, **ORGANISERS))],
    "indicators:rating_round_open": [
        Case(expect(REFUSED, executor=INVALID), method="POST", note="the execution group opens rounds"),
        Case(everyone(METHOD), id="get"),
    ],
    "indicators:rating_round": [Case(expect(REFUSED, **ORGANISERS), args=ROUND)],
    # Names raters and how far each sits from the others (regulation 三.4): the two groups only.
    "indicators:rating_round_calibration": [Case(expect(REFUSED, **ORGANISERS), args=ROUND)],
    "indicators:rating_assignment_add": [
        Case(expect(REFUSED, executor=INVALID), args=ROUND, method="POST"),
        Case(everyone(METHOD), args=ROUND, id="get"),
    ],
    "indicators:rating_assignment_remove": [
        Case(
            expect(REFUSED, executor=REDIRECT(to("indicators:rating_round", ROUND))),
            method="POST",
            args=lambda w: {"pk": w.rating_round.pk, "assignment_pk": w.assignment.pk},
        ),
        Case(everyone(METHOD), args=lambda w: {"pk": w.rating_round.pk, "assignment_pk": w.assignment.pk}, id="get"),
    ],
    "indicators:rating_round_close": [
        Case(expect(REFUSED, executor=REDIRECT(to("indicators:rating_round", ROUND))), args=ROUND, method="POST"),
        Case(everyone(METHOD), args=ROUND, id="get"),
    ],
    "indicators:questionnaire_links": [Case(expect(REFUSED, **ORGANISERS, admin_clerk=OK), note="readers of surveys")],
    "indicators:questionnaire_link_create": [
        Case(expect(REFUSED, admin_clerk=OK), note="the administrative department sends links"),
        Case(expect(REFUSED, admin_clerk=INVALID), method="POST", id="post"),
    ],
    "indicators:questionnaire_link_created": [
        Case(
            expect(REFUSED, admin_clerk=OK),
            args=lambda w: {"pk": w.link.pk},
            note="shown once, to the clerk who made the link",
        )
    ],
    "questionnaire:answer": [
        Case(everyone(OK), args=lambda w: {"token": w.token}, note="public: the signed token is the key"),
        Case(everyone(NOT_FOUND), args=lambda w: {"token": "not-a-token"}, id="unknown-token"),
    ],
    "questionnaire:thanks": [Case(everyone(OK))],
    # --- Schemes (regulation 二.1, 三.2), results, explanations -------------------------------------------------
    "indicators:catalogue": [Case(expect(OK), note="everyone signed in sees what they are assessed on")],
    "indicators:schemes": [
        Case(expect(OK), note="approved schemes for all; drafts only for the groups"),
        Case(expect(REFUSED, executor=INVALID), method="POST", id="post", note="starting a quarter's scheme"),
    ],
    "indicators:scheme_detail": [
        Case(
            expect(NOT_FOUND, **ORGANISERS),
            args=DRAFT_SCHEME,
            id="draft",
            note="a draft does not exist for those who may not see it",
        ),
        Case(expect(OK), args=lambda w: {"pk": w.scheme.pk}, id="approved"),
    ],
    "indicators:scheme_edit_items": [
        Case(expect(REFUSED, executor=OK), args=lambda w: {"pk": w.draft_scheme.pk, "position": "lawyer"})
    ],
    "indicators:scheme_edit_bands": [Case(expect(REFUSED, executor=OK), args=DRAFT_SCHEME)],
    "indicators:scheme_edit_parameters": [Case(expect(REFUSED, executor=OK), args=DRAFT_SCHEME)],
    "indicators:scheme_approve": [
        Case(
            expect(REFUSED, partner=REDIRECT(to("indicators:scheme_detail", DRAFT_SCHEME))),
            args=DRAFT_SCHEME,
            method="POST",
            note="the leadership group approves",
        ),
        Case(everyone(METHOD), args=DRAFT_SCHEME, id="get"),
    ],
    "indicators:scheme_submit": [
        Case(
            expect(REFUSED, executor=REDIRECT(to("indicators:scheme_detail", DRAFT_SCHEME))),
            args=DRAFT_SCHEME,
            method="POST",
            note="the execution group submits",
        ),
        Case(everyone(METHOD), args=DRAFT_SCHEME, id="get"),
    ],
    "indicators:scheme_return": [
        Case(
            expect(REFUSED, partner=INVALID),
            args=DRAFT_SCHEME,
            method="POST",
            note="the leadership group returns, and only with a comment",
        ),
        Case(everyone(METHOD), args=DRAFT_SCHEME, id="get"),
    ],
    "indicators:scheme_compare": [
        Case(expect(REFUSED, **ORGANISERS), args=DRAFT_SCHEME, id="draft"),
        Case(expect(REFUSED, **ORGANISERS), args=lambda w: {"pk": w.scheme.pk}, id="approved"),
    ],
    "indicators:scheme_new_version": [
        Case(
            expect(REFUSED, executor=REDIRECT(to("indicators:scheme_detail", DRAFT_SCHEME))),
            args=DRAFT_SCHEME,
            method="POST",
        ),
        Case(everyone(METHOD), args=DRAFT_SCHEME, id="get"),
    ],
    "indicators:scheme_whatif": [
        Case(expect(REFUSED, **ORGANISERS), args=DRAFT_SCHEME),
        Case(
            expect(REFUSED, partner=REDIRECT("/jobs/"), executor=REDIRECT("/jobs/")),
            args=DRAFT_SCHEME,
            method="POST",
            id="post",
            note="the preview runs as a job: to its page",
        ),
    ],
    "portal:results_latest": [
        Case(
            expect(
                REFUSED,
                partner=REDIRECT(to("portal:results", QUARTER)),
                executor=REDIRECT(to("portal:results", QUARTER)),
            ),
            note="the menu's link: the latest quarter with results (the published 2026Q3)",
        )
    ],
    "portal:results": [Case(expect(REFUSED, **ORGANISERS), args=QUARTER)],
    "portal:results_download": [
        Case(expect(REFUSED, **ORGANISERS), args=QUARTER_CSV, note="as the results table: the two groups"),
        Case(expect(REFUSED, **ORGANISERS), args=QUARTER_XLSX, id="xlsx"),
    ],
    "portal:trends": [Case(expect(REFUSED, **ORGANISERS), note="the firm over time: the two groups")],
    "portal:trends_download": [
        Case(expect(REFUSED, **ORGANISERS), args=lambda w: {"file_format": "csv"}, note="as the trends page"),
        Case(expect(REFUSED, **ORGANISERS), args=lambda w: {"file_format": "xlsx"}, id="xlsx"),
    ],
    "portal:trends_pdf": [Case(expect(REFUSED, **ORGANISERS), note="as the trends page")],
    "portal:explain": [
        Case(
            expect(NOT_FOUND, **ORGANISERS, lawyer=OK, superior=OK),
            args=lambda w: {"pk": w.line.pk},
            note="follows its scorecard",
        )
    ],
    # --- Notifications and feedback PDFs (regulation 三.5) -----------------------------------------------------
    # --- Jobs (docs/operations.md, "Jobs"): the requester's own; a kind may let a group follow it -------------
    "jobs:list": [Case(expect(OK), note="each person's own recent jobs")],
    "jobs:detail": [Case(expect(NOT_FOUND, executor=OK), args=_executor_job, note="the requester only")],
    "jobs:status": [Case(expect(NOT_FOUND, executor=OK), args=_executor_job)],
    "jobs:file": [Case(expect(NOT_FOUND, executor=OK), args=_executor_job, note="what the job made")],
    "jobs:retry": [
        Case(
            expect(NOT_FOUND, executor=REDIRECT(to("jobs:detail", _executor_job))),
            args=_executor_job,
            method="POST",
            note="a succeeded job is not run again: back to its page with a message",
        ),
        Case(everyone(METHOD), args=_executor_job, id="get"),
    ],
    "notifications:list": [Case(expect(OK), note="each person's own")],
    "notifications:read": [
        Case(
            expect(NOT_FOUND, lawyer=REDIRECT(to("notifications:list"))),
            method="POST",
            args=lambda w: {"pk": w.notification.pk},
            note="someone else's notification does not exist",
        ),
        Case(everyone(METHOD), args=lambda w: {"pk": w.notification.pk}, id="get"),
    ],
    "notifications:read_all": [
        Case(expect(REDIRECT(to("notifications:list"))), method="POST"),
        Case(everyone(METHOD), id="get"),
    ],
    "documents:feedback_progress": [Case(expect(REFUSED, **ORGANISERS), args=QUARTER)],
    "documents:quarter_retry": [
        Case(
            expect(REFUSED, executor=REDIRECT(to("portal:quarter", QUARTER))),
            method="POST",
            args=QUARTER,
            note="Retry what is stuck: the execution group",
        ),
        Case(everyone(METHOD), args=QUARTER, id="get"),
    ],
    "notifications:outbox": [Case(expect(REFUSED, executor=OK), note="undelivered e-mails: the execution group")],
    "notifications:outbox_retry": [
        Case(expect(REFUSED, executor=REDIRECT(to("notifications:outbox"))), method="POST"),
        Case(everyone(METHOD), id="get"),
    ],
    "documents:feedback_retry": [
        Case(
            expect(REFUSED, executor=REDIRECT(to("portal:quarter", QUARTER))),
            method="POST",
            args=lambda w: {"pk": w.feedback.pk},
        ),
        Case(everyone(METHOD), args=lambda w: {"pk": w.feedback.pk}, id="get"),
    ],
    "documents:feedback_pdf": [
        Case(
            expect(NOT_FOUND, **ORGANISERS, lawyer=OK, superior=OK),
            args=lambda w: {"pk": w.feedback.pk},
            id="feedback",
            note="follows its scorecard",
        ),
        Case(
            expect(NOT_FOUND, **ORGANISERS),
            args=lambda w: {"pk": w.report_document.pk},
            id="report",
            note="the report is for the two groups",
        ),
    ],
    "documents:interview_record_pdf": [
        Case(
            expect(NOT_FOUND, **ORGANISERS, lawyer=OK, superior=OK),
            args=lambda w: {"pk": _recorded_item(w)["pk"]},
            note="exactly as the interview page; the interview recorded first",
        )
    ],
    "documents:scorecard_feedback_pdf": [
        Case(expect(NOT_FOUND, **ORGANISERS, lawyer=OK, superior=OK), args=LAWYER_CARD)
    ],
    # --- Appeals (regulation 二.2; 四: the right to appeal) -----------------------------------------------------
    "appeals:list": [Case(expect(OK), note="the queue for the groups, one's own appeals for others")],
    "appeals:file": [
        Case(
            expect(NOT_FOUND, lawyer=OK),
            args=lambda w: {"scorecard_pk": w.card.pk},
            note="only the scorecard's owner appeals",
        )
    ],
    "appeals:detail": [
        Case(
            expect(NOT_FOUND, **ORGANISERS, lawyer=OK),
            args=lambda w: {"pk": w.appeal.pk},
            note="the appellant and the two groups; not even the superior",
        ),
        Case(
            expect(
                NOT_FOUND,
                partner=REDIRECT(to("appeals:detail", APPEAL)),
                executor=REDIRECT(to("appeals:detail", APPEAL)),
                lawyer=REDIRECT(to("appeals:detail", APPEAL)),
            ),
            args=lambda w: {"pk": w.appeal.pk},
            method="POST",
            data=lambda w: {"action": "nothing"},
            id="post",
            note="an unknown step: told on the appeal page that nothing changed",
        ),
    ],
    "results:corrections": [
        Case(
            expect(REFUSED, **ORGANISERS),
            args=QUARTER,
            note="a quarter's corrections: the two groups (they show several people's results)",
        ),
        Case(
            expect(REFUSED, executor=INVALID, partner=REFUSED),
            args=QUARTER,
            method="POST",
            id="post",
            note="only the execution group starts a correction (an empty reason is refused)",
        ),
    ],
    "results:correction": [
        Case(expect(REFUSED, **ORGANISERS), args=lambda w: {"pk": w.correction.pk}, note="the two groups only"),
        Case(
            expect(REFUSED, executor=REDIRECT(to("results:correction", lambda w: {"pk": w.correction.pk}))),
            args=lambda w: {"pk": w.correction.pk},
            method="POST",
            data=lambda w: {"action": "submit", "expected_status": "draft", "fingerprint": "x"},
            id="post",
            note="only the execution group submits (here with a stale preview: told on the page, nothing changes)",
        ),
    ],
    "results:correction_change": [
        Case(
            expect(REFUSED, executor=OK),
            args=lambda w: {"pk": w.correction.pk},
            note="the execution group declares the records a correction changes",
        ),
    ],
    "appeals:attachment": [
        Case(
            expect(NOT_FOUND, **ORGANISERS, lawyer=OK),
            args=lambda w: {"pk": w.appeal.pk, "attachment_pk": w.attachment.pk},
        )
    ],
}
