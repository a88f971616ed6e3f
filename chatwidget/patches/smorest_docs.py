"""flask-smorest 0.47.0: response documentation put on the view without a wrapper around it.

Written for flask-smorest 0.47.0 (requirements.txt): sets the private `_apidoc` attribute
its decorators keep a view's documentation in. Measured gain on bench/capture_ingest.py:
15.5 % of the server's CPU per capture, 1,050 µs in against 1,243 out (docs/performance.md,
"Library patches"). Out (CHATWIDGET_PATCHES_OFF=smorest_docs):
flask-smorest's own alt_response and doc decorators, wrappers included.

flask-smorest wraps the view once per documented response (and per doc()), each wrapper
a call through current_app.ensure_sync on every request; an API view carried seven of
them. Here the view gets the documentation its wrapper would have carried, and stays
itself.
"""

from collections.abc import Callable
from typing import Any, TypeVar

View = TypeVar("View", bound=Callable[..., Any])  # a view function


def documenting(decorator: Callable[[View], View]) -> Callable[[View], View]:
    """decorator's documentation put on the function itself, without its wrapper."""

    def document(func: View) -> View:
        # flask-smorest's private attribute, which no function type declares
        func._apidoc = decorator(func)._apidoc  # type: ignore[attr-defined]
        return func

    return document
