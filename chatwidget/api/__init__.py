"""HTTP adapters: load with a schema, call one core verb, dump with a schema."""


def register(app, api):
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


def _console_admin(api):
    """The admin API and the console's calls search (issue 17)."""
    from chatwidget.api import admin, admin_dashboard, admin_integrations, calls_search

    for module in (admin_dashboard, admin_integrations):  # imported: they add admin routes
        assert module.blp is admin.blp

    schemes = api.spec.components.security_schemes
    if "consoleSession" not in schemes:  # the console's cookie, as api.agent_auth reads it
        api.spec.components.security_scheme(
            "consoleSession", {"type": "apiKey", "in": "cookie", "name": "session"}
        )
    api.register_blueprint(admin.blp)
    api.register_blueprint(calls_search.blp)
