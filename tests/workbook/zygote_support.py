"""A process with the package imported that forks one child per command: kill -9 runs
without paying Python's start and finsam_xl's imports each time.

The fault-injection tests kill ``finsam-xl berakna`` and ``finsam-xl avstamning`` at random
points. Started as ``python -m finsam_xl``, about half of each run was the interpreter's
start and the imports, where a kill tests nothing and costs the same as one that does.
The zygote imports every module of the package once; each command is then a forked child
that runs the command line's ``main`` with its own arguments, exactly as ``python -m
finsam_xl`` does after the imports, and can be killed like any process.

Protocol (one line of JSON each way): the test writes ``[arg, ...]``; the zygote answers
``{"pid": n}`` when the child has started and ``{"pid": n, "code": c}`` when it has ended,
``c`` being the exit status, or minus the signal that killed it.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

ROOT = Path(__file__).resolve().parents[2]

_ZYGOTE = r"""
import importlib, json, os, pkgutil, sys
import finsam_xl
for module in pkgutil.walk_packages(finsam_xl.__path__, "finsam_xl."):
    if module.name != "finsam_xl.__main__":
        try:
            importlib.import_module(module.name)
        except ImportError:  # an optional extra (xlwings) not installed
            pass
from finsam_xl.cli import main
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    args = json.loads(line)
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        sys.argv = ["finsam-xl", *args]
        code = 0
        try:
            main()
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        except BaseException:
            code = 1
        os._exit(code)
    print(json.dumps({"pid": pid}), flush=True)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"pid": pid, "code": code}), flush=True)
"""


class Zygote:
    """The forking process; use as a context manager (it ends with the block)."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=ROOT,
            bufsize=0,
        )
        self._buffer = b""
        assert self._answer(120) == {"ready": True}

    def __enter__(self) -> Zygote:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)

    def _answer(self, timeout: float) -> dict[str, int | bool] | None:
        """The zygote's next line, or None if none came within ``timeout`` seconds.

        Read from the raw descriptor with a buffer of its own: a buffered reader could hold
        the next line already while ``select`` waits for more bytes."""
        stdout = self.process.stdout
        assert stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([stdout.fileno()], [], [], max(left, 0))
            if not ready:
                return None
            chunk = os.read(stdout.fileno(), 65536)
            assert chunk, "the zygote ended"
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        answer: dict[str, int | bool] = json.loads(line)
        return answer

    def run(self, args: list[str], kill_after: float | None = None) -> int | None:
        """Run ``finsam-xl args`` in a fresh child; with ``kill_after``, SIGKILL it if it has
        not ended within that many seconds. The exit status, or None if it was killed."""
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(args).encode() + b"\n")
        started = self._answer(120)
        assert started is not None and "pid" in started, started
        pid = int(started["pid"])
        handle = _pidfd(pid)
        try:
            ended = self._answer(120 if kill_after is None else kill_after)
            if ended is None:
                _kill(pid, handle)
                ended = self._answer(120)
        finally:
            if handle is not None and handle != _GONE:
                os.close(handle)
        assert ended is not None and ended["pid"] == pid, ended
        code = int(ended["code"])
        return None if code == -signal.SIGKILL else code

    def timed(self, args: list[str]) -> float:
        """Seconds one whole run of ``finsam-xl args`` takes (it must end with 0 or 1)."""
        start = time.monotonic()
        code = self.run(args)
        assert code in (0, 1), code
        return time.monotonic() - start


_GONE = -1


def _pidfd(pid: int) -> int | None:
    """A pidfd of the child (Linux), so that a kill can never reach another process that
    got the pid after the zygote reaped the child; ``_GONE`` if the child has ended
    already, None where the system has no pidfd (then the kill goes by pid)."""
    if not hasattr(os, "pidfd_open"):
        return None
    try:
        return os.pidfd_open(pid)
    except ProcessLookupError:
        return _GONE


def _kill(pid: int, handle: int | None) -> None:
    """SIGKILL the child, unless it has ended meanwhile (then its exit status comes as usual)."""
    if handle == _GONE:
        return
    try:
        if handle is not None:
            signal.pidfd_send_signal(handle, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
