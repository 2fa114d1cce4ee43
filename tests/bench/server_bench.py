#!/usr/bin/env python3
"""Service benchmarks: prints figures, asserts nothing about timing.

  idle RSS; RSS with 2000 queued jobs; python3 print(1) runs/s over HTTP at
  concurrency 2 vs a bare spawn of the same program; p50/p99 latency of a
  synchronous run; an overload run at 3x capacity (429/503 for the excess,
  no accepted job lost).

  python3 tests/bench/server_bench.py [--quick]
"""
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api"))
from harness import Server  # noqa: E402

QUICK = "--quick" in sys.argv
PRINT1 = {"language": "python3", "source": "print(1)"}


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def bare_rate(seconds, concurrency=2):
    count = [0]
    stop = time.time() + seconds

    def loop():
        while time.time() < stop:
            # The interpreter the python3 profile runs (not a PATH shim), without any sandbox.
            subprocess.run(["/usr/bin/python3", "-c", "print(1)"], stdout=subprocess.DEVNULL, check=True)
            count[0] += 1

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count[0] / (time.time() - start)


def http_rate(server, seconds, concurrency=2):
    latencies = []
    errors = [0]
    stop = time.time() + seconds
    lock = threading.Lock()

    def loop():
        while time.time() < stop:
            t0 = time.time()
            r = server.post("/v1/runs?wait=true", PRINT1)
            dt = time.time() - t0
            with lock:
                if r.status == 200 and r.json()["verdict"] == "accepted":
                    latencies.append(dt)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.time() - start), latencies, errors[0]


def main():
    seconds = 3 if QUICK else 20
    queued_jobs = 50 if QUICK else 2000
    with Server(workers=2, config={"tenants": [{"name": "local", "max_queued": 100000, "rate_per_second": 100000,
                                                "burst": 100000}], "max_queue_size": 100000}) as s:
        time.sleep(1)
        print("idle RSS: %.1f MiB" % (rss_kib(s.proc.pid) / 1024))

        # Two sleepers hold both workers (the profile's maximum wall time, 40 s) while the queue fills.
        sleeper = {"language": "python3", "source": "import time\ntime.sleep(39)",
                   "run_limits": {"wall_time_ms": 40000}}
        blockers = [s.post("/v1/runs", sleeper).json()["id"] for _ in range(2)]
        ids = [s.post("/v1/runs", PRINT1).json()["id"] for _ in range(queued_jobs)]
        time.sleep(0.5)
        print("RSS with %d queued jobs: %.1f MiB" % (len(ids), rss_kib(s.proc.pid) / 1024))
        for i in ids + blockers:
            s.delete("/v1/runs/" + i)

        bare = bare_rate(seconds)
        rate, lat, errors = http_rate(s, seconds)
        print("python3 print(1), concurrency 2: bare spawn %.1f runs/s, over HTTP %.1f runs/s, ratio %.2fx (target >= 0.8x)%s"
              % (bare, rate, rate / bare if bare else 0, ", %d errors" % errors if errors else ""))
        _, seq, _ = http_rate(s, seconds / 2, concurrency=1)
        if seq:
            print("synchronous run latency (concurrency 1, %d runs): p50 %.1f ms, p99 %.1f ms"
                  % (len(seq), percentile(seq, 50) * 1000, percentile(seq, 99) * 1000))

    # Overload: 3x the measured capacity, a tenant queue quota of 20, a global bound of 40.
    capacity = max(rate, 1.0)
    with Server(workers=2, config={"tenants": [{"name": "local", "max_queued": 20, "rate_per_second": 100000,
                                                "burst": 100000}], "max_queue_size": 40}) as s:
        target = capacity * 3
        codes = {}
        accepted = []
        start = time.time()
        n = 0
        while time.time() - start < seconds:
            r = s.post("/v1/runs", PRINT1)
            codes[r.status] = codes.get(r.status, 0) + 1
            if r.status == 201:
                accepted.append(r.json()["id"])
            n += 1
            delay = start + n / target - time.time()
            if delay > 0:
                time.sleep(delay)
        lost = [i for i in accepted if s.wait_run(i, timeout=600)["state"] != "done"]
        print("overload at %.1f req/s (3x capacity) for %ds: %s; accepted jobs lost: %d"
              % (target, seconds, ", ".join("%d: %d" % kv for kv in sorted(codes.items())), len(lost)))
        if lost:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
