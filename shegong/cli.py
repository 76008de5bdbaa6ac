"""`shegong`: one command for everything an operator does, so nobody needs manage.py.

shegong run            migrate, load demo data, start web server and task worker (demo)
shegong serve          start the web server (gunicorn)
shegong worker         run background tasks
shegong demo           load demo data
shegong <command> ...  any Django management command (migrate, check, createsuperuser...)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence

# Seconds before restarting a worker that exited: longer after each quick failure, back to
# the first after a run of at least STABLE_AFTER seconds.
RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
STABLE_AFTER = 60.0


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shegong", *argv])


def _serve_cmd(host: str, port: str) -> list[str]:
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "shegong.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        workers,
        "--threads",
        "4",
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
    ]


def _worker_cmd() -> list[str]:
    return [sys.executable, "-m", "shegong.cli", "db_worker", "--interval", "0.5"]


class Supervisor:
    """Keeps a command running: started again (after a back-off) whenever it exits, until
    `stop()`. `shegong run` keeps its task worker so; under systemd, `Restart=always` does
    the same (docs/operations.md)."""

    def __init__(
        self,
        cmd: Sequence[str],
        *,
        delays: Sequence[float] = RESTART_DELAYS,
        stable_after: float = STABLE_AFTER,
    ):
        self.cmd = list(cmd)
        self.delays = delays
        self.stable_after = stable_after
        self.restarts = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.loop, name="supervisor", daemon=True)

    def start(self) -> Supervisor:
        self._thread.start()
        return self

    def loop(self) -> None:
        failures = 0
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                self.proc = subprocess.Popen(self.cmd)
            started = time.monotonic()
            code = self.proc.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= self.stable_after:
                failures = 0
            delay = self.delays[min(failures, len(self.delays) - 1)]
            failures += 1
            self.restarts += 1
            print(
                f"后台任务进程已退出(代码 {code}),正在重启({delay:g} 秒后)",
                file=sys.stderr,
                flush=True,
            )
            self._stopping.wait(delay)

    def stop(self, timeout: float = 15.0) -> None:
        with self._lock:
            self._stopping.set()
            proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._thread.is_alive():
            self._thread.join(timeout)


def run(host: str, port: str) -> int:
    os.environ["SHEGONG_DEMO"] = "1"
    _django_subprocess(["migrate", "--no-input", "-v", "0"])
    _django_subprocess(["demo_data"])
    print(f"\n社工平台已启动: http://{host}:{port}/   (Ctrl+C 停止)\n", flush=True)
    worker = Supervisor(_worker_cmd()).start()  # restarted whenever it exits
    web = subprocess.Popen(_serve_cmd(host, port))
    try:
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if web.poll() is None:
            web.send_signal(signal.SIGTERM)
        worker.stop()
        try:
            web.wait(timeout=15)
        except subprocess.TimeoutExpired:
            web.kill()


def _django_subprocess(argv: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "shegong.cli", *argv], check=True)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    if command == "run":
        return run(host, port)
    if command == "serve":
        os.execv(sys.executable, _serve_cmd(host, port) + rest)
    if command == "worker":
        _django(["db_worker", *rest])
        return 0
    if command == "demo":
        _django(["demo_data", *rest])
        return 0
    _django(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
