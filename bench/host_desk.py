#!/usr/bin/env python3
"""Start-up time and memory of `frontdesk serve`, for BENCHMARKS.md.

Measures, with the release binary:
  * time from process start to the first 200 from /health, empty store and with N stored records
    (median of several starts);
  * RSS right after start (idle), and after reading every stored record once through the API.
Usage: bench/host_desk.py BINARY FILL_EXAMPLE [N]   (stdlib only; loopback only; bounded loops)
"""
import json, os, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

BIN, FILL = sys.argv[1], sys.argv[2]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
STARTS = 5


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def call(url, method="GET", body=None, token=None):
    req = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, json.loads(r.read() or b"null")


def start(data_dir, port):
    t0 = time.perf_counter()
    p = subprocess.Popen([BIN, "serve", "--data-dir", data_dir, "--listen", f"127.0.0.1:{port}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = t0 + 60
    while time.perf_counter() < deadline:
        try:
            status, _ = call(url + "/health")
            if status == 200:
                return p, url, (time.perf_counter() - t0) * 1000
        except OSError:
            time.sleep(0.002)
    p.kill()
    raise SystemExit("serve did not answer /health within 60 s")


def stop(p):
    p.terminate()
    p.wait(timeout=60)


def startup(data_dir, label):
    times = []
    for i in range(STARTS):
        p, _, ms = start(data_dir, 17800 + i)
        times.append(ms)
        stop(p)
    print(f"startup {label}: median {statistics.median(times):.0f} ms (min {min(times):.0f}, max {max(times):.0f}, {STARTS} starts)")


def main():
    root = tempfile.mkdtemp(prefix="frontdesk-bench-")
    try:
        empty = os.path.join(root, "empty")
        startup(empty, "empty store")
        p, url, _ = start(empty, 17900)
        time.sleep(2)
        print(f"rss idle after start, empty store: {rss_mib(p.pid):.1f} MiB")
        stop(p)

        full = os.path.join(root, "full")
        t = time.perf_counter()
        out = subprocess.run([FILL, full, str(N)], check=True, capture_output=True, text=True).stdout.strip()
        print(f"fill: {out} (took {time.perf_counter() - t:.0f} s)")
        startup(full, f"{N} records")

        p, url, _ = start(full, 17901)
        time.sleep(2)
        print(f"rss idle after start, {N} records: {rss_mib(p.pid):.1f} MiB")
        _, login = call(url + "/api/v1/setup", "POST", {"business_name": "Bench", "admin_name": "B",
                                                        "email": "b@bench.test", "password": "benchmark"})
        token = login["token"]
        t = time.perf_counter()
        seen, cursor, pages = 0, None, 0
        while pages < 10_000:
            q = "/api/v1/events?limit=1000" + (f"&after={cursor}" if cursor else "")
            _, page = call(url + q, token=token)
            pages += 1
            if not page["items"]:
                break
            seen += len(page["items"])
            cursor = page["next_cursor"]
        secs = time.perf_counter() - t
        print(f"read all: {seen} events in {pages} pages, {secs:.1f} s ({seen / secs:.0f} events/s over HTTP)")
        print(f"rss after reading all {seen} records once (cache 32 MiB): {rss_mib(p.pid):.1f} MiB")
        stop(p)
        size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(full) for f in fs)
        print(f"disk: {size / 2**20:.0f} MiB for {N} records of ~300 bytes ({N * 300 / 2**20:.0f} MiB raw payload)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


main()
