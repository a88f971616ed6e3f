"""Outside chatwidget/patches, the code uses libraries through their public API only.

Checked on the code itself: no class outside the package overrides a library class's
private (underscore) method or attribute, no module reads or sets one on a library object,
and nothing swaps an object's class. A new override belongs in chatwidget/patches, with
its version guard, its test against the stock path and its measured gain.
"""

import ast
import importlib
import inspect
import pathlib
import pkgutil
import textwrap

import chatwidget

ROOT = pathlib.Path(chatwidget.__file__).parent
# Underscore names the libraries document for callers or subclasses: marshmallow's custom
# fields ("implement _serialize and _deserialize"), werkzeug's LocalProxy, namedtuples.
DOCUMENTED = {"_serialize", "_deserialize", "_get_current_object", "_fields", "_asdict", "_exit"}


def _private(name):
    return name.startswith("_") and not name.endswith("__") and name not in DOCUMENTED


def _modules():
    for info in pkgutil.walk_packages(chatwidget.__path__, "chatwidget."):
        if not info.name.startswith("chatwidget.patches"):
            yield importlib.import_module(info.name)


def _library(cls):
    return not cls.__module__.startswith(("chatwidget", "builtins"))


def _body_names(cls):
    """The names a class's own body defines (methods, attributes), from its source.

    A class made by a call (TypedDict("Summary", {...}), Flask-SQLAlchemy's model base)
    has no class statement, so no body of its own: nothing it defines overrides anything.
    """
    try:
        source = inspect.getsource(cls)
    except OSError:
        return set()
    (node,) = ast.parse(textwrap.dedent(source)).body
    names = set()
    for item in node.body:
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(item.name)
        elif isinstance(item, ast.Assign):
            names.update(t.id for t in item.targets if isinstance(t, ast.Name))
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
            names.add(item.target.id)
    return names


def test_no_class_overrides_a_library_classs_private_member():
    found = []
    for module in _modules():
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            for name in _body_names(cls):
                if _private(name) and any(
                    _library(base) and hasattr(base, name) for base in cls.__mro__[1:]
                ):
                    found.append("%s.%s.%s" % (module.__name__, cls.__name__, name))
    assert found == []


def _own_names(tree):
    """Names a module binds to chatwidget's own modules and objects."""
    own = {"self", "cls"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chatwidget"):
            own.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:  # relative: our own
            own.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            own.update(
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if alias.name.startswith("chatwidget")
            )
    return own


def test_no_module_touches_a_library_objects_private_member_or_class():
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        if "patches" in path.relative_to(ROOT).parts:
            continue
        tree = ast.parse(path.read_text())
        own = _own_names(tree)
        where = path.relative_to(ROOT.parent)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "__class__":
                if isinstance(node.ctx, ast.Store):
                    found.append("%s:%d swaps a class" % (where, node.lineno))
            if not isinstance(node, ast.Attribute) or not _private(node.attr):
                continue
            base = node.value
            if isinstance(base, ast.Name) and base.id in own:
                continue
            if isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name):
                if base.value.id == "self" and base.attr.startswith("_"):
                    continue  # an attribute of our own, private too
            found.append("%s:%d .%s" % (where, node.lineno, node.attr))
    assert found == []
