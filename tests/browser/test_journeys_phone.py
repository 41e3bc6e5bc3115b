"""Journey: the lawyer reads her scorecard on a 390 px phone. Nothing runs off the side of the screen (measured by
the browser itself), the total and every line's points are on screen, and the navbar's title is not cut."""

import pytest
from django.contrib.auth.models import User

from results.models import Scorecard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _inside_the_screen(locator, width):
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    return box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_lawyer_reads_her_scorecard_on_a_phone_without_sideways_scrolling(demo_firm, session_as, language):
    lawyer = session_as("lawyer", english=language == "en")
    if language != "en" and lawyer.page.locator("html").get_attribute("lang") != language:
        lawyer.switch_language(language)
    page = lawyer.page
    page.set_viewport_size(PHONE)
    card = (
        Scorecard.objects.filter(
            staff__user=User.objects.get(username="lawyer"), status=Scorecard.Status.PUBLISHED, is_current=True
        )
        .order_by("-quarter__year", "-quarter__number")
        .first()
    )
    # As she would: her list of results, then the newest quarter's scorecard.
    page.goto("/scorecards/")
    page.locator(f"a[href='/scorecards/{card.pk}/']").first.click()
    page.wait_for_url(f"**/scorecards/{card.pk}/")
    lawyer.shot(f"scorecard-390-{language}")

    # The page is no wider than the screen: no sideways scrolling.
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert inner_width == PHONE["width"]
    assert scroll_width <= inner_width, f"page is {scroll_width}px wide on a {inner_width}px screen"

    # The total, in its card and at the foot of the lines, is visible and on screen.
    total = page.locator("#scorecard-total")
    assert total.is_visible() and total.inner_text().strip() == str(card.total)
    assert _inside_the_screen(total, inner_width)
    foot = page.locator("#scorecard-lines-total")
    foot.scroll_into_view_if_needed()
    assert foot.is_visible() and _inside_the_screen(foot, inner_width)

    # Every line's points, weight and target are on screen, with their labels.
    rows = page.locator("#scorecard-lines tbody tr[data-indicator]")
    assert rows.count() == card.lines.count() > 0
    for index in range(rows.count()):
        row = rows.nth(index)
        for label in ("Points", "Weight", "Target") if language == "en" else ("得分", "权重", "目标值"):
            cell = row.locator(f"td[data-label='{label}']")
            cell.scroll_into_view_if_needed()
            assert cell.is_visible(), (index, label)
            assert _inside_the_screen(cell, inner_width), (index, label)

    # The navbar's title wraps rather than being cut off.
    brand = page.locator(".navbar-brand")
    assert page.evaluate("el => el.scrollWidth <= el.clientWidth", brand.element_handle())
    assert _inside_the_screen(brand, inner_width)
