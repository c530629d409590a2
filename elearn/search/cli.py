"""`flask search reindex`: the writer builds a new generation and swaps it in while searches go on;
this command asks for it and shows the progress."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from . import rebuilds, tasks, writer

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
@click.option("--wait", default=1800.0, show_default=True, help="Seconds to wait for the writer to finish.")
def reindex(wait: float) -> None:
    """Rebuild the whole index: the search writer (a worker started with --dedicated) does it."""
    request = tasks.ask_for_rebuild()
    click.echo("Asked the search writer to rebuild the index; waiting for it...")
    deadline, shown = time.monotonic() + wait, -1
    while (state := rebuilds.status(request) or {}).get("state") not in (rebuilds.DONE, rebuilds.FAILED):
        if time.monotonic() > deadline:
            rebuilds.forget(request)  # the writer skips a request nobody waits for
            raise click.ClickException("The search writer did not finish in time. Is a worker started "
                                       "with --dedicated running (python run.py starts one)?")
        total = state.get("total") or 0
        percent = 100 * state.get("done", 0) // total if total else -1
        if percent != shown and percent >= 0 and (percent % 10 == 0 or percent > shown + 10):
            shown = percent
            click.echo(f"  {state['done']}/{total} courses ({percent}%)")
        time.sleep(0.2)
    rebuilds.forget(request)
    if state["state"] == rebuilds.FAILED:
        raise click.ClickException(f"The rebuild failed: {state.get('error')}")
    click.echo(f"  {state['done']}/{state['total']} courses (100%)")
    click.echo(f"Search index rebuilt: {state['generation']} ({state['courses']} courses).")


@search_cli.command("status")
def status() -> None:
    """The current generation, its size and age, and the changes not yet applied."""
    stats = writer.store().stats()
    click.echo(f"generation {stats['generation']}, {stats['bytes']} bytes, {stats['age_seconds']} s old, "
               f"{writer.pending()} changes waiting")
