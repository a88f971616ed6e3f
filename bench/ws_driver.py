"""Serve Socket.IO under gevent with simple-websocket instead of gevent-websocket (bench only).

python-engineio's gevent driver uses gevent-websocket whenever it is installed, and that
needs pywsgi's WebSocketHandler; with simple-websocket the plain pywsgi handler hands the
upgraded socket to engineio. bench/relay.py measures both drivers with these two helpers.
"""

DRIVERS = ("gevent-websocket", "simple-websocket")


def use_simple_websocket():
    """Make engineio's gevent driver answer WebSocket upgrades with simple-websocket."""
    import gevent.event
    import gevent.selectors
    from engineio.async_drivers import gevent as engineio_gevent
    from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI

    class GeventSimpleWebSocket(SimpleWebSocketWSGI):
        def __init__(self, handler, server):
            super().__init__(
                handler,
                server,
                thread_class=engineio_gevent.Thread,
                event_class=gevent.event.Event,
                selector_class=gevent.selectors.DefaultSelector,
            )

    engineio_gevent._async["websocket"] = GeventSimpleWebSocket


def handler_class(driver):
    """The pywsgi handler class for a driver: WebSocketHandler only for gevent-websocket."""
    if driver == "simple-websocket":
        from gevent.pywsgi import WSGIHandler

        use_simple_websocket()
        return WSGIHandler
    from chatwidget.websocket import QuietWebSocketHandler

    return QuietWebSocketHandler
