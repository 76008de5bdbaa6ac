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


def run(host: str, port: str) -> int:
    os.environ["SHEGONG_DEMO"] = "1"
    _django_subprocess(["migrate", "--no-input", "-v", "0"])
    _django_subprocess(["demo_data"])
    print(f"\n社工平台已启动: http://{host}:{port}/   (Ctrl+C 停止)\n", flush=True)
    worker = subprocess.Popen(_worker_cmd())
    web = subprocess.Popen(_serve_cmd(host, port))
    try:
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in (web, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (web, worker):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


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
