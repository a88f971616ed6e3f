"""Core's imports stay visible to the import-linter contracts (pyproject.toml): no import
statement inside a function, where a cycle between core modules could hide."""

import ast
import pathlib

CORE = pathlib.Path(__file__).resolve().parents[2] / "chatwidget" / "core"


def _imports_in_functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    yield "%s:%d" % (path.name, inner.lineno)


def test_core_has_no_function_level_import():
    found = [where for path in sorted(CORE.glob("*.py")) for where in _imports_in_functions(path)]
    assert found == []


def test_the_scan_sees_a_function_level_import(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text("def f():\n    from os import path\n    return path\n", encoding="utf-8")
    assert list(_imports_in_functions(module)) == ["sample.py:2"]
