"""The layers of DEVELOPERS.md ("Layers"), beyond what the import-linter contract in `make lint` checks: no two
modules import each other, directly or round a circle, inside an app either (function-local imports count)."""

import grimp

APPS = (
    "lawfirm_kpi", "accounts", "reviews", "notifications", "clients", "indicators", "results", "interviews",
    "appeals", "documents", "portal", "demo",
)  # fmt: skip


def import_circles(graph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm, without recursion)."""
    modules = sorted(m for m in graph.modules if ".migrations" not in m)
    index, low, on_stack, stack, circles, counter = {}, {}, set(), [], [], 0
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next((c for c in children if ".migrations" not in c), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    circles.append(sorted(group))
    return circles


def test_no_module_imports_round_a_circle():
    assert import_circles(grimp.build_graph(*APPS)) == []


def test_the_check_finds_a_circle(tmp_path, monkeypatch):
    package = tmp_path / "circle_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from circle_probe import b\n")
    (package / "b.py").write_text("from circle_probe import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_circles(grimp.build_graph("circle_probe")) == [["circle_probe.a", "circle_probe.b"]]
