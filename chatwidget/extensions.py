"""Extension singletons, bound to an app by create_app()."""

from typing import TYPE_CHECKING, ClassVar

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Table
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base shared by every model."""

    if TYPE_CHECKING:
        # Every model maps one table (DeclarativeBase allows any FROM clause).
        __table__: ClassVar[Table]


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with its signer made once per set of keys.

    Flask builds a new signer for every request, ~20 µs, most of it for API calls that
    never look at the session. It is rebuilt whenever SECRET_KEY or its fallbacks change.
    """

    _signer: tuple[object, URLSafeTimedSerializer | None] = (None, None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made_for, signer = self._signer
        if made_for != keys:
            signer = super().get_signing_serializer(app)
            self._signer = (keys, signer)
        return signer


db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    # db.Model is a subclass of Base made at run time, which a type checker cannot follow:
    # it checks the models against Base, whose columns and constructor they share.
    Model = Base
else:
    Model = db.Model
# Checks only where asked (WTF_CSRF_CHECK_DEFAULT off): the console's forms and its
# cookie-authenticated API calls. The other APIs take bearer or Basic credentials, which a
# browser never sends on its own, and the widget's customer routes hold no cookie.
csrf = CSRFProtect()
migrate = Migrate()
# One socket's events are handled one after the other, in the order they arrived (as the
# reference Node.js server does): a client that sends without waiting for each ack still
# gets its messages stored in the order it sent them. Other sockets are not held up.
socketio = SocketIO(async_handlers=False)
