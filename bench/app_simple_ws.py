"""The app as `python app.py` serves it, but on simple-websocket (bench/relay.py --driver).

Same app, same server class (NoDelayWSGIServer), same background work and heap freeze;
only the WebSocket driver differs: pywsgi's plain handler, engineio on simple-websocket.
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.ws_driver import handler_class  # noqa: E402


def main():
    import gevent

    handler = handler_class("simple-websocket")
    from app import app
    from chatwidget.server import NoDelayWSGIServer, settle_heap, start_background

    server = NoDelayWSGIServer(
        (app.config["HOST"], int(app.config["PORT"])), app, handler_class=handler, log=None
    )
    start_background(app)
    for sig in (signal.SIGINT, signal.SIGTERM):
        gevent.signal_handler(sig, server.stop)
    settle_heap()
    server.serve_forever()


if __name__ == "__main__":
    main()
