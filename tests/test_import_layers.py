"""The import layers of ``src/mpdash``, read from the source with ``ast`` (nothing is imported).

(a) No import circle between mpdash's modules: the module-level graph (imports inside
    functions and under ``if TYPE_CHECKING:`` left out) has no cycle, and neither has the
    graph with the imports inside functions added, except the edges listed below.
(b) Nothing under ``marketplaces/`` imports Django (or a framework on top of it) or an
    mpdash module outside ``marketplaces/``, wherever the import stands, except as listed.
(c) A marketplace's name appears only in its own package ``marketplaces/<name>/`` and in
    ``marketplaces/registry.py``, except as listed.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from pathlib import Path

import mpdash

SRC = Path(mpdash.__file__).resolve().parent  # src/mpdash
ROOT = SRC.parent  # src

MARKETPLACE_NAMES = ("hepsiburada", "trendyol", "n11", "amazon", "walmart", "mono", "fashfed", "passo", "akinon")

# (importer, imported) edges of imports inside functions that would close a circle, each
# allowed only where Django's app loading forces the import into the function.
FUNCTION_LEVEL_CIRCLES_ALLOWED: dict[tuple[str, str], str] = {}

# Django and the frameworks built on it: a marketplace package is plain Python.
FRAMEWORKS = ("django", "rest_framework", "drf_spectacular", "django_filters", "celery", "django_celery_beat")
# imported module -> why any marketplace module may import it
MARKETPLACE_IMPORTS_ALLOWED_EVERYWHERE: dict[str, str] = {
    "mpdash.redaction": "plain Python (no Django): clients register their credentials as secrets and mask "
                        "them in logs with the rules the rest of mpdash uses",
    "mpdash.metrics": "plain Python (prometheus_client, no Django): the shared HTTP client and the call budgets "
                      "count calls, latencies and budget waits where they happen",
}
# (marketplace module, imported module) -> why it may
MARKETPLACE_IMPORTS_ALLOWED: dict[tuple[str, str], str] = {
    ("mpdash.marketplaces.ratelimit", "django.conf"):
        "the call budgets' storage is a setting (MPDASH_RATE_LIMIT_URL: the Redis broker, else a SQLite file in "
        "the data directory), read inside a function when the first budget is made",
}

# (glob of the path under src/mpdash, name) -> why the name may appear there
NAMES_ALLOWED: dict[tuple[str, str], str] = {
    ("orders/data/shipping_companies.json", "trendyol"):
        "Trendyol Express is a carrier in the seed list of shipping companies, not marketplace code",
    ("dashboard/static/*", "mono"): "the monospace font \"Liberation Mono\" in the style sheet, not the marketplace",
    ("dashboard/templates/*", "mono"): "the CSS class \"mono\" (monospace type), not the marketplace",
    # Comments comparing one marketplace with another, in files that other work of this
    # session rewrites (the adapter kit); to be reworded there.
    ("marketplaces/hepsiburada/config.py", "trendyol"): "a comment comparing a limit with the other marketplace's",
    ("marketplaces/trendyol/config.py", "hepsiburada"): "comments saying where the flags and penalty defaults come from",
    ("marketplaces/trendyol/adapter.py", "hepsiburada"): "a comment comparing how claims are left out",
    # Mono, Fashfed and Passo are one Seller Center integration: one package (akinon/) declares
    # the three marketplaces' defaults and serves them with one adapter and one simulator.
    ("marketplaces/akinon/*", "mono"): "Mono is one of the three Seller Center marketplaces the akinon package serves",
    ("marketplaces/akinon/*", "fashfed"): "Fashfed is one of the three Seller Center marketplaces the akinon package serves",
    ("marketplaces/akinon/*", "passo"): "Passo is one of the three Seller Center marketplaces the akinon package serves",
}
TEXT_SUFFIXES = {".py", ".html", ".txt", ".css", ".js", ".json", ".md", ".toml", ".cfg", ".ini", ".yaml", ".yml"}


# --- reading the source ------------------------------------------------------------------


def _modules() -> dict[str, tuple[Path, bool]]:
    """Dotted name -> (file, is a package), for every module under src/mpdash."""
    found = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> list[tuple[str, int, str]]:
    """Every import statement of ``module`` as (imported name, line, where), where is
    "module", "function" or "type_checking". ``from x import y`` gives ``x.y`` when that is
    a module, else ``x``; relative imports are resolved."""
    path, is_package = MODULES[module]
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[str, int, str]] = []

    def visit(nodes, where):
        for node in nodes:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(node.body, "type_checking" if where == "type_checking" else "function")
                continue
            if isinstance(node, ast.If) and _is_type_checking(node.test):
                visit(node.body, "type_checking")
                visit(node.orelse, where)
                continue
            if isinstance(node, ast.Import):
                found.extend((alias.name, node.lineno, where) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:
                    sub = f"{source}.{alias.name}"
                    found.append((sub if sub in MODULES else source, node.lineno, where))
            # Compound statements (if, try, with, for, class bodies...) run their statements
            # where they stand; their nested statements are visited with the same "where".
            visit([c for c in ast.iter_child_nodes(node) if isinstance(c, (ast.stmt, ast.excepthandler))], where)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)).body, "module")
    return found


def _own_module(name: str) -> str | None:
    """The mpdash module an imported name loads (the longest prefix that is one)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _graph(wheres: set[str]) -> dict[str, dict[str, int]]:
    """importer -> {imported mpdash module: line}. Importing a.b.c runs a/__init__ and
    a/b/__init__ first, so those are edges too, except to the importer's own packages
    (they are already being imported when it runs)."""
    graph: dict[str, dict[str, int]] = {m: {} for m in MODULES}
    for module in MODULES:
        own_packages = {module.rsplit(".", n)[0] for n in range(1, module.count(".") + 1)}
        for name, line, where in _imports(module):
            if where not in wheres:
                continue
            target = _own_module(name)
            if target and target != module:
                graph[module].setdefault(target, line)
            while target and "." in target:
                target = target.rpartition(".")[0]
                if target in MODULES and target not in own_packages and target != module:
                    graph[module].setdefault(target, line)
    return graph


def _a_cycle(graph: dict[str, dict[str, int]]) -> list[str]:
    """One cycle of the graph as [m1, m2, ..., m1], or [] when it has none."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def walk(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = walk(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state:
            cycle = walk(start)
            if cycle:
                return cycle
    return []


def _describe(graph, cycle: list[str]) -> str:
    return "\n  ".join(f"{a} (line {graph[a][b]}) -> {b}" for a, b in zip(cycle, cycle[1:]))


# --- (a) no circles ------------------------------------------------------------------------


def test_the_module_level_import_graph_has_no_cycle():
    graph = _graph({"module"})
    cycle = _a_cycle(graph)
    assert not cycle, "import cycle at module level:\n  " + _describe(graph, cycle)


def test_imports_inside_functions_close_no_circle_either():
    graph = _graph({"module", "function"})
    for importer, imported in FUNCTION_LEVEL_CIRCLES_ALLOWED:
        graph.get(importer, {}).pop(imported, None)
    cycle = _a_cycle(graph)
    assert not cycle, (
        "import cycle through an import inside a function (move what both sides need to a lower module):\n  "
        + _describe(graph, cycle)
    )


def test_the_graph_reader_sees_cycles_and_function_level_imports():
    """The reader itself: a circle made by hand is found, and imports are told apart by where they stand."""
    graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}
    assert _a_cycle(graph) == ["a", "b", "c", "a"]
    assert _a_cycle({"a": {"b": 1}, "b": {}}) == []
    wheres = {(name, where) for name, _, where in _imports("mpdash.integration.dispatch")}
    assert ("mpdash.integration.flows", "module") in wheres
    assert ("mpdash.channels.models", "function") in wheres


# --- (b) marketplace packages stay plain Python ---------------------------------------------


def _forbidden(name: str) -> bool:
    top = name.split(".")[0]
    if top in FRAMEWORKS:
        return True
    return top == "mpdash" and not (name == "mpdash.marketplaces" or name.startswith("mpdash.marketplaces."))


def test_marketplace_packages_import_neither_django_nor_the_apps():
    problems = []
    for module in sorted(MODULES):
        if not module.startswith("mpdash.marketplaces"):
            continue
        for name, line, where in _imports(module):
            allowed = any(name == imported or name.startswith(imported + ".") for imported in MARKETPLACE_IMPORTS_ALLOWED_EVERYWHERE) or any(
                module == m and (name == imported or name.startswith(imported + "."))
                for m, imported in MARKETPLACE_IMPORTS_ALLOWED
            )
            if _forbidden(name) and not allowed:
                problems.append(f"{MODULES[module][0].relative_to(ROOT.parent)}:{line} imports {name} ({where} level)")
    assert not problems, "marketplace code reaching outside marketplaces/:\n  " + "\n  ".join(sorted(set(problems)))


# --- (c) marketplace names stay in their packages -------------------------------------------


def _name_pattern(name: str) -> re.Pattern:
    """The name as a word in any case; "mono" only as the proper noun, a string or a
    module path, since ``mono`` is also everyday shorthand for monotonic or monospace."""
    if name == "mono":
        return re.compile(r"(?<![A-Za-z0-9_])Mono(?![A-Za-z0-9_])|[\"']mono[\"']|marketplaces[./]mono(?![A-Za-z0-9_])")
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", re.IGNORECASE)


def _name_hits() -> list[tuple[str, int, str]]:
    hits = []
    patterns = {name: _name_pattern(name) for name in MARKETPLACE_NAMES}
    for path in sorted(SRC.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(SRC).as_posix()
        if rel == "marketplaces/registry.py":
            continue
        for number, text in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for name, pattern in patterns.items():
                if pattern.search(text) and not rel.startswith(f"marketplaces/{name}/"):
                    hits.append((rel, number, name))
    return hits


def _allowed_name(rel: str, name: str) -> bool:
    return any(n == name and fnmatch.fnmatch(rel, pattern) for pattern, n in NAMES_ALLOWED)


def test_marketplace_names_appear_only_in_their_own_package():
    problems = [f"src/mpdash/{rel}:{line} names {name}" for rel, line, name in _name_hits() if not _allowed_name(rel, name)]
    assert not problems, (
        "a marketplace named outside marketplaces/<name>/ (say it generically, or move the code into the package):\n  "
        + "\n  ".join(problems)
    )

