"""Deactivating an agent from the admin API of one process disconnects its socket on
another (PostgreSQL + Redis, two `python app.py`), and its chat goes back to the queue."""

import pytest
import requests

from tests.system.clients import Agent, Customer
from tests.system.servers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

PASSWORD = "correct horse battery"


def test_deactivation_reaches_a_socket_on_the_other_process(
    pg_database, redis_url, make_deployment
):
    deployment = make_deployment(pg_database, redis_url)
    servers = deployment.launch("left", "right")
    admin, bob = deployment.commands(
        (*deployment.create_agent("ada@example.test", "Ada", PASSWORD, "general"), "--admin"),
        deployment.create_agent("bob@example.test", "Bob", PASSWORD, "general"),
    )
    assert admin["isAdmin"] is True and bob["isAdmin"] is False
    left, right = deployment.wait_ready(servers)
    agent = Agent("bob@example.test", PASSWORD).connect(right.url)
    agent.available()
    customer = Customer(left.url).connect(left.url)
    customer.join()
    agent.wait_assigned(customer.conversation_id)

    login = {"email": "ada@example.test", "password": PASSWORD}
    token = requests.post(left.url + "/api/agent/token", json=login, timeout=10).json()["token"]
    answer = requests.patch(
        "%s/api/admin/agents/%d" % (left.url, bob["id"]),
        json={"active": False},
        headers={"Authorization": "Bearer " + token},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    wait_until(lambda: not agent.client.connected, 10, "Bob's socket on the other process to go")
    state = "select state from conversation where conversation_id = :c"
    assert deployment.value(state, c=customer.conversation_id) == "waiting"
    bob_login = {"email": "bob@example.test", "password": PASSWORD}
    assert (
        requests.post(right.url + "/api/agent/token", json=bob_login, timeout=10).status_code == 401
    )
    customer.disconnect()
