"""The flask-smorest Api every API blueprint registers on (bound by create_app()).

Here, not in chatwidget.extensions, because it names the error schema: extensions is
imported by models and core, which know no wire format.
"""

from flask_smorest import Api as _SmorestApi

from chatwidget.schemas.common import ErrorSchema


class Api(_SmorestApi):
    """flask-smorest Api without its app-wide HTTPException handler.

    Its handler would turn every HTML page's 404 into JSON; chatwidget.api.errors
    installs one handler that answers JSON under the APIs and HTML elsewhere.
    """

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        pass


api = Api()
