"""The quarter's settings and history: closing waits for the appeal window, the execution group sets the appeal
terms on the quarter page until publication, the history names each step, and the admin keeps the life to the
transition table."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from interviews.models import Interview
from portal.quarter_services import quarter_close
from results.models import Scorecard
from reviews.appeal_terms import quarter_appeal_terms_update
from reviews.lifecycle import Setting, TransitionRefused
from reviews.models import QuarterEvent, QuarterState
from tests.reviews.quarter_builders import aware, make_card, make_quarter

S = QuarterState


@pytest.fixture(autouse=True)
def in_english(client):
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


def published_quarter(firm, *, day=8):
    """2026Q3 published on 8 October 2026 (the appeal window of 7 days ends on the 15th), interviews recorded."""
    quarter = make_quarter(state=S.PUBLISHED, published_at=aware(2026, 10, day))
    make_card(quarter, firm.lawyer, 85, status=Scorecard.Status.PUBLISHED)
    Interview.objects.create(
        quarter=quarter,
        staff=firm.lawyer.profile,
        superior=firm.superior.profile,
        scheduled_at=aware(2026, 10, 10),
        place="Room 1",
        scheduled_by=firm.superior,
        held_at=aware(2026, 10, 10),
        recorded_by=firm.superior,
        recorded_at=aware(2026, 10, 10, 12),
    )
    return quarter


# --- Closing waits for the appeal window --------------------------------------------------------------------


def test_a_quarter_does_not_close_while_people_may_still_appeal(firm):
    quarter = published_quarter(firm)
    # On day 2 after publication, and on the window's last day, closing is refused
    for today in (aware(2026, 10, 10).date(), aware(2026, 10, 15).date()):
        with pytest.raises(TransitionRefused, match="The appeal window is open until 2026-10-15"):
            quarter_close(quarter=quarter, by=firm.executor, expected_state=S.PUBLISHED, today=today)
    quarter.refresh_from_db()
    assert quarter.state == S.PUBLISHED
    assert not QuarterEvent.objects.filter(action="close").exists()
    # The day after the window it closes
    quarter_close(quarter=quarter, by=firm.executor, expected_state=S.PUBLISHED, today=aware(2026, 10, 16).date())
    assert quarter.state == S.CLOSED


def test_the_refusal_lists_the_open_window_with_the_other_problems_in_both_languages(firm):
    quarter = published_quarter(firm)
    make_card(quarter, firm.colleague, 75, status=Scorecard.Status.PUBLISHED)  # no interview recorded
    with pytest.raises(TransitionRefused) as refusal:
        quarter_close(quarter=quarter, by=firm.executor, today=aware(2026, 10, 10).date())
    assert str(refusal.value) == (
        "The quarter cannot be closed yet: The appeal window is open until 2026-10-15. "
        "1 interview is not recorded yet: 刘洋."
    )
    with translation.override("zh-hans"), pytest.raises(TransitionRefused) as refusal:
        quarter_close(quarter=quarter, by=firm.executor, today=aware(2026, 10, 10).date())
    message = str(refusal.value)
    assert "2026年10月15日" in message and "申诉" in message and "appeal" not in message


def test_the_window_counts_in_the_firms_time_zone(firm, time_machine):
    # Published at 23:30 on 8 October in Shanghai (15:30 UTC): the window ends on the 15th, Shanghai's date.
    quarter = published_quarter(firm)
    quarter.published_at = aware(2026, 10, 8, 23, 30)
    quarter.save(update_fields=["published_at"])
    # At 01:00 on the 16th in Shanghai (still the 15th in UTC) it closes: the firm's day is what counts
    time_machine.move_to(aware(2026, 10, 16, 1, 0))
    quarter_close(quarter=quarter, by=firm.executor, expected_state=S.PUBLISHED)
    assert quarter.state == S.CLOSED


def test_the_close_button_tells_why_on_the_quarter_page(firm, client_for, time_machine):
    quarter = published_quarter(firm)
    time_machine.move_to(aware(2026, 10, 10, 9))
    response = client_for(firm.executor).post(
        reverse("portal:quarter_act", args=[quarter.code, "close"]), {"expected_state": "published"}, follow=True
    )
    assert "The appeal window is open until 2026-10-15." in response.content.decode()
    quarter.refresh_from_db()
    assert quarter.state == S.PUBLISHED


def test_the_quarter_page_offers_closing_only_after_the_appeal_window(firm, client_for, time_machine):
    quarter = published_quarter(firm)
    close_url = reverse("portal:quarter_act", args=[quarter.code, "close"])
    browser = client_for(firm.executor)
    time_machine.move_to(aware(2026, 10, 10, 9))
    page = browser.get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    assert close_url not in page and "after the appeal window ends on 2026-10-15" in page
    time_machine.move_to(aware(2026, 10, 16, 9))
    page = browser.get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    assert close_url in page and 'id="close-waits"' not in page


# --- The appeal terms on the quarter page -------------------------------------------------------------------


def terms_url(quarter):
    return reverse("portal:quarter_appeal_terms", args=[quarter.code])


@pytest.mark.parametrize("state", [S.SCHEME_DRAFT, S.COLLECTING, S.SCORED, S.APPROVED])
def test_the_execution_group_sets_the_appeal_terms_until_publication(firm, client_for, state):
    quarter = make_quarter(state=state)
    client = client_for(firm.executor)
    page = client.get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    assert terms_url(quarter) in page and 'name="appeal_window_days"' in page and 'value="7"' in page
    response = client.post(terms_url(quarter), {"appeal_window_days": "10", "appeal_decision_days": "14"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:quarter", args=[quarter.code])
    quarter.refresh_from_db()
    assert (quarter.appeal_window_days, quarter.appeal_decision_days) == (10, 14)


def test_the_change_is_in_the_quarters_history_with_who_and_when(firm, client_for, time_machine):
    time_machine.move_to(aware(2026, 9, 20, 11, 5), tick=False)
    quarter = make_quarter(state=S.COLLECTING)
    client = client_for(firm.executor)
    client.post(terms_url(quarter), {"appeal_window_days": "10", "appeal_decision_days": "10"})
    event = QuarterEvent.objects.get(quarter=quarter)
    assert (event.action, event.by, event.from_state, event.to_state) == (
        Setting.APPEAL_TERMS,
        firm.executor,
        S.COLLECTING,
        S.COLLECTING,
    )
    assert event.at == aware(2026, 9, 20, 11, 5)
    # Written in the firm's language, only what changed
    assert event.comment == "申诉期：7 → 10天"
    page = client.get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    assert "2026-09-20 11:05" in page and "赵敏" in page
    assert "Set the appeal window and decision time" in page and "申诉期：7 → 10天" in page


def test_saving_the_same_terms_again_adds_nothing_to_the_history(firm):
    quarter = make_quarter(state=S.SCORED)
    quarter_appeal_terms_update(quarter=quarter, by=firm.executor, appeal_window_days=7, appeal_decision_days=10)
    assert not QuarterEvent.objects.exists()


@pytest.mark.parametrize(
    ("window", "decision", "field", "error"),
    [
        ("0", "10", "appeal_window_days", "At least 1 day, please."),
        ("31", "10", "appeal_window_days", "At most 30 days, please."),
        ("7", "", "appeal_decision_days", "This field is required."),
        ("7", "ten", "appeal_decision_days", "Enter a whole number."),
    ],
)
def test_a_term_out_of_bounds_is_refused_next_to_its_field(firm, client_for, window, decision, field, error):
    quarter = make_quarter(state=S.SCORED)
    response = client_for(firm.executor).post(
        terms_url(quarter), {"appeal_window_days": window, "appeal_decision_days": decision}
    )
    assert response.status_code == 400
    page = response.content.decode()
    # crispy puts the error right under the field it belongs to
    field_block = page.split(f'id="div_id_{field}"', 1)[1].split("</div>\n", 2)
    assert error in "".join(field_block[:2])
    quarter.refresh_from_db()
    assert (quarter.appeal_window_days, quarter.appeal_decision_days) == (7, 10)
    assert not QuarterEvent.objects.exists()


def test_the_service_checks_the_bounds_too(firm):
    quarter = make_quarter(state=S.SCORED)
    with pytest.raises(ValidationError) as refusal:
        quarter_appeal_terms_update(quarter=quarter, by=firm.executor, appeal_window_days=0, appeal_decision_days=99)
    assert set(refusal.value.message_dict) == {"appeal_window_days", "appeal_decision_days"}


@pytest.mark.parametrize("state", [S.PUBLISHED, S.CLOSED])
def test_after_publication_the_terms_are_fixed(firm, client_for, state):
    quarter = make_quarter(state=state, published_at=aware(2026, 10, 8))
    client = client_for(firm.executor)
    page = client.get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    assert terms_url(quarter) not in page
    assert "Appeals may be filed for 7 days after publication" in page
    response = client.post(terms_url(quarter), {"appeal_window_days": "20", "appeal_decision_days": "20"}, follow=True)
    assert "its appeal window and decision time can no longer change" in response.content.decode()
    quarter.refresh_from_db()
    assert (quarter.appeal_window_days, quarter.appeal_decision_days) == (7, 10)
    with pytest.raises(ValidationError, match="can no longer change"):
        quarter_appeal_terms_update(quarter=quarter, by=firm.executor, appeal_window_days=8, appeal_decision_days=10)
    assert not QuarterEvent.objects.exists()


@pytest.mark.parametrize("persona", ["partner", "lawyer", "superior", "business_clerk"])
def test_only_the_execution_group_sets_the_terms(firm, client_for, persona):
    quarter = make_quarter(state=S.SCORED)
    user = getattr(firm, persona)
    response = client_for(user).post(terms_url(quarter), {"appeal_window_days": "9", "appeal_decision_days": "9"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        quarter_appeal_terms_update(quarter=quarter, by=user, appeal_window_days=9, appeal_decision_days=9)
    quarter.refresh_from_db()
    assert quarter.appeal_window_days == 7


def test_the_leadership_group_reads_the_terms_without_a_form(firm, client_for):
    quarter = make_quarter(state=S.SCORED)
    page = client_for(firm.partner).get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    assert terms_url(quarter) not in page
    assert "Appeals may be filed for 7 days after publication; each is decided within 10 days." in page


def test_the_terms_form_is_in_chinese_for_chinese_readers(firm, client_for):
    quarter = make_quarter(state=S.SCORED)
    client = client_for(firm.executor)
    client.cookies["django_language"] = "zh-hans"
    with translation.override("zh-hans"):
        response = client.post(terms_url(quarter), {"appeal_window_days": "31", "appeal_decision_days": "10"})
    page = response.content.decode()
    assert "申诉期（天）" in page and "最多30天" in page


# --- The history names each step ----------------------------------------------------------------------------


def test_the_history_names_the_action_so_a_recompute_is_not_just_scored_to_scored(firm, client_for):
    quarter = make_quarter(state=S.SCORED)
    for action, from_state in (("score", S.COLLECTING), ("recompute", S.SCORED)):
        QuarterEvent.objects.create(
            quarter=quarter,
            from_state=from_state,
            to_state=S.SCORED,
            action=action,
            by=firm.executor,
            at=aware(2026, 10, 2, 9, 30),
        )
    page = client_for(firm.executor).get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    history = page.split('id="history"', 1)[1]
    assert "Compute the results" in history and "Recompute the results" in history
    assert history.index("Compute the results") < history.index("Recompute the results")
    with translation.override("zh-hans"):
        client = client_for(firm.executor)
        client.cookies["django_language"] = "zh-hans"
        page = client.get(reverse("portal:quarter", args=[quarter.code])).content.decode()
    assert "Recompute the results" not in page.split('id="history"', 1)[1]


# --- The admin keeps the quarter's life to the table ---------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    root = User.objects.create_superuser("root", "root@firm.example", "pw-for-tests-1")
    client.force_login(root)
    return client


def admin_post(admin_client, quarter, **fields):
    data = {
        "year": quarter.year,
        "number": quarter.number,
        "appeal_window_days": quarter.appeal_window_days,
        "appeal_decision_days": quarter.appeal_decision_days,
        "report_summary": quarter.report_summary,
        **fields,
    }
    return admin_client.post(reverse("admin:reviews_quarter_change", args=[quarter.pk]), data)


def test_the_admin_shows_the_lifecycle_fields_but_never_changes_them(firm, admin_client):
    quarter = make_quarter(state=S.SCORED)
    page = admin_client.get(reverse("admin:reviews_quarter_change", args=[quarter.pk])).content.decode()
    for field in ("state", "published_at", "submitted_by", "approved_at", "closed_at"):
        assert f'name="{field}"' not in page
    response = admin_post(
        admin_client,
        quarter,
        state="closed",
        published_at_0="2026-10-08",
        published_at_1="10:00:00",
        closed_at_0="2026-10-09",
        closed_at_1="10:00:00",
        year="2030",
    )
    assert response.status_code == 302
    quarter.refresh_from_db()
    assert (quarter.state, quarter.published_at, quarter.closed_at, quarter.year) == (S.SCORED, None, None, 2026)


def test_the_admin_changes_the_appeal_terms_before_publication_within_bounds_and_records_it(firm, admin_client):
    quarter = make_quarter(state=S.APPROVED)
    response = admin_post(admin_client, quarter, appeal_window_days="31")
    assert response.status_code == 200  # the form with its error
    response = admin_post(admin_client, quarter, appeal_window_days="12")
    assert response.status_code == 302
    quarter.refresh_from_db()
    assert quarter.appeal_window_days == 12
    event = QuarterEvent.objects.get(quarter=quarter)
    assert event.action == Setting.APPEAL_TERMS and event.comment == "申诉期：7 → 12天"


@pytest.mark.parametrize("state", [S.PUBLISHED, S.CLOSED])
def test_the_admin_keeps_the_appeal_terms_once_published(firm, admin_client, state):
    quarter = make_quarter(state=state, published_at=aware(2026, 10, 8))
    page = admin_client.get(reverse("admin:reviews_quarter_change", args=[quarter.pk])).content.decode()
    assert 'name="appeal_window_days"' not in page and 'name="appeal_decision_days"' not in page
    response = admin_post(admin_client, quarter, appeal_window_days="30", appeal_decision_days="30")
    assert response.status_code == 302
    quarter.refresh_from_db()
    assert (quarter.appeal_window_days, quarter.appeal_decision_days) == (7, 10)
    assert not QuarterEvent.objects.exists()
