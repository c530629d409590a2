"""The one command: prepare the database, create demo data on the first run, then serve the web
app under gunicorn together with the embedded background worker. Ctrl-C (or SIGTERM) stops both.

This process is the parent of both and supervises them: gunicorn's arbiter reaps children it did
not start (``Popen.poll()`` would then say 0 for a killed worker), so the worker is never its child.
A worker that dies is started again after 1 s, 2 s, 4 s... (at most WORKER_RESTART_MAX_SECONDS);
its unfinished job is re-run once its lease runs out (the new worker reaps at start, then every minute).
If the web server dies, everything stops: a site that cannot answer must not look alive.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click
from flask_migrate import upgrade

import config as config_module
from elearn import create_app
from elearn.core.i18n import compile_catalogues
from elearn.demo import create_demo_data, print_demo_accounts

STOP_SECONDS = 8  # each child's time to stop in order before it is killed
POLL_SECONDS = 0.2


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


def _spawn(args: list[str]) -> subprocess.Popen:
    # Its own session and process group: Ctrl-C in the terminal reaches only us, we stop the
    # children in order, and killing the group takes their own children (ffmpeg) with them.
    return subprocess.Popen([sys.executable, *args], start_new_session=True, env=os.environ.copy())


class Supervisor:
    """Starts the web server and the worker, restarts the worker when it dies, and stops both.

    Signal handlers only set a flag (they never raise), so a second Ctrl-C or SIGTERM landing
    while we stop cannot cut the stop short and leave a child running as an orphan.
    """

    def __init__(self, app, spawn=_spawn):
        self.spawn = spawn
        self.with_worker = bool(app.config["EMBEDDED_WORKER"])
        self.backoff_cap = max(1, int(app.config["WORKER_RESTART_MAX_SECONDS"]))
        self.web = self.worker = None
        self.stopping = False
        self.restarts = 0
        self._delay = 1
        self._restart_at = None
        self._worker_started = 0.0

    def request_stop(self, signum=None, frame=None) -> None:
        self.stopping = True

    def start(self) -> None:
        self.web = self.spawn(["-m", "elearn.serve"])
        if self.with_worker:
            self._start_worker()

    def _start_worker(self) -> None:
        self.worker = self.spawn(["-m", "flask", "--app", "elearn", "worker", "--dedicated"])
        self._worker_started = time.monotonic()
        self._restart_at = None

    def check(self) -> None:
        """One round of supervision: notice a dead child and act on it."""
        if self.web.poll() is not None:
            click.echo(f"elearn: the web server stopped (exit {self.web.returncode}); stopping.", err=True)
            self.stopping = True
            return
        if not self.with_worker:
            return
        now = time.monotonic()
        if self._restart_at is None and self.worker.poll() is not None:
            if now - self._worker_started > self.backoff_cap:
                self._delay = 1  # it had run fine for a good while: this is a fresh failure
            click.echo(f"elearn: the background worker stopped (exit {self.worker.returncode}); "
                       f"starting it again in {self._delay} s.", err=True)
            self._restart_at = now + self._delay
            self._delay = min(self._delay * 2, self.backoff_cap)
        elif self._restart_at is not None and now >= self._restart_at:
            self.restarts += 1
            self._start_worker()

    def run(self) -> None:
        try:
            if not self.stopping:  # a signal may arrive while the database is being prepared
                self.start()
            while not self.stopping:
                self.check()
                time.sleep(POLL_SECONDS)
        finally:
            self.stop()

    def stop(self) -> None:
        """The worker first (it hands its job back to the queue), then the web server. Idempotent."""
        for child in (self.worker, self.web):
            _stop_child(child)


def _stop_child(child: subprocess.Popen | None) -> None:
    if child is None:
        return
    if child.poll() is None:
        _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    # Whatever is left in its group (a stuck ffmpeg, a gunicorn worker) goes too.
    _signal_group(child, signal.SIGKILL)
    child.wait()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def main() -> None:
    compile_translations()
    app = create_app()
    supervisor = Supervisor(app)
    # Ctrl-C and SIGTERM both mean an orderly stop, even if our parent started us with SIGINT
    # ignored (as shells do for background jobs); a repeated signal changes nothing.
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    prepare(app)
    host, port = app.config["HOST"], app.config["PORT"]
    click.echo(f"elearn is serving on http://{host}:{port}/ (Ctrl-C stops it)")
    supervisor.run()
    click.echo("elearn stopped.")


if __name__ == "__main__":
    main()
