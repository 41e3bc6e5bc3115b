"""Journey 1: a clerk of each data department imports a file with one bad row, sees the errors and that nothing
was saved, fixes the row, imports, then edits one record by hand — in the browser only."""

import pytest

from clients.models import Client, Complaint, Contract, RevenueEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _files():
    """Per clerk: kind, the file with one bad row, the fixed file, the model, the keys, the bad row's reason."""
    contract = Contract.objects.order_by("number").first().number
    client = Client.objects.order_by("code").first().code
    header = {
        "clients": "code,name,kind,referred_by,email,phone",
        "revenue": "ref,contract,received_on,amount,credited_to",
        "complaints": "ref,client,about,received_at,handler,handled_at,resolution,channel",
    }
    return {
        "bizclerk": (
            "clients",
            [
                header["clients"],
                "E2E-C01,浦东测试科技有限公司,organisation,,a@e2e.example,021-5555",
                "E2E-C02,测试个人客户,individual,,not-an-email,",
            ],
            [
                header["clients"],
                "E2E-C01,浦东测试科技有限公司,organisation,,a@e2e.example,021-5555",
                "E2E-C02,测试个人客户,individual,,b@e2e.example,",
            ],
            Client,
            "code",
            ["E2E-C01", "E2E-C02"],
            "e-mail",
        ),
        "finclerk": (
            "revenue",
            [
                header["revenue"],
                f"E2E-R01,{contract},2026-11-02,1200.00,lawyer",
                f"E2E-R02,{contract},2026-11-03,-50,lawyer",
            ],
            [
                header["revenue"],
                f"E2E-R01,{contract},2026-11-02,1200.00,lawyer",
                f"E2E-R02,{contract},2026-11-03,50.00,lawyer",
            ],
            RevenueEntry,
            "ref",
            ["E2E-R01", "E2E-R02"],
            "greater than zero",
        ),
        "admclerk": (
            "complaints",
            [
                header["complaints"],
                f"E2E-T01,{client},lawyer,2026-11-02 09:00,executor,2026-11-02 15:00,已致电解释,phone",
                f"E2E-T02,{client},lawyer,2026-11-05 09:00,executor,2026-11-04 09:00,已处理,phone",
            ],
            [
                header["complaints"],
                f"E2E-T01,{client},lawyer,2026-11-02 09:00,executor,2026-11-02 15:00,已致电解释,phone",
                f"E2E-T02,{client},lawyer,2026-11-05 09:00,executor,2026-11-05 16:00,已处理,phone",
            ],
            Complaint,
            "ref",
            ["E2E-T01", "E2E-T02"],
            "before it was received",
        ),
    }


def _upload(session, kind, lines, tmp_path, name):
    page = session.page
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Department data → Import a file → the kind's Import button
    page.goto("/")
    page.get_by_role("button", name="Department data").click()
    page.get_by_role("link", name="Import a file").click()
    page.locator(f"a[href$='/data/import/{kind}/']").first.click()
    page.set_input_files("input[type=file]", str(path))
    page.locator("form[enctype='multipart/form-data'] [type=submit]").first.click()
    page.wait_for_url(f"**/data/import/{kind}/preview/")


def test_each_departments_clerk_imports_a_file_fixes_the_bad_row_and_edits_a_record(demo_firm, session_as, tmp_path):
    # One demo firm for the three clerks: seeding it is the slow part
    for clerk, spec in _files().items():
        _clerk_journey(session_as, tmp_path, clerk, *spec)


def _clerk_journey(session_as, tmp_path, clerk, kind, bad, good, model, key, keys, reason):
    before = model.objects.count()
    session = session_as(clerk)
    page = session.page

    # When the clerk uploads the file with one bad row
    _upload(session, kind, bad, tmp_path, "bad")
    # Then the preview names the bad row (row 3: the header is row 1) and its reason, and nothing can be imported
    errors = page.locator("#import-errors").inner_text()
    assert "3" in errors and (reason in errors.lower() or reason in errors), errors
    assert "Nothing can be imported until every error is fixed." in session.text()
    assert page.locator("#confirm-import").count() == 0
    session.shot("1-preview-with-error")
    # And nothing was saved: the list does not show the first (good) row either
    assert model.objects.count() == before and not model.objects.filter(**{f"{key}__in": keys}).exists()
    page.goto(f"/data/{kind}/?q={keys[0]}")
    assert keys[0] not in page.locator("main").inner_text()

    # When the clerk fixes the row and uploads again
    _upload(session, kind, good, tmp_path, "good")
    # Then the preview counts two new records and no errors
    preview = session.text()
    assert "would be created" in preview and page.locator("#import-errors").count() == 0
    session.shot("2-preview-clean")
    page.locator("#confirm-import").click()
    page.wait_for_url(f"**/data/{kind}/")
    assert "2 created" in session.text()
    assert model.objects.filter(**{f"{key}__in": keys}).count() == 2
    session.shot("3-imported")

    # When the clerk edits the second record by hand
    page.goto(f"/data/{kind}/?q={keys[1]}")
    row = page.locator("tr", has_text=keys[1]).first
    row.locator("a[href$='/edit/']").click()
    if kind == "clients":
        page.fill("input[name=name]", "测试个人客户（已更正）")
    elif kind == "revenue":
        page.fill("input[name=amount]", "75.00")
    else:
        page.fill("textarea[name=resolution]", "已电话回访，客户满意")
    session.shot("4-edit-form")
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(f"**/data/{kind}/")
    # Then the list says it is saved and the change is stored, with a history entry
    assert "Saved" in session.text() and keys[1] in session.text()
    record = model.objects.get(**{key: keys[1]})
    if kind == "clients":
        assert record.name == "测试个人客户（已更正）"
    elif kind == "revenue":
        assert str(record.amount) == "75.00"
    else:
        assert record.resolution == "已电话回访，客户满意"
    page.goto(f"/data/{kind}/{record.pk}/history/")
    history = session.page.locator("main").inner_text()
    new_value = {"clients": "测试个人客户（已更正）", "revenue": "75", "complaints": "已电话回访，客户满意"}[kind]
    assert new_value in history, history
    session.shot("5-history")


def test_a_clerk_marks_the_departments_delivery_done_and_the_executor_sees_it(demo_firm, session_as):
    """Journey: the finance clerk's home warns that the quarter's revenue is overdue; the clerk marks the finance
    department's delivery done; the warning goes; the executor finds the mark on the completeness board."""
    from clients.models import DataDelivery
    from clients.selectors import collecting_quarter
    from reviews.deadlines import local_today

    quarter = collecting_quarter(today=local_today())
    assert quarter is not None, "the demo firm has a quarter whose data is being collected"
    clerk = session_as("finclerk")
    page = clerk.page

    # Given the home card of the revenue counts the quarter as overdue
    revenue_card = page.locator(".card-task", has_text="Enter or import: Revenue entries")
    assert "Overdue" in revenue_card.inner_text()
    clerk.shot("1-home-overdue")

    # When the clerk opens Department data → Mark the delivery done and marks it, with a note
    page.get_by_role("button", name="Department data").click()
    page.get_by_role("link", name="Mark the delivery done").click()
    page.wait_for_url("**/data/delivery/")
    assert f"Data delivery for {quarter.code}" in clerk.text()
    page.fill("textarea[name=note]", "本季度收款已全部录入")
    page.locator("main button[type=submit]", has_text="Mark the delivery done").click()
    page.wait_for_url("**/data/delivery/")
    # Then the page says so and shows who marked it
    assert "is marked complete" in clerk.text() and "Marked complete by 孙丽" in clerk.text()
    clerk.shot("2-marked")
    mark = DataDelivery.objects.get(quarter=quarter, withdrawn_at__isnull=True)
    assert mark.marked_by.username == "finclerk" and mark.note == "本季度收款已全部录入"

    # And the home card no longer warns
    page.goto("/")
    revenue_card = page.locator(".card-task", has_text="Enter or import: Revenue entries")
    assert "Overdue" not in revenue_card.inner_text()
    assert "Delivered for" in revenue_card.inner_text()
    assert page.locator(".card-task", has_text="Mark the delivery").count() == 0
    clerk.shot("3-home-delivered")

    # When the executor opens the quarter's completeness board
    executor = session_as("executor")
    executor.page.goto(f"/quarters/{quarter.code}/completeness/")
    # Then the finance department's mark is there with the clerk's name and note; the others are not marked yet
    marks = executor.page.locator("#delivery-marks")
    finance = marks.locator("li", has_text="Marked done")
    assert finance.count() == 1 and "孙丽" in finance.inner_text() and "本季度收款已全部录入" in finance.inner_text()
    assert "Not marked yet" in marks.inner_text()
    executor.shot("4-completeness")
