"""Capacity of `finsam-xl server` (issue 10): run `python bench/bench_server.py [--rounds N]`.

Each server runs in its own process on 127.0.0.1 (so its RSS can be read and the
client threads do not share its GIL). 50 client threads each send ``--rounds``
requests over fresh connections, all released at once.

1. Transport: a bare ``http.server`` (ThreadingHTTPServer, backlog raised to 1024
   so that it does not drop connections) that reads the body and answers a short
   text, against finsam_xl's server answering the same POST to an unknown path
   (the body is read in full, then a Swedish 404): what the asyncio listener and
   its limits cost.
2. The button: POST /berakna with the recorded Södra Dalarna payload, against
   ``remote.handle`` called in a loop in one process (the compute ceiling).
3. Peak RSS of the finsam_xl server process (VmHWM) after idle, after the load,
   and after oversized claims (the issue's two tables, NaN, a worst-case 4 MB
   body of short strings) sent 20 times each.

Reported: requests/s, p50 and p95 latency, failed requests, ratios to the baseline.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = (ROOT / "tests" / "data" / "remote" / "payload_finsam_sodra_dalarna.json").read_bytes()
CLIENTS = 50

ECHO = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        out = b"ok %d" % len(body)
        self.send_response(200)
        self.send_header("Content-Length", str(len(out)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(out)
        self.close_connection = True
    def log_message(self, *a):
        pass
class S(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True
s = S(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"""

FINSAM = """
import logging
from finsam_xl.excel.server import make_server
logging.disable(logging.CRITICAL)
s = make_server("127.0.0.1", 0)
print(s.server_address[1], flush=True)
s.serve_forever()
"""


def start(code: str) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    return proc, int(proc.stdout.readline())


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) in MB from /proc (Linux)."""
    fields = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":" in line
    )
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def one(port: int, path: str, body: bytes) -> tuple[int, float]:
    start_ = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        conn.close()
        status = response.status
    except OSError:
        status = 0
    return status, time.perf_counter() - start_


def load(port: int, path: str, body: bytes, rounds: int) -> dict[str, float]:
    """50 threads x ``rounds`` requests, released together: rate, latencies, failures."""
    barrier = threading.Barrier(CLIENTS + 1)
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def client() -> None:
        barrier.wait()
        mine = [one(port, path, body) for _ in range(rounds)]
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    barrier.wait()
    begin = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - begin
    latencies = sorted(s for _, s in results)
    statuses = [status for status, _ in results]
    return {
        "rps": len(results) / wall,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
        "failed": sum(1 for s in statuses if s == 0),
        "n": len(results),
        "status": statistics.mode(statuses),
    }


def show(name: str, r: dict[str, float], base: dict[str, float] | None = None) -> None:
    ratio = f"  ({r['rps'] / base['rps']:.2f} x baseline rate)" if base else ""
    print(
        f"{name:<44} {r['rps']:7.0f} req/s  p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
        f"failed {int(r['failed'])}/{int(r['n'])}  status {int(r['status'])}{ratio}"
    )


def with_rader_range(address: str) -> bytes:
    data = json.loads(PAYLOAD)
    for sheet in data["sheets"]:
        for table in sheet["tables"]:
            if table["name"] == "Rader":
                table["range_address"] = address
    return json.dumps(data, separators=(",", ":")).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    rounds = parser.parse_args().rounds
    sys.path.insert(0, str(ROOT))
    from finsam_xl.excel import remote

    echo, echo_port = start(ECHO)
    finsam, port = start(FINSAM)
    try:
        time.sleep(0.3)
        idle = peak_rss_mb(finsam.pid)
        print(f"{CLIENTS} clients x {rounds} requests, payload {len(PAYLOAD)} bytes")
        base = load(echo_port, "/eko", PAYLOAD, rounds)
        show("1. baseline http.server, read body + answer", base)
        show(
            "1. finsam_xl serve, read body + Swedish 404", load(port, "/eko", PAYLOAD, rounds), base
        )
        after_transport = peak_rss_mb(finsam.pid)
        full = load(port, "/berakna", PAYLOAD, rounds)
        show("2. finsam_xl serve, POST /berakna", full, base)
        actions = json.loads(remote.handle("/berakna", {}, PAYLOAD).body)["actions"]
        funcs = [a["func"] for a in actions]
        print(
            f"{'2. actions per /berakna (Excel calls the client makes)':<44} {len(actions)}: "
            + ", ".join(f"{funcs.count(f)} {f}" for f in dict.fromkeys(funcs))
        )
        n = 50
        t0 = time.perf_counter()
        for _ in range(n):
            remote.handle("/berakna", {}, PAYLOAD)
        inline = n / (time.perf_counter() - t0)
        print(
            f"{'2. remote.handle inline, one thread':<44} {inline:7.0f} req/s  "
            f"(server reaches {full['rps'] / inline:.2f} x the compute ceiling)"
        )
        after_load = peak_rss_mb(finsam.pid)
        bad = {
            "table $A$3:$XFD$1048576": with_rader_range("$A$3:$XFD$1048576"),
            "table $A$3:$S$1048576": with_rader_range("$A$3:$S$1048576"),
            "NaN": PAYLOAD.replace(b'"values":[[', b'"values":[[NaN,', 1),
            "4 MB of short strings": b"[" + b",".join([b'"ab"'] * (remote.MAX_ITEMS - 1)) + b"]",
        }
        for name, body in bad.items():
            t0 = time.perf_counter()
            statuses = {one(port, "/berakna", body)[0] for _ in range(20)}
            ms = (time.perf_counter() - t0) / 20 * 1000
            print(
                f"3. {name:<41} status {sorted(statuses)}  {ms:6.1f} ms each  "
                f"peak RSS {peak_rss_mb(finsam.pid)[1]:.0f} MB"
            )
        print(
            f"3. finsam_xl server RSS: idle {idle[0]:.0f} MB; peak after transport "
            f"{after_transport[1]:.0f} MB, after /berakna load {after_load[1]:.0f} MB, "
            f"after the oversized requests {peak_rss_mb(finsam.pid)[1]:.0f} MB"
        )
    finally:
        for proc in (echo, finsam):
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
