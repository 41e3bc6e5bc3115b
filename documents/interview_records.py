"""The printable record of a feedback interview (regulation 三.5: strengths, weaknesses, the improvement plan agreed
together and the goals for the next period), with lines for both people to sign. Rendered on request: one page
or two of the reader's own data, in the reader's language; nothing is stored."""

from django.conf import settings
from django.utils import timezone, translation

from documents import pdf
from goals.selectors import goals_of_interview
from interviews.models import Interview
from interviews.self_assessment import sections, self_assessment_reading
from results.models import Scorecard
from reviews.deadlines import interview_due_on, local_date


def interview_record_context(interview: Interview, *, reader=None) -> dict:
    """What the printed record shows: the interview as recorded, its plan, the result it discussed and, for a reader
    who may see it (interviews.self_assessment), the person's self-assessment beside the record."""
    scorecard = (
        Scorecard.objects.filter(
            quarter_id=interview.quarter_id,
            staff_id=interview.staff_id,
            is_current=True,
            status=Scorecard.Status.PUBLISHED,
        )
        .select_related("department")
        .first()
    )
    shows_self_assessment, self_assessment = (
        self_assessment_reading(reader, quarter=interview.quarter, staff=interview.staff, interview=interview)
        if reader is not None
        else (False, None)
    )
    if self_assessment is not None and not self_assessment.is_submitted:
        self_assessment = None  # a draft was never handed to the interviewer: it is not part of the record
    return {
        "interview": interview,
        "shows_self_assessment": shows_self_assessment,
        "self_assessment": self_assessment,
        "self_assessment_sections": sections(self_assessment),
        "staff": interview.staff,
        "quarter": interview.quarter,
        "interviewer": interview.superior,
        "items": list(interview.improvement_items.select_related("owner").order_by("due_on", "pk")),
        # The goals agreed one by one (goals app), as the interview page lists them, under its narrative.
        "goals": goals_of_interview(interview),
        "scorecard": scorecard,
        "published_on": local_date(interview.quarter.published_at),
        "due_on": interview_due_on(interview.quarter),
        "held_on": local_date(interview.held_at),
        "printed_on": timezone.localdate(),
        "firm_name": settings.FIRM_NAME,
        "LANGUAGE_CODE": translation.get_language(),
    }


def interview_record_pdf(interview: Interview, *, reader=None) -> bytes:
    """The record as PDF bytes (WeasyPrint with the shipped CJK font, documents.pdf)."""
    return pdf.render_pdf("pdf/interview_record.html", interview_record_context(interview, reader=reader))


def interview_record_filename(interview: Interview) -> str:
    return f"interview-{interview.quarter.code}-{interview.staff.user.username}.pdf"
