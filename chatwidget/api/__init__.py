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
