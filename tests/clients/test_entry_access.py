"""Who may read and change each kind of department data (regulation 二.3), persona by persona."""

import pytest
from django.urls import reverse

from clients.models import ChangeRecord
from tests.clients.entry_factories import KEYS, make_records
from tests.clients.test_entry_forms import new_record_data

KINDS = list(KEYS)
PERSONAS = [
    "partner",
    "executor",
    "business_clerk",
    "finance_clerk",
    "admin_clerk",
    "superior",
    "lawyer",
    "colleague",
    "assistant",
    "outsider",
]
# Regulation 三.3: which clerk provides which kind.
EDITORS = {
    "clients": {"business_clerk"},
    "contracts": {"business_clerk"},
    "revenue": {"finance_clerk"},
    "complaints": {"admin_clerk"},
    "surveys": {"admin_clerk"},
}
# The leadership and execution groups read everything, read-only.
READERS = {"partner", "executor"}


KEY_FIELDS = {"clients": "code", "contracts": "number", "revenue": "ref", "complaints": "ref", "surveys": "ref"}


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


def may_read(persona, kind):
    return persona in READERS or persona in EDITORS[kind]


@pytest.fixture
def records(firm):
    return make_records(firm)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_and_histories_open_only_to_organisers_and_the_providing_clerk(firm, records, client_for, persona, kind):
    browser = client_for(firm.personas[persona])
    record = records.of(kind)
    for url in (reverse(f"clients:{kind}_list"), reverse(f"clients:{kind}_history", args=[record.pk])):
        response = browser.get(url)
        if may_read(persona, kind):
            assert response.status_code == 200, url
            assert KEYS[kind] in response.content.decode()
        else:
            assert response.status_code == 403, url
            assert KEYS[kind] not in response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", PERSONAS)
def test_add_and_edit_forms_open_only_to_the_providing_clerk(firm, records, client_for, persona, kind):
    browser = client_for(firm.personas[persona])
    add = browser.get(reverse(f"clients:{kind}_add"))
    edit = browser.get(reverse(f"clients:{kind}_edit", args=[records.of(kind).pk]))
    if persona in EDITORS[kind]:
        assert add.status_code == 200 and 'name="csrfmiddlewaretoken"' in add.content.decode()
        assert edit.status_code == 200 and f'value="{KEYS[kind]}"' in edit.content.decode()
    else:
        assert add.status_code == 403
        assert edit.status_code == 403


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"business_clerk", "finance_clerk", "admin_clerk"}))
def test_posts_from_anyone_but_the_providing_clerk_are_refused_and_change_nothing(
    firm, records, client_for, persona, kind
):
    # Given a reader (or nobody in particular) who sends a perfectly valid form anyway
    browser = client_for(firm.personas[persona])
    record = records.of(kind)
    model = type(record)
    data = new_record_data(kind, firm, records)
    # When they post it to the add and the edit page
    add = browser.post(reverse(f"clients:{kind}_add"), data)
    edit = browser.post(reverse(f"clients:{kind}_edit", args=[record.pk]), data)
    # Then both are refused and the data and its log are untouched
    assert add.status_code == 403 and edit.status_code == 403
    assert model.objects.count() == 1
    record.refresh_from_db()
    assert getattr(record, KEY_FIELDS[kind]) == KEYS[kind]
    assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize(
    ("persona", "kind"),
    [
        (persona, kind)
        for persona in ("business_clerk", "finance_clerk", "admin_clerk")
        for kind in KINDS
        if persona not in EDITORS[kind]
    ],
)
def test_a_clerk_may_not_write_another_departments_data(firm, records, client_for, persona, kind):
    browser = client_for(firm.personas[persona])
    response = browser.post(reverse(f"clients:{kind}_add"), new_record_data(kind, firm, records))
    assert response.status_code == 403
    assert type(records.of(kind)).objects.count() == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("persona", sorted(READERS))
def test_organisers_read_without_add_or_edit_buttons(firm, records, client_for, persona, kind):
    text = client_for(firm.personas[persona]).get(reverse(f"clients:{kind}_list")).content.decode()
    assert reverse(f"clients:{kind}_add") not in text
    assert reverse(f"clients:{kind}_edit", args=[records.of(kind).pk]) not in text
    assert reverse(f"clients:{kind}_history", args=[records.of(kind).pk]) in text
    assert "You can read this data but not change it" in text


@pytest.mark.parametrize("kind", KINDS)
def test_the_providing_clerk_sees_add_and_edit_buttons(firm, records, client_for, kind):
    persona = next(iter(EDITORS[kind]))
    text = client_for(firm.personas[persona]).get(reverse(f"clients:{kind}_list")).content.decode()
    assert reverse(f"clients:{kind}_add") in text
    assert reverse(f"clients:{kind}_edit", args=[records.of(kind).pk]) in text


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_visitors_are_sent_to_login_from_every_data_page(records, client, kind):
    pk = records.of(kind).pk
    for url in (
        reverse(f"clients:{kind}_list"),
        reverse(f"clients:{kind}_add"),
        reverse(f"clients:{kind}_edit", args=[pk]),
        reverse(f"clients:{kind}_history", args=[pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_record_is_404_for_those_who_may_see_the_kind_and_403_for_the_rest(firm, client_for, kind):
    missing = 999999
    assert client_for(firm.executor).get(reverse(f"clients:{kind}_history", args=[missing])).status_code == 404
    editor = firm.personas[next(iter(EDITORS[kind]))]
    assert client_for(editor).get(reverse(f"clients:{kind}_edit", args=[missing])).status_code == 404
    # The lawyer learns nothing, not even whether the record exists.
    assert client_for(firm.lawyer).get(reverse(f"clients:{kind}_history", args=[missing])).status_code == 403


def test_the_data_menu_leads_each_reader_to_a_kind_they_may_read(firm, client_for):
    assert client_for(firm.finance_clerk).get("/data/")["Location"] == reverse("clients:revenue_list")
    assert client_for(firm.admin_clerk).get("/data/")["Location"] == reverse("clients:complaints_list")
    assert client_for(firm.executor).get("/data/")["Location"] == reverse("clients:clients_list")
    assert client_for(firm.lawyer).get("/data/").status_code == 403


def test_the_tabs_show_only_the_kinds_a_clerk_may_read(firm, client_for):
    text = client_for(firm.admin_clerk).get(reverse("clients:complaints_list")).content.decode()
    assert reverse("clients:surveys_list") in text
    assert reverse("clients:revenue_list") not in text
    assert reverse("clients:clients_list") not in text
    text = client_for(firm.executor).get(reverse("clients:complaints_list")).content.decode()
    assert all(reverse(f"clients:{kind}_list") in text for kind in KINDS)
