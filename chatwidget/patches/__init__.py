"""The only place that touches a library's private internals, each patch version-guarded.

One module per patch. Each names, in its docstring, the library version it was written for
and the gain it measured (the in/out table is in docs/performance.md, "Library patches");
VERSIONS below is what check_versions() holds the installed libraries to. A library bumped
without its patch being checked again makes the app refuse to start, naming the library,
the version installed and the version the patch was written for.

CHATWIDGET_PATCHES_OFF (environment, read once at import) names patches to leave out,
comma-separated ("socketio_acks,prepared", or "all"): the app then takes the
library's own public path instead, and does not check that patch's library version. The
benchmarks use it to measure each patch in and out (docs/performance.md).
"""

import os
from importlib import metadata

OFF_ENV = "CHATWIDGET_PATCHES_OFF"

# patch → {distribution: the exact version the patch was written for}
VERSIONS = {
    "socketio_acks": {"python-socketio": "5.18.1"},
    "websocket": {"gevent-websocket": "0.10.1"},
    "prepared": {"SQLAlchemy": "2.1.9"},
    "limiter": {"Flask-Limiter": "4.1.1", "limits": "5.8.0"},
    "smorest_docs": {"flask-smorest": "0.47.0"},
}


class PatchVersionError(RuntimeError):
    """A patched library is installed at another version than its patch was written for."""


def _disabled(value: str | None) -> frozenset[str]:
    names = {name.strip() for name in (value or "").split(",") if name.strip()}
    return frozenset(VERSIONS) if "all" in names else frozenset(names)


DISABLED = _disabled(os.environ.get(OFF_ENV))


def enabled(name: str) -> bool:
    """Whether the patch `name` is in force (not named in CHATWIDGET_PATCHES_OFF)."""
    return name not in DISABLED


def installed_version(distribution: str) -> str | None:
    """The installed version of a distribution, or None when it is not installed."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def mismatches() -> list[tuple[str, str, str | None, str]]:
    """[(patch, distribution, installed, written for)] for every patch in force whose
    library is not at the version the patch was written for."""
    found: list[tuple[str, str, str | None, str]] = []
    for patch, wanted in VERSIONS.items():
        if not enabled(patch):
            continue
        for distribution, version in wanted.items():
            have = installed_version(distribution)
            if have != version:
                found.append((patch, distribution, have, version))
    return found


def check_versions() -> None:
    """Refuse to start (PatchVersionError) when a patched library is at another version."""
    found = mismatches()
    if found:
        lines = [
            "chatwidget.patches.%s was written for %s %s, but %s is installed"
            % (patch, distribution, version, "%s %s" % (distribution, have) if have else "none")
            for patch, distribution, have, version in found
        ]
        raise PatchVersionError(
            "refusing to start: %s. Check the patch against the new version (and its test), "
            "then update chatwidget/patches, or pin the version in requirements.txt; "
            "%s=<patch> runs without it." % ("; ".join(lines), OFF_ENV)
        )
