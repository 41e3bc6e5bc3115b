"""Journey: the execution group writes overall evaluations (regulation 三.5) on the one-form page: it filters the
page to one department's people still on the system draft, edits two of them, saves all once, and sees both saved
and the count of written evaluations move on. On the way, the results table (from the menu) fits the screen."""

import pytest
from django.contrib.auth.models import User

from portal.quarter_services import quarter_score
from results.models import Scorecard
from reviews.models import QuarterState
from tests.browser.test_journeys_quarter import collecting  # noqa: F401 — the demo's quarter collecting data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = "本季度客户开发成效显著，满意度稳定。"
SECOND = "协作积极，建议加强客户回访。"


@pytest.fixture
def scored(collecting):  # noqa: F811
    """The demo's last completed quarter scored through the service (the compute step has its own tests)."""
    executor = User.objects.get(username="executor")
    quarter_score(quarter=collecting, by=executor, incomplete_data_reason="演示：先出初稿")
    collecting.refresh_from_db()
    assert collecting.state == QuarterState.SCORED
    return collecting


def _written(quarter):
    return Scorecard.objects.filter(quarter=quarter, is_current=True).exclude(evaluation="").count()


def test_the_executor_filters_edits_two_rows_and_saves_all_once(scored, session_as):
    quarter = scored
    total = Scorecard.objects.filter(quarter=quarter, is_current=True).count()
    assert _written(quarter) == 0
    executor = session_as("executor")
    page = executor.page
    # First the results table, reached from the menu: at 1,400 px its last column (status) is not cut off
    page.goto("/")
    page.get_by_role("button", name="Assessment").click()
    page.get_by_role("link", name="Results table").click()
    page.wait_for_url(f"**/indicators/results/{quarter.code}/")
    fits = "() => { const t = document.querySelector('#results'); return t.scrollWidth <= t.parentElement.clientWidth }"
    assert page.evaluate(fits), "the results table is wider than the page at 1,400 px"
    executor.shot("00-results-table")
    page.goto(f"/quarters/{quarter.code}/")
    page.get_by_role("link", name="Overall evaluations").click()
    page.wait_for_url("**/evaluations/")
    assert f"0 of {total} evaluations written." in executor.text()
    # Filter: the litigation group, system drafts only
    page.locator("#evaluation-department").select_option("lit")
    page.locator("#evaluation-state").select_option("todo")
    page.locator("#evaluation-filters").get_by_role("button", name="Filter").click()
    page.wait_for_url("**/evaluations/?*department=lit*")
    rows = page.locator("#evaluations-form textarea")
    shown = Scorecard.objects.filter(quarter=quarter, is_current=True, department__code="lit").count()
    assert rows.count() == shown >= 2
    executor.shot("01-filtered")
    # Edit two rows, save all once
    first_id, second_id = (rows.nth(i).get_attribute("id") for i in (0, 1))
    page.locator(f"#{first_id}").fill(FIRST)
    page.locator(f"#{second_id}").fill(SECOND)
    page.get_by_role("button", name="Save all changes").click()
    page.wait_for_load_state()
    text = executor.text()
    assert "2 evaluations saved." in text
    # Both saved, nothing else; the filters kept; the count moved on
    saved = dict(
        Scorecard.objects.filter(pk__in=[int(first_id[5:]), int(second_id[5:])]).values_list("pk", "evaluation")
    )
    assert saved == {int(first_id[5:]): FIRST, int(second_id[5:]): SECOND}
    assert _written(quarter) == 2
    assert f"2 of {total} evaluations written." in text and "2 written" in text
    # Still filtered to system drafts: the two written rows left the list
    assert page.locator("#evaluations-form textarea").count() == shown - 2
    page.locator("#evaluation-state").select_option("done")
    page.locator("#evaluation-filters").get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert page.locator(".evaluation-state", has_text="written").count() == 2
    executor.shot("02-saved")
