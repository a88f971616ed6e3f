"""Admin commands: `flask --app app COMMAND`; each prints one JSON line on stdout."""

import json
import sys
from typing import NoReturn

import click
from flask import Flask
from flask.cli import with_appcontext

from chatwidget.core import identity, webhooks
from chatwidget.core.errors import CoreError


def echo_json(obj: object) -> None:
    """Print obj as the command's one JSON line on stdout (every admin command's output)."""
    click.echo(json.dumps(obj, ensure_ascii=False))


def fail(error: CoreError) -> NoReturn:
    """End the command on a CoreError: its message on stderr, exit status 1."""
    click.echo("error: %s" % error.message, err=True)
    sys.exit(1)


@click.command("create-api-user")
@with_appcontext
@click.argument("name")
@click.option(
    "--role", "roles", multiple=True, required=True, help="one of %s" % ", ".join(identity.ROLES)
)
def create_api_user(name: str, roles: tuple[str, ...]) -> None:
    """Create an API user; prints its client_id and client_secret (shown once)."""
    try:
        user, secret = identity.do_create_api_user(name, list(roles))
    except CoreError as error:
        fail(error)
    echo_json(
        {
            "client_id": user.client_id,
            "client_secret": secret,
            "name": user.name,
            "roles": user.roles,
        }
    )


@click.command("revoke-api-user")
@with_appcontext
@click.argument("client_id")
def revoke_api_user(client_id: str) -> None:
    """Revoke an API user: its tokens stop working at once."""
    try:
        user = identity.do_revoke_api_user(client_id)
    except CoreError as error:
        fail(error)
    echo_json({"client_id": user.client_id, "revoked": True})


@click.command("add-webhook")
@with_appcontext
@click.argument("url")
@click.option("--event", "events", multiple=True, help="default call.summary")
@click.option("--basic-user")
@click.option("--basic-password")
def add_webhook(
    url: str, events: tuple[str, ...], basic_user: str | None, basic_password: str | None
) -> None:
    """Register a webhook endpoint; prints it with its signing secret."""
    try:
        hook = webhooks.do_add_webhook(url, list(events), basic_user, basic_password)
    except CoreError as error:
        fail(error)
    echo_json(webhooks.describe(hook, with_secret=True))


@click.command("list-webhooks")
@with_appcontext
def list_webhooks() -> None:
    """Print every webhook endpoint."""
    echo_json({"webhooks": [webhooks.describe(h) for h in webhooks.list_webhooks()]})


@click.command("remove-webhook")
@with_appcontext
@click.argument("hook_id", type=int)
def remove_webhook(hook_id: int) -> None:
    """Remove a webhook endpoint and its undelivered events."""
    try:
        webhooks.do_remove_webhook(hook_id)
    except CoreError as error:
        fail(error)
    echo_json({"id": hook_id, "removed": True})


@click.command("rotate-webhook-secret")
@with_appcontext
@click.argument("hook_id", type=int)
def rotate_webhook_secret(hook_id: int) -> None:
    """Give a webhook endpoint a new signing secret; prints {"id", "secret"}.

    For WEBHOOK_ROTATION_S (default a day) deliveries carry both signatures,
    X-Signature: primary=<new> secondary=<old>, so the receiver can switch over.
    """
    try:
        hook = webhooks.do_rotate_secret(hook_id)
    except CoreError as error:
        fail(error)
    echo_json({"id": hook.id, "secret": hook.secret})


def register(app: Flask) -> None:
    """Add every command to app.cli."""
    from chatwidget import cli_calls, cli_demo, cli_live

    for command in (
        create_api_user,
        revoke_api_user,
        add_webhook,
        list_webhooks,
        remove_webhook,
        rotate_webhook_secret,
    ):
        app.cli.add_command(command)
    cli_calls.register(app)
    cli_live.register(app)
    cli_demo.register(app)
