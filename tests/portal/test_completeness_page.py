"""The completeness page's gaps: each linked to where it is put right, and the execution group's reminder to
those responsible (portal.quarter_services.completeness_remind), recorded in the quarter's history."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from clients.models import ChangeRecord, Complaint
from documents.completeness import completeness_board
from notifications.models import Notice, Notification
from portal.quarter_services import completeness_remind
from reviews.models import Quarter, QuarterEvent, QuarterState
from tests.indicators.test_selectors import (  # noqa: F401
    AS_OF,
    client,
    quarter_with_scheme,
    ratings,
    scored_firm,
    survey,
)
from tests.reviews.quarter_builders import aware


@pytest.fixture(autouse=True)
def english(client):  # noqa: F811
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def collecting(scored_firm):  # noqa: F811
    """The quarter collecting data with an open complaint about the colleague and a rating not given yet."""
    from indicators.models import RaterType

    firm, quarter, _ = scored_firm
    Quarter.objects.filter(pk=quarter.pk).update(state=QuarterState.COLLECTING)
    quarter.refresh_from_db()
    Complaint.objects.create(ref="P9", client=client(), about=firm.colleague.profile, received_at=aware(2026, 8, 1))
    ratings(quarter, firm.executor, [(firm.outsider, firm.assistant, RaterType.PEER, "communication", None)])
    return firm, quarter


def page(browser, quarter):
    return browser.get(reverse("portal:completeness", args=[quarter.code])).content.decode()


def test_each_gap_links_to_where_it_is_put_right(collecting, client_for):
    firm, quarter = collecting
    board = completeness_board(quarter=quarter)
    text = page(client_for(firm.executor), quarter)
    assert {gap.kind for gap in board.gaps} == {"complaints", "surveys", "ratings"}
    assert f'href="{reverse("clients:complaints_list")}?quarter=2026Q3&amp;open=1"' in text
    assert f'href="{reverse("clients:surveys_list")}?quarter=2026Q3"' in text
    assert f'href="{reverse("indicators:rating_round", args=[board.rating_round.pk])}"' in text


def test_the_open_complaints_link_lists_only_the_open_ones(collecting, client_for):
    firm, quarter = collecting
    Complaint.objects.create(
        ref="P8",
        client=client(),
        about=firm.lawyer.profile,
        received_at=aware(2026, 8, 2),
        handled_at=aware(2026, 8, 3),
    )
    text = client_for(firm.admin_clerk).get(f"{reverse('clients:complaints_list')}?quarter=2026Q3&open=1")
    text = text.content.decode()
    assert "P9" in text and "P8" not in text


def test_the_execution_group_sees_remind_buttons_the_leadership_group_does_not(collecting, client_for):
    firm, quarter = collecting
    assert text_has_remind(page(client_for(firm.executor), quarter))
    assert not text_has_remind(page(client_for(firm.partner), quarter))


def text_has_remind(text):
    return reverse("portal:completeness_remind", args=["2026Q3"]) in text


def test_reminding_of_open_complaints_notifies_the_complaint_clerks_and_is_recorded(collecting, client_for):
    firm, quarter = collecting
    response = client_for(firm.executor).post(
        reverse("portal:completeness_remind", args=[quarter.code]), {"gap": "complaints"}
    )
    assert response.status_code == 302
    # The administrative department's clerk (complaints, regulation 三.3) got a notice, in the app and by e-mail
    notice = Notice.objects.get(kind="completeness_reminder")
    assert notice.recipient == firm.admin_clerk and notice.object_key == "2026Q3:complaints"
    assert Notification.objects.filter(user=firm.admin_clerk, kind="completeness_reminder").exists()
    # Recorded in the quarter's history: who, when, what
    event = QuarterEvent.objects.get(quarter=quarter, action="reminder")
    assert event.by == firm.executor and event.from_state == event.to_state == "collecting"
    assert "1 complaint of the quarter is still open." in event.comment and "Reminded:" in event.comment


def test_reminding_of_missing_ratings_notifies_the_raters_who_owe_them(collecting):
    firm, quarter = collecting
    sent = completeness_remind(quarter=quarter, gap="ratings", by=firm.executor, today=datetime.date(2026, 10, 6))
    assert sent.recipients == [firm.outsider] and sent.written == 1
    notification = Notification.objects.get(user=firm.outsider, kind="completeness_reminder")
    # In the recipient's own language (the outsider reads Chinese)
    assert "您在2026Q3还有1项评分未完成" in notification.body
    # Again the same day: nothing more is sent, still recorded
    again = completeness_remind(quarter=quarter, gap="ratings", by=firm.executor, today=datetime.date(2026, 10, 6))
    assert again.written == 0 and Notice.objects.filter(kind="completeness_reminder").count() == 1


@pytest.mark.parametrize("persona", ["partner", "admin_clerk", "lawyer", "superior"])
def test_nobody_outside_the_execution_group_may_remind(collecting, client_for, persona):
    firm, quarter = collecting
    user = getattr(firm, persona)
    response = client_for(user).post(reverse("portal:completeness_remind", args=[quarter.code]), {"gap": "complaints"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        completeness_remind(quarter=quarter, gap="complaints", by=user)
    assert not Notice.objects.exists() and not QuarterEvent.objects.filter(action="reminder").exists()


def test_a_gap_that_is_not_missing_or_unknown_is_refused_with_a_message(collecting, client_for):
    firm, quarter = collecting
    Complaint.objects.filter(ref="P9").update(handled_at=aware(2026, 8, 5))
    browser = client_for(firm.executor)
    for gap in ("complaints", "nonsense"):
        response = browser.post(reverse("portal:completeness_remind", args=[quarter.code]), {"gap": gap}, follow=True)
        assert response.status_code == 200
    text = response.content.decode()
    assert "There is nobody to remind of this." in text
    assert not Notice.objects.exists() and not QuarterEvent.objects.filter(action="reminder").exists()


def test_the_last_change_columns_come_from_the_audit_log(collecting, client_for):
    # Given the open complaint changed by the clerk (its audit-log entry)
    firm, quarter = collecting
    complaint = Complaint.objects.get(ref="P9")
    ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(Complaint),
        object_id=str(complaint.pk),
        object_repr="P9",
        action="update",
        by=firm.admin_clerk,
    )
    board = completeness_board(quarter=quarter)
    rows = {row.department.code: row for row in board.rows}
    deliveries = {d.kind: d for d in board.deliveries}
    # Then the complaints' delivery and the colleague's department have a last change; other rows none
    assert deliveries["complaints"].last_change is not None
    assert rows[firm.colleague.profile.department.code].last_change == deliveries["complaints"].last_change
    assert all(row.last_change is None for code, row in rows.items() if code != firm.colleague.profile.department.code)
