"""The kernel (lawfirm_kpi's shared modules): the bottom layer every app builds on, and the lifecycle engine's table."""

import ast
import pathlib

import pytest

from lawfirm_kpi import lifecycle

KERNEL = pathlib.Path(__file__).resolve().parent.parent / "lawfirm_kpi"
APPS = {"accounts", "appeals", "clients", "indicators", "notifications", "results", "reviews", "lawfirm_kpi"}


@pytest.mark.parametrize("module", ["lifecycle.py", "forms.py"])
def test_a_kernel_module_imports_nothing_of_the_apps(module):
    tree = ast.parse((KERNEL / module).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            # A relative import (level > 0) would reach into lawfirm_kpi's own modules, which import the apps.
            imported.add("lawfirm_kpi" if node.level else node.module.split(".")[0])
    assert not imported & APPS


def test_a_table_that_writes_the_same_step_twice_is_refused():
    with pytest.raises(ValueError, match="written twice"):
        lifecycle.transition_table(
            (
                lifecycle.Transition("draft", "approve", "approved", "leadership"),
                lifecycle.Transition("draft", "approve", "published", "leadership"),
            )
        )
