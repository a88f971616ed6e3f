"""HTTP adapters: load with a schema, call one core verb, dump with a schema."""

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:  # the api modules import extensions when the app is built
    from chatwidget.api.openapi import Api


def register(app: Flask, api: "Api") -> None:
    """Register every API blueprint on the flask-smorest Api."""
    from chatwidget.api import capture, channel, console, media, token, transcripts, widget

    api.register_blueprint(token.blp)
    api.register_blueprint(capture.blp)
    api.register_blueprint(channel.blp)
    api.register_blueprint(media.blp)
    api.register_blueprint(transcripts.blp)
    api.register_blueprint(widget.blp)
    api.register_blueprint(console.blp)
    _console_admin(api)
    _chats(api)


def _console_admin(api: "Api") -> None:
    """The admin API and the console's calls search (issue 17)."""
    # admin_dashboard and admin_integrations add their routes to admin.blp when imported.
    from chatwidget.api import admin, admin_dashboard, admin_integrations, calls_search  # noqa: F401

    api.register_blueprint(admin.blp)
    api.register_blueprint(calls_search.blp)


def _chats(api: "Api") -> None:
    """The chats API (issue 19): its chat_* modules add their routes to chats.blp."""
    from chatwidget.api import (  # noqa: F401
        chat_customer,
        chat_escalations,
        chat_events,
        chat_media,
        chat_messages,
        chats,
    )

    api.register_blueprint(chats.blp)
    chat_events.install()
