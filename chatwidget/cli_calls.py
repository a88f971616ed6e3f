"""Bulk commands: import-calls and export-calls."""

import json
from collections.abc import Iterable, Iterator

import click
from flask import Flask
from flask.cli import with_appcontext

from chatwidget.cli import echo_json
from chatwidget.core import call_archive
from chatwidget.schemas import call_archive as archive_format


def _records(paths: Iterable[str]) -> Iterator[tuple[str, object]]:
    for path in paths:
        yield from archive_format.read_records(path)


def _import(record: object) -> tuple[str, str | None]:
    """("imported"|"skipped"|"invalid", reason or None) for one record read."""
    chat, found = archive_format.load_record(record)
    if chat is None:
        return "invalid", found
    return call_archive.do_import_call(chat, found)


@click.command("import-calls")
@with_appcontext
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def import_calls(paths: tuple[str, ...]) -> None:
    """Import ChatCall JSON files or JSON lines; idempotent on SessionId."""
    counts = {"imported": 0, "skipped": 0, "invalid": 0}
    reasons = []
    records = list(_records(paths))
    # click 8.5 deprecates get_text_stream (kept: same stream) and types it as object.
    stderr = click.get_text_stream("stderr")  # type: ignore[operator]
    with click.progressbar(records, label="importing", file=stderr) as bar:
        for where, record in bar:
            outcome, reason = _import(record)
            counts[outcome] += 1
            if reason:
                reasons.append({"where": where, "outcome": outcome, "reason": reason})
    echo_json({**counts, "details": reasons})


@click.command("export-calls")
@with_appcontext
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, writable=True), help="default stdout"
)
def export_calls(output: str | None) -> None:
    """Export every finished call as ChatCall JSON lines (import-calls reads them back)."""
    count = 0
    with click.open_file(output or "-", "w", encoding="utf-8") as fh:
        for call in call_archive.iter_calls():
            fh.write(json.dumps(archive_format.dump_record(call), ensure_ascii=False) + "\n")
            count += 1
    if output:
        echo_json({"exported": count, "output": output})
    else:
        click.echo("exported %d calls" % count, err=True)


def register(app: Flask) -> None:
    """Add the bulk commands to app.cli."""
    app.cli.add_command(import_calls)
    app.cli.add_command(export_calls)
