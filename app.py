"""Entry point: `flask --app app COMMAND` for admin commands, `python app.py` to serve."""

from gevent import monkey

monkey.patch_all()  # first, before anything imports socket, ssl or threading

from chatwidget import create_app  # noqa: E402

app = create_app()

if __name__ == "__main__":
    from chatwidget.server import run

    run(app)
