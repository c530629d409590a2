"""`flask worker` (the background worker) and `flask demo` (demo data)."""
from __future__ import annotations

import logging

import click
from flask import current_app


def init_app(app) -> None:
    @app.cli.command("worker")
    @click.option("--workers", default=2, show_default=True, help="Worker threads in this process.")
    def worker(workers: int) -> None:
        """Run a background worker; start as many as you like, on any machine sharing the queue."""
        from ..extensions import queue

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        from ..video import tasks as video_tasks
        from .jobs import release_running

        consumer = queue.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                         check_worker_health=True, max_delay=1.0)
        click.echo(f"elearn worker: {workers} threads on {current_app.config['QUEUE_URL']}")
        # Jobs whose worker died while this one was down are picked up now, not in a minute.
        video_tasks.reap_transcodes.call_local()
        try:
            consumer.run()
        finally:
            # Stopping (Ctrl-C in run.py, SIGTERM from a supervisor): hand unfinished work back.
            released = release_running(lambda table, row_id: video_tasks.enqueue(row_id))
            if released:
                click.echo(f"elearn worker: handed back {len(released)} unfinished job(s) to the queue")

    @app.cli.command("demo")
    def demo() -> None:
        """Create the demo accounts and content if the database has no users yet."""
        from .demo import create_demo_data

        created = create_demo_data()
        if not created:
            click.echo("Demo data exists already; nothing changed.")
            return
        print_demo_accounts(created)


def print_demo_accounts(accounts) -> None:
    click.echo("Demo accounts (sign in with the username or the mobile number):")
    for row in accounts:
        click.echo(f"  {row['role']:<24} username {row['username']:<10} mobile {row['mobile']}  password {row['password']}")
