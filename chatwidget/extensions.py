"""Extension singletons, bound to an app by create_app()."""

from flask.sessions import SecureCookieSessionInterface
from flask_migrate import Migrate
from flask_smorest import Api as _SmorestApi
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from chatwidget.schemas.common import ErrorSchema


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


class Api(_SmorestApi):
    """flask-smorest Api with the project's error schema in its OpenAPI document.

    Its app-wide HTTPException handler would turn every HTML page's 404 into JSON:
    chatwidget.api.errors.register, called after Api.init_app, registers the one that
    answers JSON under the APIs and HTML elsewhere in its place (Flask keeps the last
    handler registered for an exception class).
    """

    ERROR_SCHEMA = ErrorSchema


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signer made once per set of keys.

    Flask builds a new signer for every request, ~20 µs, most of it for API calls that
    never look at the session. It is rebuilt whenever SECRET_KEY or its fallbacks change.
    """

    _signer = (None, None)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made_for, signer = self._signer
        if made_for != keys:
            signer = super().get_signing_serializer(app)
            self._signer = (keys, signer)
        return signer


db = SQLAlchemy(model_class=Base)
# Checks only where asked (WTF_CSRF_CHECK_DEFAULT off): the console's forms and its
# cookie-authenticated API calls. The other APIs take bearer or Basic credentials, which a
# browser never sends on its own, and the widget's customer routes hold no cookie.
csrf = CSRFProtect()
migrate = Migrate()
api = Api()
# One socket's events are handled one after the other, in the order they arrived (as the
# reference Node.js server does): a client that sends without waiting for each ack still
# gets its messages stored in the order it sent them. Other sockets are not held up.
socketio = SocketIO(async_handlers=False)
