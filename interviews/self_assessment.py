"""The assessed person's self-assessment before the feedback interview (regulation 三.5: strengths, weaknesses and
next period's goals are discussed together, so the person comes with their own view of them).

The rule, in one place:
- who writes it: the assessed person alone, from the publication of their result until their interview is
  recorded (or the quarter closes); before publication there is nothing to assess, after the record it is part
  of what was discussed and stays as it was;
- what it holds: per indicator category what went well, what got in the way and what they need, and the goals
  they propose for the next quarter (free text; the interviewer writes the agreed goals in the record);
- who reads it: the person; once submitted, their interviewer (interviews.interviewers: the direct superior or the
  one designated; after the record, the one who held the interview) and the execution group. Nobody else, not the
  leadership group nor superiors further up the line (regulation 四: it is the person's own words to their
  interviewer, not a result);
- the history: each submission and each revision after it, with who and when (SelfAssessmentEvent); the
  interviewer is told of the first submission.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import Indicator
from interviews.access import profile_of
from interviews.interviewers import interviewer_of, may_interview
from interviews.models import Interview, SelfAssessment, SelfAssessmentEvent
from lawfirm_kpi.text import sentences_join
from notifications.services import notice_write
from results.models import Scorecard
from reviews.models import Quarter, QuarterState
from reviews.roles import roles_of

# The three questions asked for each indicator category, in the order the form and the record show them.
QUESTIONS = (
    ("went_well", gettext_lazy("What went well")),
    ("obstacles", gettext_lazy("What got in the way")),
    ("needs", gettext_lazy("What I need")),
)
MAX_TEXT = 2000


def categories() -> list[tuple[str, str]]:
    """(value, label) of the indicator categories (regulation 三.2), in the catalogue's order."""
    return list(Indicator.Category.choices)


def field_name(category: str, question: str) -> str:
    """The form field (and error key) of one answer: "development__went_well"."""
    return f"{category}__{question}"


def sections(assessment: SelfAssessment | None) -> list[dict]:
    """The answers as the pages and the PDF show them: each category with its non-empty answers, empty ones left
    out."""
    if assessment is None:
        return []
    rows = []
    for category, label in categories():
        given = assessment.answers.get(category) or {}
        answers = [(question_label, given[key]) for key, question_label in QUESTIONS if (given.get(key) or "").strip()]
        if answers:
            rows.append({"category": category, "label": label, "answers": answers})
    return rows


# --- Who reads it -------------------------------------------------------------------------------------------


def may_read_self_assessment(user, *, quarter, staff, interview: Interview | None = None) -> bool:
    """The person, the execution group, the person's interviewer for the quarter and, once the interview is
    recorded, the one who held it."""
    profile = profile_of(user)
    if profile is not None and profile.pk == staff.pk:
        return True
    if not user.is_authenticated:
        return False
    if roles_of(user).is_execution:
        return True
    if may_interview(user, quarter=quarter, staff=staff):
        return True
    if interview is None:
        interview = Interview.objects.filter(quarter=quarter, staff=staff).first()
    return (
        profile is not None and interview is not None and interview.is_recorded and interview.superior_id == profile.pk
    )


def self_assessment_reading(user, *, quarter, staff, interview: Interview | None = None):
    """(may this user read the person's self-assessment, what they see): the person their own, draft or not; the
    other readers a submitted one; None when there is nothing for them. Checked once for pages that need both."""
    if not may_read_self_assessment(user, quarter=quarter, staff=staff, interview=interview):
        return False, None
    assessment = SelfAssessment.objects.filter(quarter=quarter, staff=staff).first()
    if assessment is None or not (assessment.is_submitted or staff.user_id == user.pk):
        return True, None
    return True, assessment


# --- When it can be written ---------------------------------------------------------------------------------


def self_assessment_closed_reason(*, quarter, staff) -> str | None:
    """Why the person cannot write (or change) their self-assessment now, or None while they can."""
    if quarter.state == QuarterState.CLOSED:
        return _("The quarter %(quarter)s is closed: the self-assessment is read-only.") % {"quarter": quarter.code}
    published = Scorecard.objects.filter(
        quarter=quarter, staff=staff, is_current=True, status=Scorecard.Status.PUBLISHED
    ).exists()
    if quarter.state != QuarterState.PUBLISHED or not published:
        return _(
            "Your result for %(quarter)s is not published yet: the self-assessment opens with the publication."
        ) % {"quarter": quarter.code}
    interview = Interview.objects.filter(quarter=quarter, staff=staff, recorded_at__isnull=False).first()
    if interview is not None:
        return sentences_join(
            [
                _("Your interview for %(quarter)s was recorded on %(date)s.")
                % {
                    "quarter": quarter.code,
                    "date": formats.date_format(timezone.localtime(interview.recorded_at), "DATE_FORMAT"),
                },
                _("The self-assessment is part of it now and can no longer change."),
            ]
        )
    return None


# --- Writing it ---------------------------------------------------------------------------------------------


def _clean(answers, proposed_goals) -> tuple[dict, str]:
    """Only the known categories and questions, stripped; too long a text is refused by the field it is in."""
    errors = {}
    cleaned = {}
    for category, _label in categories():
        given = (answers or {}).get(category) or {}
        row = {}
        for question, _question_label in QUESTIONS:
            text = str(given.get(question) or "").strip()
            if len(text) > MAX_TEXT:
                errors[field_name(category, question)] = _("At most %(n)d characters, please.") % {"n": MAX_TEXT}
            if text:
                row[question] = text
        if row:
            cleaned[category] = row
    goals = (proposed_goals or "").strip()
    if len(goals) > MAX_TEXT:
        errors["proposed_goals"] = _("At most %(n)d characters, please.") % {"n": MAX_TEXT}
    if errors:
        raise ValidationError(errors)
    return cleaned, goals


def self_assessment_save(*, scorecard, by, answers: dict, proposed_goals: str, submit: bool) -> SelfAssessment:
    """The person saves their self-assessment as a draft (submit=False) or hands it to their interviewer
    (submit=True). A submitted one may still be revised until the interview is recorded; it stays submitted.

    Refused: for anyone but the person the scorecard is about (PermissionDenied); before the result is
    published, once the interview is recorded or the quarter is closed; a submission with nothing written.
    """
    profile = profile_of(by)
    if profile is None or profile.pk != scorecard.staff_id:
        raise PermissionDenied(_("Only the assessed person writes their self-assessment."))
    cleaned, goals = _clean(answers, proposed_goals)
    if submit and not cleaned and not goals:
        raise ValidationError(_("Write at least one answer or a proposed goal before you submit."))
    with transaction.atomic():
        # Lock the quarter first, as interview_record and quarter_close do: the record (or the closing) and this
        # save wait for each other, so nothing is written into an interview already recorded.
        quarter = Quarter.objects.select_for_update().get(pk=scorecard.quarter_id)
        reason = self_assessment_closed_reason(quarter=quarter, staff=scorecard.staff)
        if reason:
            raise ValidationError(sentences_join([reason, _("Nothing was changed.")]))
        now = timezone.now()
        assessment, _created = SelfAssessment.objects.select_for_update().get_or_create(
            quarter=quarter, staff_id=scorecard.staff_id, defaults={"created_at": now, "updated_at": now}
        )
        changed = assessment.answers != cleaned or assessment.proposed_goals != goals
        first_submission = submit and not assessment.is_submitted
        assessment.answers = cleaned
        assessment.proposed_goals = goals
        assessment.updated_at = now
        if first_submission:
            assessment.submitted_at = now
        assessment.save()
        if first_submission:
            SelfAssessmentEvent.objects.create(
                self_assessment=assessment, action=SelfAssessmentEvent.Action.SUBMITTED, by=by, at=now
            )
            _notify_interviewer(assessment, scorecard=scorecard)
        elif assessment.is_submitted and changed:
            SelfAssessmentEvent.objects.create(
                self_assessment=assessment, action=SelfAssessmentEvent.Action.REVISED, by=by, at=now
            )
    return assessment


def _notify_interviewer(assessment, *, scorecard):
    """The interviewer learns of the submission once (the notice's key), in the transaction that submits it."""
    interviewer = interviewer_of(quarter=assessment.quarter, staff=assessment.staff)
    if interviewer is None or interviewer.user_id is None:
        return
    name = assessment.staff.full_name
    code = assessment.quarter.code

    def compose():
        title = _("%(name)s submitted a self-assessment for %(quarter)s") % {"name": name, "quarter": code}
        body = _("Read it when you prepare the feedback interview; it is shown next to the interview record.")
        return title, body

    notice_write(
        user=interviewer.user,
        kind="self_assessment_submitted",
        object_key=f"self_assessment:{assessment.pk}",
        compose=compose,
        url=reverse("interviews:self_assessment", args=[scorecard.pk]),
        quarter=assessment.quarter,
    )


def self_assessment_link(user, *, scorecard, interview: Interview | None) -> dict | None:
    """The scorecard page's way to the self-assessment, for its readers once the result is published (None for
    everyone else). No query of its own for the person: the scorecard page keeps a fixed, small query budget
    (docs/benchmarks.md), so whether one was submitted is told on the self-assessment page itself."""
    if scorecard.status != Scorecard.Status.PUBLISHED:
        return None
    quarter, staff = scorecard.quarter, scorecard.staff
    if not may_read_self_assessment(user, quarter=quarter, staff=staff, interview=interview):
        return None
    is_owner = staff.user_id == user.pk
    return {
        "url": reverse("interviews:self_assessment", args=[scorecard.pk]),
        "is_owner": is_owner,
        "writable": is_owner
        and quarter.state == QuarterState.PUBLISHED
        and (interview is None or not interview.is_recorded),
    }
