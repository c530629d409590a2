"""The one command: prepare the database, create demo data on the first run, then serve the
web app together with the embedded background worker. Ctrl-C stops both."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import click
from flask_migrate import upgrade

import config as config_module
from elearn import create_app
from elearn.core.i18n import compile_catalogues
from elearn.demo import create_demo_data, print_demo_accounts

WORKER_STOP_SECONDS = 4


def compile_translations() -> None:
    """`python run.py` without `make`: compile stale catalogues first (one process here, so no race;
    the app itself never writes them)."""
    try:
        compile_catalogues(config_module.BASE_DIR / "elearn" / "translations")
    except OSError as err:
        click.echo(f"The translation catalogues could not be compiled ({err}); run `make setup`.", err=True)


def prepare(app) -> None:
    with app.app_context():
        upgrade()
        if app.config["DEMO_DATA"]:
            created = create_demo_data()
            if created:
                print_demo_accounts(created)
            else:
                click.echo("Demo accounts exist already (see README.md for their passwords).")


def start_worker(app) -> subprocess.Popen | None:
    if not app.config["EMBEDDED_WORKER"]:
        return None
    # Its own session: Ctrl-C reaches only us, and we stop the worker in an orderly way.
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "elearn", "worker"],
                            start_new_session=True, env=os.environ.copy())


def stop_worker(worker: subprocess.Popen | None) -> None:
    if worker is None or worker.poll() is not None:
        return
    worker.send_signal(signal.SIGTERM)  # huey: stop now; unfinished jobs go back to the queue
    try:
        worker.wait(WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    # Ctrl-C and SIGTERM both mean an orderly stop, even if our parent started us with SIGINT
    # ignored (as shells do for background jobs).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    compile_translations()
    app = create_app()
    prepare(app)
    host, port = app.config["HOST"], app.config["PORT"]
    worker = None
    try:
        worker = start_worker(app)
        click.echo(f"elearn is serving on http://{host}:{port}/ (Ctrl-C stops it)")
        app.run(host=host, port=port, threaded=True, use_reloader=False, debug=False)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C while stopping must not leave the worker running or print a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_worker(worker)
        click.echo("elearn stopped.")


if __name__ == "__main__":
    main()
