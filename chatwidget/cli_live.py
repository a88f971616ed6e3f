"""Commands for live chat: agents and queues."""

import click
from flask import Flask
from flask.cli import with_appcontext

from chatwidget.cli import echo_json, fail
from chatwidget.core import agents, queues
from chatwidget.core.errors import CoreError


@click.command("create-agent")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", required=True)
@click.option("--skill", "skills", multiple=True, help="a queue name; created when missing")
@click.option("--max-chats", type=int, default=3, show_default=True)
@click.option("--admin", "is_admin", is_flag=True, help="may run the team from the console")
@with_appcontext
def create_agent(
    email: str, name: str, password: str, skills: tuple[str, ...], max_chats: int, is_admin: bool
) -> None:
    """Create an agent (password stored as a scrypt hash); --admin makes it an admin."""
    try:
        agent = agents.do_create_agent(email, name, password, skills, max_chats, is_admin)
    except CoreError as error:
        fail(error)
    echo_json(agents.describe(agent))


@click.command("create-queue")
@click.argument("name")
@click.option("--virtual-agent-url")
@with_appcontext
def create_queue(name: str, virtual_agent_url: str | None) -> None:
    """Create a queue: a skill group and a CCAI menu at once.

    With --virtual-agent-url, prints the secret that signs the calls to it (shown once).
    """
    try:
        queue = queues.do_create_queue(name, virtual_agent_url)
    except CoreError as error:
        fail(error)
    echo_json(queues.describe_new(queue))


def register(app: Flask) -> None:
    """Add the live-chat commands to app.cli."""
    app.cli.add_command(create_agent)
    app.cli.add_command(create_queue)
