"""`shegong run` keeps its task worker running: a worker that exits is started again."""

import sys
import time

from shegong.cli import Supervisor


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_worker_that_exits_is_restarted_with_a_message(capfd):
    exits = Supervisor([sys.executable, "-c", "raise SystemExit(3)"], delays=(0.01,)).start()
    try:
        wait_for(lambda: exits.restarts >= 2)
    finally:
        exits.stop()
    err = capfd.readouterr().err
    assert "后台任务进程已退出(代码 3),正在重启(0.01 秒后)" in err
    assert exits.restarts >= 2


def test_quick_failures_back_off_and_a_long_run_resets_the_delay(capfd):
    failing = Supervisor(
        [sys.executable, "-c", "raise SystemExit(1)"], delays=(0.01, 0.02, 0.03)
    ).start()
    try:
        wait_for(lambda: failing.restarts >= 4)
    finally:
        failing.stop()
    lines = [line for line in capfd.readouterr().err.splitlines() if "正在重启" in line]
    assert [line.split("(")[-1] for line in lines[:4]] == [
        "0.01 秒后)",
        "0.02 秒后)",
        "0.03 秒后)",
        "0.03 秒后)",
    ]

    steady = Supervisor(
        [sys.executable, "-c", "raise SystemExit(2)"], delays=(0.01, 5.0), stable_after=0.0
    ).start()
    try:
        wait_for(lambda: steady.restarts >= 3)
    finally:
        steady.stop()
    assert "5 秒后" not in capfd.readouterr().err  # every run counts as long enough


def test_stop_ends_the_running_worker_and_it_is_not_restarted():
    running = Supervisor([sys.executable, "-c", "import time; time.sleep(60)"]).start()
    wait_for(lambda: running.proc is not None)
    proc = running.proc
    running.stop(timeout=10)
    assert proc.poll() is not None
    time.sleep(0.2)
    assert (running.restarts, running.proc) == (0, proc)
