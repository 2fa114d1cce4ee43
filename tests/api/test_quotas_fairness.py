"""Per-tenant rate limits and queue quotas (429 with Retry-After and
X-RateLimit-*), the global queue bound (503 "queue is full"), and fairness
between a flooding tenant and a quiet one."""
import hashlib
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server  # noqa: E402


def tenant(name, key, **extra):
    t = {"name": name, "api_key_sha256": [hashlib.sha256(key.encode()).hexdigest()]}
    t.update(extra)
    return t


SLEEP = {"language": "python3", "source": "import time\ntime.sleep(0.3)"}


class Quotas(unittest.TestCase):
    def test_rate_limit_gives_429_with_headers(self):
        with Server(config={"tenants": [tenant("slow", "k", rate_per_second=1, burst=2)],
                            "anonymous_tenant": ""}) as s:
            auth = {"Authorization": "Bearer k"}
            first = s.get("/v1/languages", headers=auth)
            self.assertEqual(first.status, 200)
            self.assertEqual(first.header("X-RateLimit-Limit"), "2")
            self.assertIsNotNone(first.header("X-RateLimit-Remaining"))
            s.get("/v1/languages", headers=auth)
            refused = s.get("/v1/languages", headers=auth)
            self.assertEqual(refused.status, 429)
            self.assertGreaterEqual(int(refused.header("Retry-After")), 1)
            self.assertEqual(refused.header("X-RateLimit-Remaining"), "0")
            self.assertIn("rate limit", refused.json()["error"])
            judge0 = s.get("/languages", headers={"X-Auth-Token": "k"})
            self.assertEqual(judge0.status, 429)
            time.sleep(1.1)
            self.assertEqual(s.get("/v1/languages", headers=auth).status, 200)
            self.assertIn('ringfence_rejections_total{reason="rate_limit"}', s.get("/metrics").body)

    def test_queue_quota_and_global_bound(self):
        cfg = {"tenants": [tenant("a", "ka", max_queued=2), tenant("b", "kb")], "anonymous_tenant": "",
               "max_queue_size": 4}
        with Server(config=cfg, workers=1) as s:
            a, b = {"Authorization": "Bearer ka"}, {"Authorization": "Bearer kb"}
            slow = dict(SLEEP, source="import time\ntime.sleep(3)")
            ids = [s.post("/v1/runs", slow, headers=a) for _ in range(2)]
            self.assertEqual([r.status for r in ids], [201, 201])
            over = s.post("/v1/runs", slow, headers=a)
            self.assertEqual(over.status, 429)
            self.assertIsNotNone(over.header("Retry-After"))
            self.assertIn("quota", over.json()["error"])
            self.assertEqual(s.post("/v1/runs", slow, headers=b).status, 201)
            self.assertEqual(s.post("/v1/runs", slow, headers=b).status, 201)
            full = s.post("/submissions", {"source_code": "print(1)", "language_id": 71}, headers={"X-Auth-Token": "kb"})
            self.assertEqual(full.status, 503)
            self.assertEqual(full.json(), {"error": "queue is full"})
            for r in ids:  # nothing accepted is lost
                self.assertEqual(s.wait_run(r.json()["id"], headers=a)["state"], "done")


class Fairness(unittest.TestCase):
    def test_quiet_tenant_is_not_starved(self):
        cfg = {"tenants": [tenant("flood", "kf"), tenant("quiet", "kq")], "anonymous_tenant": ""}
        with Server(config=cfg, workers=1) as s:
            f, q = {"Authorization": "Bearer kf"}, {"Authorization": "Bearer kq"}
            flood = [s.post("/v1/runs", SLEEP, headers=f).json()["id"] for _ in range(10)]
            quiet = [s.post("/v1/runs", SLEEP, headers=q).json()["id"] for _ in range(2)]
            flood_docs = [s.wait_run(i, headers=f) for i in flood]
            quiet_docs = [s.wait_run(i, headers=q) for i in quiet]
            last_quiet = max(d["finished_at"] for d in quiet_docs)
            flood_after = sum(1 for d in flood_docs if d["finished_at"] > last_quiet)
            # Round-robin: the quiet tenant's 2 jobs finish while at most ~4 of the flood's have.
            self.assertGreaterEqual(flood_after, 5, (last_quiet, [d["finished_at"] for d in flood_docs]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
