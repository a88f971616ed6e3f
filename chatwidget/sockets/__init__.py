"""Socket.IO adapters: `/` for customers and connectors, `/agent` for agents."""


def register(socketio):
    """Register both namespaces and the bridge that fans events out to rooms."""
    from chatwidget.sockets import agent, bridge, customer

    socketio.on_namespace(customer.CustomerNamespace("/"))
    socketio.on_namespace(agent.AgentNamespace("/agent"))
    bridge.install()
