"""Timing of the Excel button's Python side (issue 6): run `python bench/bench_button.py`.

1. A button press on the stand-in (tests/excel/fakexl_support.py) for a workbook with 2,000
   cost lines: from receiving the workbook (the Book object) to the results written.
   Target < 200 ms.
2. The server round trip for the same workbook: POST of the VBA client's payload over
   loopback to `finsam-xl server`, until the actions are received and parsed.
   Target < 200 ms. Also shown: the CPU of what the server does besides the press.
3. Interpreter start plus `import finsam_xl.excel.button` (what RunPython starts),
   median of several runs. Target < 0.5 s. Also shown: the imports a press then adds.

The stand-in does no COM round trips, so (1) is the Python side only; the number of
calls into Excel is printed to judge the COM side.
"""

from __future__ import annotations

import copy
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "excel"), str(ROOT / "tests")]

from fakexl_support import FakeBook  # noqa: E402
from payload_support import payload_bytes  # noqa: E402

from finsam_xl import jobs  # noqa: E402
from finsam_xl.excel.server import make_server  # noqa: E402
from finsam_xl.excel.xlbook import press  # noqa: E402
from finsam_xl.model.budget import Budget, CostGroup  # noqa: E402
from finsam_xl.model.interchange import load  # noqa: E402

LINES = 2000
RUNS = 7
WHEN = datetime(2025, 3, 14, 9, 26)
GROUPS = [g.value for g in CostGroup]


def budget_with_lines(n: int) -> Budget:
    """Södra Dalarna's budget with ``n`` generated cost lines."""
    base = load(ROOT / "finsam_xl" / "examples" / "sodra-dalarna-2025.yaml")
    data: dict[str, Any] = base.model_dump(mode="python")
    years = base.years.all
    data["costs"] = [
        {
            "name": f"Kostnad {i:04d}",
            "group": GROUPS[i % len(GROUPS)],
            "section": f"Avsnitt {i % 12}",
            "cost_centre": str(10000 + i % 40),
            "account": str(40 + i % 30),
            "amounts": {y: Decimal(1000 + (i * 37 + y) % 5000) for y in years},
        }
        for i in range(n)
    ]
    data["published"] = {}
    return Budget.model_validate(data)


def median_ms(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), times


def median_cpu_ms(fn: Callable[[], Any], runs: int = RUNS) -> float:
    """Median CPU time of this process: less sensitive than wall time to a shared machine."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def press_phases(books: list[FakeBook]) -> dict[str, float]:
    """Median CPU ms of the steps of a recalc press (``xlbook.compute`` and ``press``), one book
    each: reading the book and its tables, the core, the grids (with the digest), writing.
    The collector is paused over the steps, as ``press`` pauses it (``collector_paused``)."""
    from finsam_xl.excel import xlbook

    times: dict[str, list[float]] = {}
    for book in books:
        with xlbook.collector_paused():
            marks = _steps(book)
        for name, start, end in zip(
            ("view", "read", "core", "grids", "write"), marks, marks[1:], strict=False
        ):
            times.setdefault(name, []).append((end - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def _steps(book: FakeBook) -> list[float]:
    """``time.process_time`` before the first step of one recalc press and after each."""
    from finsam_xl.excel import xlbook
    from finsam_xl.jobs.evaluate import evaluate_read
    from finsam_xl.workbook.reader import read_book
    from finsam_xl.workbook.writer import build_grids

    marks = [time.process_time()]
    view = xlbook.XlBookView(book)
    marks.append(time.process_time())
    read = read_book(str(book.name), view)
    marks.append(time.process_time())
    outcome = evaluate_read(read)
    marks.append(time.process_time())
    assert read.budget is not None and outcome.result is not None
    grids = build_grids(read.budget, outcome.result, xlbook.DefinedNames(view.names), WHEN)
    marks.append(time.process_time())
    xlbook.write_grids(book, grids)
    marks.append(time.process_time())
    return marks


def server_steps(body: bytes) -> dict[str, float]:
    """Median CPU ms of what ``remote.handle`` does for ``/berakna``: the body to a payload
    (size checks, JSON, claims, model), the press on the remote book (reading the tables,
    the core, the grids, the actions), and the actions to JSON."""
    from finsam_xl.excel import remote

    times: dict[str, list[float]] = {}
    for _ in range(RUNS):
        marks = [time.process_time()]
        payload = remote.read_payload(body)
        marks.append(time.process_time())
        assert isinstance(payload, remote.Payload)
        book = remote.RemoteBook(payload)
        press(book, "recalc", when=WHEN, alert=False, echo=False)
        marks.append(time.process_time())
        remote.actions_json(book.actions)
        marks.append(time.process_time())
        for name, start, end in zip(("payload", "press", "answer"), marks, marks[1:], strict=False):
            times.setdefault(name, []).append((end - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def import_seconds(code: str, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    load1, load5, _ = os.getloadavg()
    print(f"load average {load1:.2f} (1 min), {load5:.2f} (5 min) on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "budget-2000.xlsx"
        start = time.perf_counter()
        jobs.new(budget_with_lines(LINES), path, when=WHEN)
        print(
            f"workbook: {LINES} cost lines, generated in {time.perf_counter() - start:.1f} s, "
            f"{path.stat().st_size / 1024:.0f} kB"
        )

        # 1. press on the stand-in
        template = FakeBook.from_xlsx(path, com=True)
        books = [copy.deepcopy(template) for _ in range(RUNS)]
        it = iter(books)
        ms, times = median_ms(lambda: press(next(it), "recalc", when=WHEN, alert=False, echo=False))
        calls = books[0].calls
        cpu_books = iter([copy.deepcopy(template) for _ in range(RUNS)])
        cpu = median_cpu_ms(
            lambda: press(next(cpu_books), "recalc", when=WHEN, alert=False, echo=False)
        )
        print(
            f"press on stand-in (recalc): median {ms:.0f} ms (min {min(times):.0f}, CPU "
            f"{cpu:.0f})  runs {[round(t) for t in times]}"
            f"  Excel calls: {calls.total} ({calls.reads} reads, {calls.writes} writes, "
            f"{calls.clears} clears, {calls.formats} format calls; target <= 100)"
        )
        phases = press_phases([copy.deepcopy(template) for _ in range(RUNS)])
        print("  CPU by step (median ms): " + ", ".join(f"{k} {v:.0f}" for k, v in phases.items()))
        single = FakeBook.from_xlsx(path, com=False, protect=False)  # Lite, macOS: no COM
        press(single, "recalc", when=WHEN, alert=False, echo=False)
        print(
            f"  the same press without COM (Lite, macOS): {single.calls.total} Excel calls "
            f"({single.calls.formats} format calls)"
        )

        # 2. server round trip over loopback
        body = payload_bytes(path)
        server = make_server("127.0.0.1", 0)
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        host, port = str(server.server_address[0]), int(server.server_address[1])

        def round_trip() -> int:
            conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request(
                "POST", "/berakna", body=body, headers={"Content-Type": "application/json"}
            )
            response = conn.getresponse()
            actions = json.loads(response.read())["actions"]
            conn.close()
            assert response.status == 200 and len(actions) > 3
            return len(actions)

        actions = round_trip()
        ms, times = median_ms(round_trip)
        cpu = median_cpu_ms(round_trip)  # the server thread runs in this process
        server.shutdown()
        server.server_close()
        print(
            f"server round trip (/berakna): median {ms:.0f} ms (min {min(times):.0f}, CPU "
            f"{cpu:.0f})  runs {[round(t) for t in times]}"
            f"  payload {len(body) / 1024:.0f} kB, {actions} actions (the client's Excel calls)"
        )
        steps = server_steps(body)
        print(
            "  server CPU by step (median ms): "
            + ", ".join(f"{k} {v:.0f}" for k, v in steps.items())
        )

    # 3. interpreter start + import
    base = import_seconds("pass")
    button = import_seconds("import finsam_xl.excel.button")
    chain = import_seconds(
        "import finsam_xl.excel.button, finsam_xl.excel.xlbook, finsam_xl.core, xlwings"
    )
    print(f"python -c 'pass': median {base:.3f} s")
    print(f"python -c 'import finsam_xl.excel.button': median {button:.3f} s (target < 0.5 s)")
    print(f"  + what a press imports (xlbook, core, pydantic, xlwings): median {chain:.3f} s")


if __name__ == "__main__":
    main()
