"""Admin commands run side by side, as provisioning scripts do, on PostgreSQL."""

import psycopg
import pytest

from tests.system.servers import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_agents_created_at_once_with_a_new_skill_share_one_queue(pg_database, make_deployment):
    """Both commands meet the queue another transaction is creating: both must succeed."""
    deployment = make_deployment(pg_database)
    with psycopg.connect(pg_database) as holder:  # inserts the queue, commits when told
        holder.execute("INSERT INTO queue (name, created_at) VALUES ('vip', now())")
        running = [
            deployment._flask(deployment.create_agent(email, email[0], "long enough", "vip"))
            for email in ("a@example.test", "b@example.test")
        ]
        try:
            # Both are blocked on the uncommitted queue row: the race, made certain.
            blocked = (
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            )
            wait_until(lambda: deployment.value(blocked) == 2, 30, "both commands to block")
        except BaseException:
            for process in running:
                process.kill()
            raise
        holder.commit()
    for process in running:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    assert deployment.rows("SELECT name FROM queue") == [("vip",)]
    skills = "SELECT count(*) FROM agent_skill JOIN queue ON queue.id = queue_id WHERE name = 'vip'"
    assert deployment.value(skills) == 2
