"""Socket.IO adapters: `/` for customers and connectors, `/agent` for agents."""

from flask_socketio import SocketIO


def register(socketio: SocketIO) -> None:
    """Register both namespaces, the bridge that fans events out to rooms and the
    subscriber keeping agents' replies for the connectors."""
    from chatwidget.sockets import agent, bridge, connector_delivery, customer

    socketio.on_namespace(customer.CustomerNamespace("/"))
    socketio.on_namespace(agent.AgentNamespace("/agent"))
    bridge.install()
    connector_delivery.install()
