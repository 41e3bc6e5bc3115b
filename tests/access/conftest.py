"""The objects the access matrix and the object-level checks point at, built once per test with the project's
services and the existing builders: a published quarter with scorecards, results, feedback PDFs, an appeal with an
attachment, an interview, a rating assignment, department records, a questionnaire link and a notification."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from appeals import services as appeal_services
from appeals.models import Appeal, AppealAttachment
from documents.models import FeedbackDocument
from indicators import questionnaire, ratings
from indicators.models import Indicator, QuestionnaireLink, RaterType, RatingAssignment, RatingRound, Scheme
from interviews import services
from interviews.models import Interview
from notifications.models import Notification
from results.corrections import correction_start
from results.drafts import results_store_drafts
from results.models import Correction, IndicatorScore, Scorecard
from reviews.models import Quarter, QuarterState
from tests.appeals.conftest import PDF, publish, survey, upload
from tests.clients.entry_factories import Records, make_records
from tests.personas import Firm
from tests.reviews.scorecard_builders import make_quarter, scheme_for

SCORED_AS_OF = timezone.make_aware(datetime.datetime(2026, 10, 5, 9, 0))
# A tiny but real PDF for the stored feedback documents.
FEEDBACK_PDF = b"%PDF-1.4\n% feedback\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@dataclass
class World:
    firm: Firm
    quarter: Quarter  # 2026Q3, published yesterday: the appeal window and the interview deadline are open
    next_quarter: Quarter  # 2026Q4, collecting data: its rating round is open, its lawyer card is a draft
    scheme: Scheme  # the approved scheme of 2026Q3
    draft_scheme: Scheme  # a draft scheme of 2027Q1 that only the two groups may know about
    card: Scorecard  # the lawyer's published scorecard
    colleague_card: Scorecard  # the colleague's (same superior) published scorecard
    outsider_card: Scorecard  # a lawyer of another group
    draft_card: Scorecard  # the lawyer's unpublished result of 2026Q4
    line: IndicatorScore  # one line (satisfaction) of the lawyer's scorecard
    colleague_line: IndicatorScore
    feedback: FeedbackDocument  # the lawyer's feedback PDF
    colleague_feedback: FeedbackDocument
    report_document: FeedbackDocument  # the report to the leadership group as a PDF
    appeal: Appeal  # the lawyer's appeal, with one attachment
    attachment: AppealAttachment
    interview: Interview  # the lawyer's interview, scheduled by the superior
    colleague_interview: Interview
    rating_round: RatingRound
    assignment: RatingAssignment  # the lawyer rates the colleague
    colleague_assignment: RatingAssignment  # the colleague rates the lawyer
    records: Records  # one client, contract, revenue entry, complaint and survey
    link: QuestionnaireLink  # made by the administrative clerk
    token: str
    notification: Notification  # the lawyer's
    correction: Correction  # a draft correction of 2026Q3 started by the execution group

    @property
    def personas(self):
        return self.firm.personas


def _document(card, quarter, *, kind=FeedbackDocument.Kind.FEEDBACK):
    document = FeedbackDocument.objects.create(
        quarter=quarter, scorecard=card, kind=kind, status=FeedbackDocument.Status.DONE, finished_at=timezone.now()
    )
    document.file.save(f"access-{document.pk}.pdf", ContentFile(FEEDBACK_PDF), save=True)
    return document


def build_world(firm) -> World:
    # Given a 2026Q3 scored by the real scoring service (the lawyers differ by their clients' surveys), published
    # yesterday: the appeal window and the interview deadline are open
    quarter = make_quarter(2026, 3, state=QuarterState.APPROVED)
    scheme = scheme_for(quarter, by=firm.executor)
    Scheme.objects.filter(pk=scheme.pk).update(status=Scheme.Status.APPROVED, approved_by=firm.partner)
    scheme.refresh_from_db()
    survey(firm.lawyer, (4, 4, 4))
    survey(firm.colleague, (4, 4, 5))
    survey(firm.superior, (3, 3, 3))
    results_store_drafts(quarter=quarter, scheme=scheme, by=firm.executor, as_of=SCORED_AS_OF)
    publish(quarter, days_ago=1)
    current = Scorecard.objects.filter(quarter=quarter, is_current=True)
    card = current.get(staff=firm.lawyer.profile)
    colleague_card = current.get(staff=firm.colleague.profile)
    outsider_card = current.get(staff=firm.outsider.profile)
    satisfaction = Indicator.objects.get(code="satisfaction")

    # And a 2026Q4 collecting its data, with the lawyer's not yet published result and an open rating round
    next_quarter = make_quarter(2026, 4, state=QuarterState.COLLECTING)
    next_scheme = scheme_for(next_quarter, by=firm.executor)
    Scheme.objects.filter(pk=next_scheme.pk).update(status=Scheme.Status.APPROVED, approved_by=firm.partner)
    next_scheme.refresh_from_db()
    results_store_drafts(quarter=next_quarter, scheme=next_scheme, by=firm.executor, as_of=SCORED_AS_OF)
    draft_card = Scorecard.objects.get(quarter=next_quarter, staff=firm.lawyer.profile, is_current=True)
    rating_round = ratings.rating_round_open(quarter=next_quarter, by=firm.executor, peers_per_person=0)
    communication = Indicator.objects.get(code="communication")
    assignment = ratings.rating_assignment_add(
        rating_round=rating_round,
        by=firm.executor,
        rater=firm.lawyer.profile,
        ratee=firm.colleague.profile,
        rater_type=RaterType.PEER,
        indicator=communication,
    )
    colleague_assignment = ratings.rating_assignment_add(
        rating_round=rating_round,
        by=firm.executor,
        rater=firm.colleague.profile,
        ratee=firm.lawyer.profile,
        rater_type=RaterType.PEER,
        indicator=communication,
    )

    # And a draft scheme of a later quarter
    later = make_quarter(2027, 1, state=QuarterState.SCHEME_DRAFT)
    draft_scheme = scheme_for(later, by=firm.executor)

    # And the feedback documents, the lawyer's appeal with evidence, the interviews
    feedback = _document(card, quarter)
    colleague_feedback = _document(colleague_card, quarter)
    report_document = _document(None, quarter, kind=FeedbackDocument.Kind.REPORT)
    appeal = appeal_services.appeal_file(
        scorecard=card,
        by=firm.lawyer,
        indicators=[satisfaction],
        reason="满意度调查录入错误：客户实际打了 5 分。",
        expected_correction="满意度按 5 分重新计算。",
        attachments=[upload("证据.pdf", PDF)],
    )
    soon = timezone.now() + datetime.timedelta(days=2)
    interview = services.interview_schedule(scorecard=card, by=firm.superior, scheduled_at=soon, place="3 号会议室")
    colleague_interview = services.interview_schedule(
        scorecard=colleague_card, by=firm.superior, scheduled_at=soon, place="3 号会议室"
    )

    # And the department records, a questionnaire link and a notification
    records = make_records(firm)
    records.client.email = "client@example.com"
    records.client.save(update_fields=["email"])
    link, token = questionnaire.questionnaire_link_create(
        client=records.client, staff=firm.lawyer.profile, by=firm.admin_clerk
    )
    notification = Notification.objects.create(
        user=firm.lawyer, kind="result_out", title="您的 2026Q3 考核结果已发布", url=f"/people/scorecards/{card.pk}/"
    )
    correction = correction_start(quarter=quarter, by=firm.executor, reason="收入记录重复录入，需更正。")
    return World(
        firm=firm,
        quarter=quarter,
        next_quarter=next_quarter,
        scheme=scheme,
        draft_scheme=draft_scheme,
        card=card,
        colleague_card=colleague_card,
        outsider_card=outsider_card,
        draft_card=draft_card,
        line=card.lines.get(indicator=satisfaction),
        colleague_line=colleague_card.lines.get(indicator=satisfaction),
        feedback=feedback,
        colleague_feedback=colleague_feedback,
        report_document=report_document,
        appeal=appeal,
        attachment=appeal.attachments.get(),
        interview=interview,
        colleague_interview=colleague_interview,
        rating_round=rating_round,
        assignment=assignment,
        colleague_assignment=colleague_assignment,
        records=records,
        link=link,
        token=token,
        notification=notification,
        correction=correction,
    )


@pytest.fixture
def world(firm):
    return build_world(firm)
