"""chatwidget: a self-hosted customer-chat server."""

import logging
import os
import sqlite3
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from chatwidget.config import database_uri, from_environment, load_secrets, pool_options
from chatwidget.ratelimit import memory_storage_uri

if TYPE_CHECKING:  # imported when the app is built, after the configuration
    from flask_limiter import Limiter
    from flask_socketio import SocketIO

    from chatwidget.api.openapi import Api

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _configure(app: Flask, overrides: Mapping[str, Any]) -> None:
    cfg = app.config
    cfg.update(from_environment())
    cfg.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    load_secrets(app.instance_path, cfg)
    cfg.setdefault("SQLALCHEMY_DATABASE_URI", database_uri(app.instance_path, cfg["DATABASE_URL"]))
    pool = pool_options(cfg["SQLALCHEMY_DATABASE_URI"], cfg)
    cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {**pool, **cfg["SQLALCHEMY_ENGINE_OPTIONS"]}
    cfg["MAX_CONTENT_LENGTH"] = int(cfg["MAX_BODY_MB"] * 1024 * 1024)
    cfg.update(
        API_TITLE="chatwidget",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        # One allowance per API user (or agent, or address) across every route.
        RATELIMIT_APPLICATION=cfg["RATE_LIMIT"],
        # Without Redis each process counts alone, in memory.
        RATELIMIT_STORAGE_URI=cfg["REDIS_URL"] or memory_storage_uri(),
        RATELIMIT_HEADERS_ENABLED=True,
    )
    cfg.setdefault("RATELIMIT_KEY_PREFIX", "chatwidget")


def _sqlite_pragmas(app: Flask) -> None:
    """WAL, a busy timeout and foreign keys on every SQLite connection."""
    synchronous = app.config["SQLITE_SYNCHRONOUS"]

    def on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=%s" % synchronous)
        cursor.execute("PRAGMA busy_timeout=5000")
        # 0 in a served process, which checkpoints from a thread (chatwidget.checkpoint)
        cursor.execute("PRAGMA wal_autocheckpoint=%d" % app.config["SQLITE_AUTOCHECKPOINT"])
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        install_sqlite_functions(dbapi_connection)

    from chatwidget.core.sqltime import install_sqlite_functions
    from chatwidget.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", on_connect)


def _extensions(app: Flask) -> tuple["Api", "Limiter"]:
    from chatwidget.api.openapi import api
    from chatwidget.cors import socketio_origins
    from chatwidget.extensions import (
        SessionInterface,
        csrf,
        db,
        migrate,
        socketio,
    )
    from chatwidget.patches import prepared
    from chatwidget.ratelimit import new_limiter, note_own_retry_after, retry_after_on_429_only
    from chatwidget.request import Request
    from chatwidget.sockets.packet import Packet

    app.session_interface = SessionInterface()
    app.request_class = Request
    db.init_app(app)
    prepared.init_app(app)
    csrf.init_app(app)
    _sqlite_pragmas(app)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    limiter = new_limiter()
    # Flask runs after_request hooks in reverse: these two run after and before the
    # limiter's own, which puts a Retry-After on every response.
    app.after_request(retry_after_on_429_only)
    limiter.init_app(app)
    app.after_request(note_own_retry_after)
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})
    # The console's pages call its APIs with the session cookie (+ X-CSRFToken on changes).
    api.spec.components.security_scheme(
        "consoleSession", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    socketio.init_app(
        app,
        async_mode="gevent",
        message_queue=app.config["REDIS_URL"] or None,
        channel=app.config["SOCKETIO_CHANNEL"],
        cors_allowed_origins=socketio_origins(app.config),
        serializer=Packet,
        ping_interval=app.config["SOCKETIO_PING_INTERVAL_S"],
        ping_timeout=app.config["SOCKETIO_PING_TIMEOUT_S"],
    )
    _patch_sockets(socketio)
    _behind_proxies(app)
    return api, limiter


def _patch_sockets(socketio: "SocketIO") -> None:
    """The socket server's patches in force (chatwidget.patches)."""
    from chatwidget import patches
    from chatwidget.patches import socketio_acks

    if patches.enabled("socketio_acks"):
        socketio_acks.install(socketio)


def _behind_proxies(app: Flask) -> None:
    """PROXY_HOPS > 0: trust that many proxies' X-Forwarded-For/-Proto/-Host.

    Outermost, around Socket.IO's middleware too: the address the rate limits, the access
    log and the socket handshakes see is the client's, not the proxy's. With 0 the headers
    are ignored, so a client cannot pick its own address.
    """
    hops = app.config["PROXY_HOPS"]
    if hops > 0:
        # Flask's documented way to add WSGI middleware, which typeshed sees as a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → error handlers → CLI."""
    from chatwidget import patches

    patches.check_versions()  # before any patch is applied
    config = dict(config or {})
    instance = config.pop("INSTANCE_PATH", None) or os.environ.get("INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=instance or os.path.join(ROOT, "instance"),
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    _configure(app, config)
    logging.basicConfig(level=logging.INFO)
    # Alembic announces each of its plugins at INFO when Flask-Migrate imports it: seven
    # lines on every admin command, before its own output.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    api, limiter = _extensions(app)

    from chatwidget import api as api_pkg
    from chatwidget import cli, console, cors, sockets, web
    from chatwidget.api import chats as chats_api
    from chatwidget.api import errors
    from chatwidget.extensions import socketio
    from chatwidget.outbox import bot_delivery
    from chatwidget.sockets import throttle

    api_pkg.register(app, api)
    app.register_blueprint(web.bp)
    web.document(app, api)
    limiter.exempt(web.bp)
    limiter.exempt(chats_api.blp)  # counts RATE_LIMIT itself, with its own (core/chats_limit.py)
    console.init_app(app, limiter)
    errors.register(app)  # after api.init_app: in place of flask-smorest's handler
    cors.init_app(app)
    cli.register(app)
    sockets.register(socketio)
    bot_delivery.install()
    throttle.init_app(app)
    _widget(app, limiter)
    return app


def _widget(app: Flask, limiter: "Limiter") -> None:
    """The widget's and the console's scripts and the demo page: static files, outside the
    API's rate limit."""
    from chatwidget import console_assets, widget

    app.register_blueprint(widget.bp)
    limiter.exempt(widget.bp)
    app.register_blueprint(console_assets.bp)
    limiter.exempt(console_assets.bp)
