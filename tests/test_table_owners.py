"""One owner per table (DEVELOPERS.md, "Layers"): each table is written only by the app whose models define it.

A write is `Model.objects.<create | bulk_create | update | delete | get_or_create | update_or_create | bulk_update>`,
directly or after a chain of filters, on a model class named in the code. Reads from anywhere are fine.

The demo firm (`demo/`) is the one exception, and it is not part of the product: it loads a past that nobody
lived. It runs the quarters, publications, appeals and corrections through their owners' services, then moves
their timestamps back to the days of its timetable and loads the people and records in bulk.
"""

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
PROJECT_APPS = ("reviews", "notifications", "clients", "indicators", "results", "interviews", "appeals", "documents")
READERS_ONLY = ("portal", "accounts", "lawfirm_kpi")
WRITES = {"create", "bulk_create", "update", "delete", "get_or_create", "update_or_create", "bulk_update"}


def _owners() -> dict[str, str]:
    owners = {}
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            owners.setdefault(model.__name__, label)
    return owners


def _source_files():
    for app in PROJECT_APPS + READERS_ONLY:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield app, path


def _written_model(call: ast.Call) -> str | None:
    """The model class name at the root of `Model.objects[.filter(...)...].<write>(...)`, or None."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in WRITES:
        return None
    node, through_manager = call.func.value, False
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            through_manager = through_manager or node.attr in ("objects", "all_objects")
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id if through_manager else None
        else:
            return None


def writes_outside_their_owner():
    owners = _owners()
    found = []
    for app, path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (model := _written_model(node)) in owners:
                owner = owners[model]
                if owner != app:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} writes {model} (owned by {owner})")
    return found


def test_every_table_is_written_only_by_its_own_app():
    assert writes_outside_their_owner() == []


def test_the_check_sees_a_write_through_a_chain_of_filters():
    call = ast.parse("Scorecard.objects.filter(quarter=q).exclude(x=1).update(total=0)").body[0].value
    assert _written_model(call) == "Scorecard"
    read = ast.parse("Scorecard.objects.filter(quarter=q).count()").body[0].value
    assert _written_model(read) is None
