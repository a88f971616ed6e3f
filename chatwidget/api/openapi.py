"""The flask-smorest Api every API blueprint registers on (bound by create_app()).

Here, not in chatwidget.extensions, because it names the error schema: extensions is
imported by models and core, which know no wire format.
"""

from flask_smorest import Api as _SmorestApi

from chatwidget.schemas.common import ErrorSchema


class Api(_SmorestApi):
    """flask-smorest Api with the project's error schema in its OpenAPI document.

    Its app-wide HTTPException handler would turn every HTML page's 404 into JSON:
    chatwidget.api.errors.register, called after Api.init_app, registers the one that
    answers JSON under the APIs and HTML elsewhere in its place (Flask keeps the last
    handler registered for an exception class).
    """

    ERROR_SCHEMA = ErrorSchema


api = Api()
