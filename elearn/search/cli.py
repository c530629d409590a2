"""`flask search reindex`: a new generation from the database, swapped in while searches go on."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from . import writer

search_cli = AppGroup("search", help="The search index.")


@search_cli.command("reindex")
@click.option("--wait", default=600.0, show_default=True, help="Seconds to wait for the writer to finish its work.")
def reindex(wait: float) -> None:
    """Rebuild the whole index. Waits for the writer's lock, then is the writer until the swap."""
    click.echo("Waiting for the search writer..." if writer.store().current() else "Building the search index...")
    shown = [-1]

    def progress(done: int, total: int) -> None:
        percent = 100 * done // max(total, 1)
        if percent != shown[0] and (percent % 10 == 0 or done == total):
            shown[0] = percent
            click.echo(f"  {done}/{total} courses ({percent}%)")

    try:
        result = writer.rebuild(progress, wait=wait)
    except TimeoutError as exc:
        raise click.ClickException(str(exc)) from exc
    writer.apply_pending()  # anything committed between the last look and the swap
    click.echo(f"Search index rebuilt: {result['generation']} ({result['courses']} courses).")


@search_cli.command("status")
def status() -> None:
    """The current generation, its size and age, and the changes not yet applied."""
    stats = writer.store().stats()
    click.echo(f"generation {stats['generation']}, {stats['bytes']} bytes, {stats['age_seconds']} s old, "
               f"{writer.pending()} changes waiting")
