"""Judge0 CE 1.13.1 and Piston v2 compatibility, against the real service.

Reproduces every request and check the reference documents for the official
judge0-python SDK (PyPI is unreachable here) and for piston-client.
"""
import base64
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server, b64, unb64  # noqa: E402

SDK_HEADERS = {"X-Judge0-App": "Judge0 Python SDK", "X-Judge0-App-Version": "0.0.6",
               "x-rapidapi-key": "ignored", "x-apihub-host": "ignored"}
SDK_CONFIG_KEYS = [
    "allow_enable_network", "allow_enable_per_process_and_thread_memory_limit",
    "allow_enable_per_process_and_thread_time_limit", "allowed_languages_for_compile_options", "callbacks_max_tries",
    "callbacks_timeout", "cpu_extra_time", "cpu_time_limit", "enable_additional_files", "enable_batched_submissions",
    "enable_callbacks", "enable_command_line_arguments", "enable_compiler_options", "enable_network",
    "enable_per_process_and_thread_memory_limit", "enable_per_process_and_thread_time_limit",
    "enable_submission_delete", "enable_wait_result", "maintenance_mode", "max_cpu_extra_time", "max_cpu_time_limit",
    "max_extract_size", "max_file_size", "max_max_file_size", "max_max_processes_and_or_threads", "max_memory_limit",
    "max_number_of_runs", "max_processes_and_or_threads", "max_queue_size", "max_stack_limit",
    "max_submission_batch_size", "max_wall_time_limit", "memory_limit", "number_of_runs", "redirect_stderr_to_stdout",
    "stack_limit", "submission_cache_duration", "use_docs_as_homepage", "wall_time_limit"]
SDK_SUBMISSION_FIELDS = {
    "source_code", "language", "additional_files", "compiler_options", "command_line_arguments", "stdin",
    "expected_output", "cpu_time_limit", "cpu_extra_time", "wall_time_limit", "memory_limit", "stack_limit",
    "max_processes_and_or_threads", "enable_per_process_and_thread_time_limit",
    "enable_per_process_and_thread_memory_limit", "max_file_size", "redirect_stderr_to_stdout", "enable_network",
    "number_of_runs", "callback_url", "stdout", "stderr", "compile_output", "message", "exit_code", "exit_signal",
    "status", "created_at", "finished_at", "token", "time", "wall_time", "memory", "post_execution_filesystem",
    "language_id", "status_id"}


class Judge0(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def get(self, path):
        r = self.server.get(path, headers=SDK_HEADERS)
        self.assertEqual(r.status, 200, (path, r))
        return r.json()

    def create(self, body, query="base64_encoded=true&wait=false"):
        r = self.server.post("/submissions?" + query, body, headers=SDK_HEADERS)
        return r

    def test_sdk_start_up_checks(self):
        self.assertEqual(self.get("/about")["version"], "1.13.1")
        cfg = self.get("/config_info")
        for key in SDK_CONFIG_KEYS:
            self.assertIn(key, cfg)
        self.assertEqual(len(SDK_CONFIG_KEYS), 39)
        self.assertIsInstance(cfg["allowed_languages_for_compile_options"], list)
        self.assertIsInstance(cfg["callbacks_timeout"], float)
        langs = self.get("/languages")
        by_id = {l["id"]: l["name"] for l in langs}
        self.assertIn(71, by_id)
        self.assertNotIn("3.8.1", by_id[71], "our real Python version, not Judge0's")
        self.assertRegex(by_id[71], r"Python \(3\.\d+")
        one = self.get("/languages/71")
        for key in ("id", "name", "is_archived", "source_file", "compile_cmd", "run_cmd"):
            self.assertIn(key, one)
        self.assertEqual(self.server.get("/languages/99999").status, 404)
        statuses = self.get("/statuses")
        self.assertEqual([s["id"] for s in statuses], list(range(1, 15)))
        self.assertEqual(statuses[11], {"id": 12, "description": "Runtime Error (Other)"})
        workers = self.get("/workers")
        self.assertEqual(workers[0]["queue"], "1.13.1")
        self.assertIn("CPU(s)", self.get("/system_info"))

    def test_sdk_round_trip_accepted_with_all_fields(self):
        body = {"source_code": b64("print(input())"), "language_id": 71, "stdin": b64("hello"),
                "expected_output": b64("hello"), "memory_limit": 128000.0, "cpu_time_limit": 2}
        r = self.create(body)
        self.assertEqual(r.status, 201, r)
        token = r.json()["token"]
        self.assertEqual(set(r.json()), {"token"})
        doc = self.server.wait_submission(token, headers=SDK_HEADERS)
        self.assertEqual(doc["status"], {"id": 3, "description": "Accepted"})
        self.assertTrue(set(doc) <= SDK_SUBMISSION_FIELDS, set(doc) - SDK_SUBMISSION_FIELDS)
        self.assertEqual(unb64(doc["stdout"]), b"hello\n")
        self.assertEqual(doc["stdout"], "aGVsbG8K\n")
        self.assertRegex(doc["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertRegex(doc["finished_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertIsInstance(doc["time"], str)
        float(doc["time"])
        self.assertEqual(doc["cpu_time_limit"], "2.0")
        self.assertEqual(doc["memory_limit"], 128000)
        self.assertIsInstance(doc["memory"], int)
        self.assertEqual(doc["language"]["id"], 71)

    def test_wrong_answer_runtime_error_and_memory_limit(self):
        wa = self.create({"source_code": b64("print(1)"), "language_id": 71, "expected_output": b64("2")})
        re = self.create({"source_code": b64("import sys; sys.exit(3)"), "language_id": 71})
        mle = self.create({"source_code": b64("x = bytearray(200 * 1024 * 1024)\nprint(len(x))"), "language_id": 71,
                           "memory_limit": 65536})
        self.assertEqual(self.server.wait_submission(wa.json()["token"])["status"]["id"], 4)
        doc = self.server.wait_submission(re.json()["token"])
        self.assertEqual(doc["status"]["id"], 11)
        self.assertEqual(doc["exit_code"], 3)
        doc = self.server.wait_submission(mle.json()["token"])
        self.assertEqual(doc["status"]["id"], 12, doc)
        self.assertIn("emory limit", unb64(doc["message"]).decode())

    def test_trailing_whitespace_rule(self):
        r = self.create({"source_code": b64("print('a  ')\nprint()\n"), "language_id": 71,
                         "expected_output": b64("a")})
        self.assertEqual(self.server.wait_submission(r.json()["token"])["status"]["id"], 3)

    def test_wait_true_plain_text_and_fields(self):
        r = self.server.post("/submissions?wait=true&fields=stdout,status,time",
                             {"source_code": "print('x' * 70)", "language_id": 71})
        self.assertEqual(r.status, 201, r)
        doc = r.json()
        self.assertEqual(set(doc), {"stdout", "status", "time"})
        self.assertEqual(doc["stdout"], "x" * 70 + "\n")
        r = self.server.get("/submissions/%s?base64_encoded=true&fields=stdout" % self.create(
            {"source_code": b64("print('x' * 70)"), "language_id": 71}).json()["token"])
        r = self.server.post("/submissions?wait=true&base64_encoded=true&fields=stdout",
                             {"source_code": b64("print('x' * 70)"), "language_id": 71})
        out = r.json()["stdout"]
        self.assertEqual(out.index("\n"), 60, "Ruby's Base64.encode64 wraps at 60 characters")
        self.assertEqual(base64.b64decode(out), b"x" * 70 + b"\n")
        self.assertEqual(self.server.get("/submissions/x?fields=token,tier,tenant").status, 400)
        self.assertEqual(self.server.get("/submissions/x?fields=token,tier").json()["error"], "invalid fields: [tier]")

    def test_non_utf8_output_needs_base64(self):
        r = self.create({"source_code": b64("import sys; sys.stdout.buffer.write(b'\\xff\\xfe')"), "language_id": 71})
        token = r.json()["token"]
        self.server.wait_submission(token)
        bad = self.server.get("/submissions/%s" % token)
        self.assertEqual(bad.status, 400)
        self.assertIn("base64_encoded=true", bad.json()["error"])
        good = self.server.get("/submissions/%s?base64_encoded=true" % token)
        self.assertEqual(unb64(good.json()["stdout"]), b"\xff\xfe")

    def test_validation_errors(self):
        r = self.server.post("/submissions", {"language_id": 150000})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["language_id"], ["language with id 150000 doesn't exist"])
        self.assertEqual(r.json()["source_code"], ["can't be blank"])
        r = self.server.post("/submissions", {"source_code": "x", "language_id": 71, "wall_time_limit": 99})
        self.assertEqual(r.json()["wall_time_limit"], ["must be less than or equal to 20.0"])
        r = self.server.post("/submissions", raw=b"{", headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertEqual(self.server.get("/submissions/no-such-token").status, 404)

    def test_batch_in_order_with_nulls(self):
        r = self.server.post("/submissions/batch?base64_encoded=true", {"submissions": [
            {"source_code": b64("print(1)"), "language_id": 71},
            {"source_code": b64("print(2)"), "language_id": 150000},
            {"source_code": b64("print(3)"), "language_id": 71}]})
        self.assertEqual(r.status, 201, r)
        items = r.json()
        self.assertIn("token", items[0])
        self.assertIn("language_id", items[1])
        tokens = [items[0]["token"], "00000000-0000-4000-8000-000000000000", items[2]["token"]]
        for t in (tokens[0], tokens[2]):
            self.server.wait_submission(t)
        got = self.server.get("/submissions/batch?base64_encoded=true&fields=token,stdout&tokens=" + ",".join(tokens))
        subs = got.json()["submissions"]
        self.assertEqual(subs[0]["token"], tokens[0])
        self.assertIsNone(subs[1])
        self.assertEqual(unb64(subs[2]["stdout"]), b"3\n")
        none_valid = self.server.post("/submissions/batch", {"submissions": [{"language_id": 1}]})
        self.assertEqual(none_valid.status, 422)
        too_many = self.server.post("/submissions/batch", {"submissions": [{}] * 21})
        self.assertEqual(too_many.status, 400)
        self.assertEqual(self.server.post("/submissions/batch", {"submissions": []}).status, 400)

    def test_list_and_delete(self):
        token = self.create({"source_code": b64("print(9)"), "language_id": 71}).json()["token"]
        self.server.wait_submission(token)
        page = self.server.get("/submissions?page=1&per_page=2").json()
        self.assertLessEqual(len(page["submissions"]), 2)
        self.assertGreaterEqual(page["meta"]["total_count"], 1)
        self.assertEqual(self.server.get("/submissions?page=-4").json()["error"], "invalid page: -4")
        d = self.server.delete("/submissions/" + token)
        self.assertEqual(d.status, 200, d)
        self.assertEqual(unb64(d.json()["stdout"]), b"9\n")
        self.assertEqual(self.server.get("/submissions/" + token).status, 404)


class Judge0Auth(unittest.TestCase):
    def test_x_auth_token_and_user(self):
        import hashlib
        key, admin = "tenant-key", "admin-key"
        tenants = [{"name": "t", "api_key_sha256": [hashlib.sha256(key.encode()).hexdigest()]},
                   {"name": "ops", "admin": True, "api_key_sha256": [hashlib.sha256(admin.encode()).hexdigest()]}]
        with Server(config={"tenants": tenants, "anonymous_tenant": ""}) as s:
            self.assertEqual(s.get("/languages").status, 401)
            self.assertEqual(s.get("/languages", headers={"X-Auth-Token": "wrong"}).status, 401)
            self.assertEqual(s.get("/languages", headers={"X-Auth-Token": key}).status, 200)
            self.assertEqual(s.get("/languages?X-Auth-Token=" + key).status, 200)
            self.assertEqual(s.get("/submissions", headers={"X-Auth-Token": key}).status, 403)
            self.assertEqual(s.get("/submissions", headers={"X-Auth-Token": key, "X-Auth-User": admin}).status, 200)
            self.assertEqual(s.post("/authenticate", headers={"X-Auth-Token": key}).status, 200)
            self.assertEqual(s.post("/authorize", headers={"X-Auth-Token": key}).status, 403)
            self.assertEqual(s.get("/v1/languages", headers={"Authorization": "Bearer " + key}).status, 200)
            self.assertEqual(s.get("/v1/languages").status, 401)


class Piston(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def execute(self, body, content_type="text/plain;charset=UTF-8"):
        return self.server.post("/api/v2/execute", raw=json.dumps(body).encode(),
                                headers={"Content-Type": content_type})

    def test_runtimes(self):
        rts = self.server.get("/api/v2/runtimes").json()
        py = [r for r in rts if r["language"] == "python"]
        self.assertEqual(len(py), 1)
        self.assertRegex(py[0]["version"], r"^\d+\.\d+\.\d+$")
        self.assertIn("py", py[0]["aliases"])

    def test_execute_as_piston_client_sends_it(self):
        r = self.execute({"language": "python", "version": "*", "files": [{"content": "import sys\nprint(sys.argv[1:], input())"}],
                          "stdin": "hi", "args": ["1", "2", "3"], "run_memory_limit": -1})
        self.assertEqual(r.status, 200, r)
        doc = r.json()
        self.assertEqual(doc["language"], "python")
        self.assertEqual(doc["run"]["stdout"], "['1', '2', '3'] hi\n")
        self.assertEqual(doc["run"]["code"], 0)
        self.assertIsNone(doc["run"]["signal"])
        self.assertEqual(doc["run"]["output"], doc["run"]["stdout"])
        for key in ("stderr", "cpu_time", "wall_time", "memory", "status", "message"):
            self.assertIn(key, doc["run"])
        self.assertNotIn("compile", doc)

    def test_compiled_nameless_file_and_compile_error(self):
        ok = self.execute({"language": "c++", "version": "*",
                           "files": [{"content": "#include <cstdio>\nint main(){std::puts(\"ok\");}"}]})
        self.assertEqual(ok.status, 200, ok)
        self.assertEqual(ok.json()["run"]["stdout"], "ok\n")
        self.assertIn("compile", ok.json())
        bad = self.execute({"language": "cpp", "version": "*", "files": [{"name": "x.cpp", "content": "int main( {"}]})
        doc = bad.json()
        self.assertNotEqual(doc["compile"]["code"], 0)
        self.assertEqual(doc["run"], doc["compile"])

    def test_timeout_is_sigkill(self):
        r = self.execute({"language": "py", "version": "3", "files": [{"content": "while True: pass"}],
                          "run_timeout": 1000, "run_cpu_time": 500})
        self.assertEqual(r.json()["run"]["signal"], "SIGKILL")
        self.assertEqual(r.json()["run"]["status"], "TO")

    def test_errors_are_400_message(self):
        r = self.execute({"language": "python", "version": "1.0.0", "files": [{"content": "x"}]})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json(), {"message": "python-1.0.0 runtime is unknown"})
        r = self.execute({"language": "python", "version": "*", "files": [{"content": "x"}], "run_timeout": "x"})
        self.assertEqual(r.json()["message"], "If specified, run_timeout must be a number")
        r = self.server.post("/api/v2/execute", raw=b"{oops", headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertIn("message", r.json())
        self.assertNotIn("stack", r.json())
        self.assertEqual(self.server.get("/api/v2/nothing").json(), {"message": "Not Found"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
