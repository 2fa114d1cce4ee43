"""Native /v1 API and the operational endpoints, against the real service."""
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import CallbackReceiver, Server, binary  # noqa: E402

PY_ECHO = "import sys\nprint(sys.stdin.read().strip()[::-1])\n"


class NativeApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server(config={"http": {"max_body_bytes": 1 << 20}}).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def test_health_ready_metrics(self):
        s = self.server
        self.assertEqual(s.get("/healthz").json(), {"status": "ok"})
        self.assertEqual(s.get("/readyz").status, 200)
        m = s.get("/metrics")
        self.assertEqual(m.status, 200)
        self.assertIn("text/plain", m.header("Content-Type"))
        for name in ("ringfence_queue_depth{tenant=\"local\"}", "ringfence_active_sandboxes",
                     "ringfence_queue_wait_seconds_bucket", "ringfence_run_seconds_count"):
            self.assertIn(name, m.body)

    def test_languages_have_real_versions(self):
        langs = {l["id"]: l for l in self.server.get("/v1/languages").json()}
        self.assertIn("python3", langs)
        py = langs["python3"]
        self.assertTrue(py["available"], py)
        self.assertRegex(py["version"], r"^3\.\d+")

    def test_sync_run_accepted_and_wrong_answer(self):
        job = {"language": "python3", "source": PY_ECHO,
               "tests": [{"stdin": "abc\n", "expected_output": "cba\n"},
                         {"stdin": "xy\n", "expected_output": "nope\n"}]}
        r = self.server.post("/v1/runs?wait=true", job)
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual(doc["state"], "done")
        self.assertEqual(doc["tier"], "process")
        self.assertEqual(doc["attempts"], 1)
        self.assertEqual(doc["verdict"], "wrong_answer")
        self.assertEqual(doc["result"]["tests"][0]["verdict"], "accepted")
        self.assertEqual(doc["result"]["tests"][1]["verdict"], "wrong_answer")

    def test_async_run_then_poll(self):
        r = self.server.post("/v1/runs", {"language": "python3", "source": "print(6*7)",
                                          "tests": [{"expected_output": "42\n"}]})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.header("Location"), "/v1/runs/" + r.json()["id"])
        doc = self.server.wait_run(r.json()["id"])
        self.assertEqual(doc["verdict"], "accepted")
        self.assertIsNotNone(doc["finished_at"])

    def test_time_limit(self):
        r = self.server.post("/v1/runs?wait=true", {"language": "python3", "source": "while True: pass",
                                                    "run_limits": {"cpu_time_ms": 300, "wall_time_ms": 2000}})
        self.assertEqual(r.json()["verdict"], "time_limit_exceeded", r)

    def test_bad_input(self):
        s = self.server
        r = s.post("/v1/runs", raw=b"{not json", headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertIn("malformed JSON", r.json()["error"])
        r = s.post("/v1/runs", {"language": "klingon", "source": "x"})
        self.assertEqual(r.status, 422)
        self.assertIn("language", r.json()["error"])
        r = s.post("/v1/runs", {"language": "python3", "source": "x", "tests": "many"})
        self.assertEqual(r.status, 422)
        self.assertIn("tests", r.json()["error"])
        r = s.post("/v1/runs", {"language": "python3", "source": "x", "run_limits": {"memory_kib": -1}})
        self.assertEqual(r.status, 422)
        self.assertIn("run_limits.memory_kib", r.json()["error"])
        r = s.post("/v1/runs", {"language": "python3", "source": "x", "network": True})
        self.assertEqual(r.status, 403)
        self.assertIn("network", r.json()["error"])
        r = s.post("/v1/runs", {"language": "python3", "source": "x", "callback_url": "http://[::1"})
        self.assertEqual(r.status, 422)
        r = s.post("/v1/runs", {"language": "python3", "source": "x", "isolation": "vm"})
        self.assertEqual(r.status, 422)
        self.assertIn("never downgraded", r.json()["error"])
        self.assertEqual(s.get("/v1/runs/00000000-0000-4000-8000-000000000000").status, 404)
        r = s.post("/v1/runs", raw=b"x" * (2 << 20), headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 413)
        self.assertIn("error", r.json())
        r = s.get("/nowhere")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"error": "Not Found"})
        r = s.request("PATCH", "/v1/runs")
        self.assertEqual(r.status, 405)
        self.assertIn("error", r.json())

    def test_batch(self):
        jobs = [{"language": "python3", "source": "print(%d)" % i, "tests": [{"expected_output": "%d\n" % i}]}
                for i in range(3)]
        r = self.server.post("/v1/batches", {"runs": jobs})
        self.assertEqual(r.status, 201, r)
        ids = [x["id"] for x in r.json()["runs"]]
        self.assertEqual(len(set(ids)), 3)
        for i in ids:
            self.assertEqual(self.server.wait_run(i)["verdict"], "accepted")
        bad = self.server.post("/v1/batches", {"runs": [jobs[0], {"language": "nope", "source": "x"}]})
        self.assertEqual(bad.status, 422)
        self.assertIn("runs[1].language", bad.json()["error"])

    def test_cancel_queued_and_running(self):
        s = self.server
        slow = {"language": "python3", "source": "import time\ntime.sleep(20)",
                "run_limits": {"wall_time_ms": 30000}}
        running = [s.post("/v1/runs", slow).json()["id"] for _ in range(2)]  # occupies both workers
        queued = s.post("/v1/runs", slow).json()["id"]
        time.sleep(1.0)
        r = s.delete("/v1/runs/" + queued)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["state"], "cancelled")
        started = time.time()
        for run_id in running:
            r = s.delete("/v1/runs/" + run_id)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(s.wait_run(run_id)["state"], "cancelled")
        self.assertLess(time.time() - started, 15, "a running sandbox is stopped, not waited for")
        self.assertEqual(s.delete("/v1/runs/" + queued).status, 409)

    def test_openapi_matches_routes(self):
        doc = self.server.get("/v1/openapi.json").json()
        self.assertTrue(doc["openapi"].startswith("3."))
        for path, ops in doc["paths"].items():
            concrete = path.replace("{id}", "00000000-0000-4000-8000-000000000000")
            for method in ops:
                r = self.server.request(method.upper(), concrete, body={} if method in ("post",) else None)
                self.assertNotEqual(r.status, 405, (method, path))
                if "{id}" not in path:
                    self.assertNotEqual(r.status, 404, (method, path))
        for route in ("/v1/runs", "/v1/runs/{id}", "/v1/batches", "/v1/languages", "/v1/openapi.json"):
            self.assertIn(route, doc["paths"])

    def test_logs_written(self):
        self.server.post("/v1/runs?wait=true", {"language": "python3", "source": "print(1)"})
        logs = os.path.join(self.server.data_dir, "logs")
        with open(os.path.join(logs, "access.log")) as f:
            pass
        with open(os.path.join(logs, "audit.log")) as f:
            records = [json.loads(line) for line in f if line.strip()]
        sandboxes = [r for r in records if r["event"] == "sandbox"]
        self.assertTrue(sandboxes)
        for key in ("time", "tenant", "job", "test", "language", "tier", "host_uid", "prepared_ahead", "limits",
                    "verdict", "usage", "violation"):
            self.assertIn(key, sandboxes[-1])

    def test_default_pool_prepares_a_languages_test_sandboxes_ahead(self):
        # launcher.pool_size (16 by default) keeps sandboxes ready for a language's tests: after one
        # job and a pause, every test of the next job runs in a sandbox built before it arrived.
        job = {"language": "python3", "source": PY_ECHO,
               "tests": [{"stdin": "abc\n", "expected_output": "cba\n"}] * 3}
        self.assertEqual(self.server.post("/v1/runs?wait=true", job).status, 200)
        time.sleep(2)
        r = self.server.post("/v1/runs?wait=true", job)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["verdict"], "accepted")
        job_id = r.json()["id"]
        with open(os.path.join(self.server.data_dir, "logs", "audit.log")) as f:
            records = [json.loads(line) for line in f if line.strip()]
        tests = [x for x in records if x["event"] == "sandbox" and x["job"] == job_id and x["purpose"] == "test"]
        self.assertEqual(len(tests), 3, tests)
        self.assertTrue(all(x["prepared_ahead"] for x in tests), tests)


class Callbacks(unittest.TestCase):
    def test_native_callback_is_signed_and_judge0_callback_is_put(self):
        receiver = CallbackReceiver()
        secret = "test-secret-0123456789"
        with Server(config={"callbacks": {"secret": secret}}) as s:
            r = s.post("/v1/runs", {"language": "python3", "source": "print(5)", "callback_url": receiver.url("/n")})
            self.assertEqual(r.status, 201, r)
            got = receiver.next()
            self.assertEqual(got["method"], "POST")
            self.assertEqual(got["path"], "/n")
            sig = got["headers"]["X-Ringfence-Signature"]
            t, mac = sig.split(",")
            t = t.split("=")[1]
            expected = hmac.new(secret.encode(), (t + ".").encode() + got["body"], hashlib.sha256).hexdigest()
            self.assertEqual(mac, "sha256=" + expected)
            self.assertEqual(json.loads(got["body"])["id"], r.json()["id"])

            r = s.post("/submissions", {"source_code": "print(7)", "language_id": 71,
                                        "callback_url": receiver.url("/j")})
            self.assertEqual(r.status, 201, r)
            got = receiver.next()
            self.assertEqual(got["method"], "PUT")
            body = json.loads(got["body"])
            self.assertEqual(body["token"], r.json()["token"])
            self.assertEqual(body["status"]["id"], 3)
            self.assertEqual(body["stdout"], "Nwo=\n")  # always base64, Ruby-wrapped
        receiver.close()

    def test_callback_retried_until_delivered(self):
        receiver = CallbackReceiver(status=500)
        with Server() as s:
            s.post("/v1/runs", {"language": "python3", "source": "print(1)", "callback_url": receiver.url()})
            receiver.next()
            receiver.status = 200
            second = receiver.next(timeout=30)
            self.assertEqual(second["method"], "POST")
        receiver.close()

    def test_private_callback_refused_by_default(self):
        with Server(config={"callbacks": {"allow_private_addresses": False}}) as s:
            r = s.post("/v1/runs", {"language": "python3", "source": "print(1)",
                                    "callback_url": "http://127.0.0.1:9/x"})
            self.assertEqual(r.status, 422)
            self.assertIn("loopback", r.json()["error"])
            r = s.post("/submissions", {"source_code": "print(1)", "language_id": 71,
                                        "callback_url": "http://169.254.169.254/latest"})
            self.assertEqual(r.status, 422)
            self.assertIn("callback_url", r.json())


class Drain(unittest.TestCase):
    def test_sigterm_finishes_running_and_keeps_queued(self):
        first = Server(workers=1, config={"drain_grace_ms": 20000}).start()
        running = first.post("/v1/runs", {"language": "python3", "source": "import time\ntime.sleep(2)\nprint('slept')",
                                          "tests": [{"expected_output": "slept\n"}]}).json()["id"]
        time.sleep(1.0)
        queued = [first.post("/v1/runs", {"language": "python3", "source": "print(%d)" % i}).json()["id"]
                  for i in range(3)]
        started = time.time()
        code = first.stop()  # SIGTERM
        self.assertEqual(code, 0, first.output())
        self.assertLess(time.time() - started, 20)
        second = Server(data_dir=first.data_dir, workers=1)
        second.owns_dir = True
        second.start()
        try:
            doc = second.wait_run(running)
            self.assertEqual(doc["verdict"], "accepted")
            self.assertEqual(doc["attempts"], 1, "the running job finished during the drain, not after")
            for i in queued:
                self.assertEqual(second.wait_run(i)["state"], "done")
        finally:
            second.cleanup()


class CommandLine(unittest.TestCase):
    def test_print_config_env_override_and_exposure(self):
        env = dict(os.environ, RINGFENCE_HTTP_MAX_BODY_BYTES="4096")
        out = subprocess.run([binary(), "serve", "--print-config", "--listen", "127.0.0.1:1"], env=env,
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        cfg = json.loads(out.stdout)
        self.assertEqual(cfg["http"]["max_body_bytes"], 4096)
        self.assertEqual(cfg["listen"], "127.0.0.1:1")
        refused = subprocess.run([binary(), "serve", "--listen", "0.0.0.0:2359", "--data-dir", "/tmp/rf-never"],
                                 capture_output=True, text=True)
        self.assertEqual(refused.returncode, 2)
        self.assertIn("no tenant has an API key", refused.stderr)
        key = subprocess.run([binary(), "serve", "--hash-key", "abc"], capture_output=True, text=True)
        self.assertEqual(key.stdout.strip(), hashlib.sha256(b"abc").hexdigest())


if __name__ == "__main__":
    unittest.main(verbosity=2)
