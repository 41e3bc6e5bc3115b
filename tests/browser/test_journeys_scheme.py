"""Journey: the scheme of the current quarter, returned with comments and approved, in the browser only.

The demo seed leaves one scheme undecided (submitted, or a draft the executor submits first). A partner returns it
with a comment; the executor reads the comment, compares the draft with the previous approved scheme, changes a target,
sees the change in the comparison and submits it again; the partner (who did not prepare it: four eyes) approves.
"""

import pytest
from django.contrib.auth.models import User

from indicators.models import Indicator, Scheme, SchemeEvent
from indicators.numbers import plain_number
from reviews.models import Quarter, QuarterState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETURN_COMMENT = "律师的满意度目标请提高到4.5。"  # the demo firm's target is lower


def test_a_partner_returns_the_scheme_with_comments_and_approves_it_once_changed(demo_firm, session_as):
    # The scheme the demo leaves undecided: submitted while the last quarter still collects its data, else next
    # quarter's draft being prepared, which the executor submits first.
    scheme = Scheme.objects.get(status__in=[Scheme.Status.DRAFT, Scheme.Status.SUBMITTED])
    quarter = scheme.quarter
    assert quarter.state == QuarterState.SCHEME_DRAFT
    executor = session_as("executor")
    if scheme.status == Scheme.Status.DRAFT:
        executor.page.goto(f"/indicators/schemes/{scheme.pk}/")
        executor.page.locator("#submit-scheme").click()
        executor.page.wait_for_load_state()
        assert "is submitted to the leadership group for approval" in executor.text()

    # --- A partner returns the submitted scheme with a comment -------------------------------------------------
    partner = session_as("partner")
    partner.page.goto("/")
    partner.page.get_by_role("link", name=f"Approve the scheme of {quarter.code}").click()
    partner.page.wait_for_url(f"**/schemes/{scheme.pk}/")
    # The comment is required: an empty return is answered next to the field, and nothing changes
    partner.page.locator("#return-scheme").click()
    partner.page.wait_for_load_state()
    assert "Write what the execution group should change." in partner.text()
    assert Scheme.objects.get(pk=scheme.pk).status == Scheme.Status.SUBMITTED
    partner.page.locator("form[action$='/return/'] textarea[name=comment]").fill(RETURN_COMMENT)
    partner.page.locator("#return-scheme").click()
    partner.page.wait_for_load_state()
    assert "is returned to the execution group with your comments" in partner.text()
    assert Scheme.objects.get(pk=scheme.pk).status == Scheme.Status.DRAFT
    partner.shot("01-returned")

    # --- The executor reads the comment, compares, edits and submits again -----------------------------------
    executor.page.goto("/")
    executor.page.get_by_role("link", name=f"Rework the scheme of {quarter.code}").click()
    executor.page.wait_for_url(f"**/schemes/{scheme.pk}/")
    returned = executor.page.locator("#returned-comment").inner_text()
    assert RETURN_COMMENT in returned and "王建国" in returned
    executor.shot("02-comment-seen")
    base = scheme.based_on
    executor.page.locator("#compare-link").click()
    executor.page.wait_for_url("**/compare/")
    assert f"Before: {base.quarter.code} v{base.version} (approved)." in executor.text()
    assert "0 differences." in executor.text()
    # Raise the lawyers' satisfaction target
    executor.page.goto(f"/indicators/schemes/{scheme.pk}/")
    executor.page.locator("#position-lawyer").get_by_role("link", name="Edit").click()
    executor.page.wait_for_url("**/items/lawyer/")
    index = list(Indicator.objects.order_by("order").values_list("code", flat=True)).index("satisfaction")
    executor.page.locator(f"input[name='items-lawyer-{index}-target']").fill("4.5")
    executor.page.get_by_role("button", name="Save").click()
    executor.page.wait_for_url(f"**/schemes/{scheme.pk}/")
    # The comparison now shows the one difference, side by side
    executor.page.locator("#compare-link").click()
    executor.page.wait_for_url("**/compare/")
    assert "1 difference." in executor.text()
    row = executor.page.locator("#compare-lawyer tr[data-indicator='satisfaction']")
    cells = row.locator("td").all_inner_texts()
    before = base.items.get(position="lawyer", indicator__code="satisfaction").target
    assert cells[3] == plain_number(before) and cells[4] == "4.5", cells
    executor.shot("03-compare")
    executor.page.goto(f"/indicators/schemes/{scheme.pk}/")
    executor.page.locator("#submit-scheme").click()
    executor.page.wait_for_load_state()
    assert "is submitted to the leadership group for approval" in executor.text()
    assert Scheme.objects.get(pk=scheme.pk).status == Scheme.Status.SUBMITTED

    # --- The partner approves ----------------------------------------------------------------------------------
    partner.page.goto(f"/indicators/schemes/{scheme.pk}/")
    history = partner.page.locator("#review-history").inner_text()
    assert "Returned with comments" in history and RETURN_COMMENT in history
    partner.page.locator("form[action$='/approve/'] textarea[name=comment]").fill("同意。")
    partner.page.locator("#approve-scheme").click()
    partner.page.wait_for_load_state()
    assert "is approved and now applies" in partner.text()
    partner.shot("04-approved")
    scheme.refresh_from_db()
    assert (scheme.status, scheme.approved_by) == (Scheme.Status.APPROVED, User.objects.get(username="partner"))
    assert Quarter.objects.get(pk=quarter.pk).state == QuarterState.SCHEME_APPROVED
    assert list(SchemeEvent.objects.filter(scheme=scheme).values_list("action", flat=True))[-4:] == [
        "submit",
        "return",
        "submit",
        "approve",
    ]
