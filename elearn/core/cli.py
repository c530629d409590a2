"""`flask worker`: the background worker, for every kind of job the features registered."""
from __future__ import annotations

import logging

import click
from flask import current_app

from ..extensions import queue
from . import jobs
from .workers import DedicatedConsumers, Heartbeat


def init_app(app) -> None:
    @app.cli.command("worker")
    @click.option("--workers", default=2, show_default=True, help="Worker threads in this process.")
    @click.option("--dedicated", is_flag=True,
                  help="Also consume the dedicated queues (the search index's writer). Exactly one worker should.")
    def worker(workers: int, dedicated: bool) -> None:
        """Run a background worker; start as many as you like, on any machine sharing the queue
        (one of them, and only one, with --dedicated)."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        consumer = queue.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                         check_worker_health=True, max_delay=1.0)
        click.echo(f"elearn worker: {workers} threads on {current_app.config['QUEUE_URL']}")
        # Jobs whose worker died while this one was down are picked up now, not in a minute.
        jobs.reap_jobs.call_local()
        if dedicated:
            click.echo(f"elearn worker: also the one consumer of {', '.join(jobs.dedicated) or 'no dedicated queue'}")
        with Heartbeat(current_app._get_current_object()), DedicatedConsumers(None if dedicated else ()):
            try:
                consumer.run()
            finally:
                # Stopping (Ctrl-C in run.py, SIGTERM from a supervisor): hand unfinished work back.
                released = jobs.release_running()
                if released:
                    click.echo(f"elearn worker: handed back {len(released)} unfinished job(s) to the queue")
