"""Piston v2's WebSocket /api/v2/connect against the real service: interactive
stdin/stdout, a program that waits for input, compile stages, signals, the
run timeout, every close code, and the tenant's quotas."""
import hashlib
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Server  # noqa: E402
from ws_client import Closed, HandshakeRefused, WebSocket  # noqa: E402

ECHO = """import sys
for line in sys.stdin:
    print("echo:" + line.strip(), flush=True)
    if line.strip() == "bye":
        break
"""


def init(source, language="python", **extra):
    msg = {"type": "init", "language": language, "version": "*", "files": [{"content": source}]}
    msg.update(extra)
    return msg


class PistonWebSocket(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        solo = {"name": "solo", "api_key_sha256": [hashlib.sha256(b"solo-key").hexdigest()], "max_concurrent": 1}
        # Sessions a test closes early stop their programs asynchronously; the local
        # tenant's concurrency (workers by default) must not make the next test wait for that.
        local = {"name": "local", "max_concurrent": 16}
        cls.server = Server(config={"tenants": [local, solo]}).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def connect(self, headers=None):
        return WebSocket(self.server.port, "/api/v2/connect", headers=headers)

    def next_of(self, ws, kind):
        """Skips to the next message of type `kind` (data messages may be split)."""
        while True:
            msg = ws.recv_json()
            if msg["type"] == kind:
                return msg
            if msg["type"] == "error":
                self.fail("waiting for %s: %s" % (kind, msg))

    def read_stdout(self, ws, want):
        text = ""
        while len(text) < len(want):
            msg = ws.recv_json()
            self.assertEqual(msg["type"], "data", msg)
            self.assertEqual(msg["stream"], "stdout", msg)
            text += msg["data"]
        self.assertEqual(text, want)

    def test_interactive_echo(self):
        ws = self.connect()
        ws.send_json(init(ECHO))
        runtime = ws.recv_json()
        self.assertEqual(runtime["type"], "runtime")
        self.assertEqual(runtime["language"], "python")
        self.assertRegex(runtime["version"], r"^\d+\.\d+\.\d+$")
        self.assertEqual(ws.recv_json(), {"type": "stage", "stage": "run"})
        # Each answer arrives before the next line is sent: the program really is interactive.
        ws.send_json({"type": "data", "stream": "stdin", "data": "hello\n"})
        self.read_stdout(ws, "echo:hello\n")
        ws.send_json({"type": "data", "stream": "stdin", "data": "bye\n"})
        self.read_stdout(ws, "echo:bye\n")
        rest, code = ws.collect()
        self.assertEqual(code, 4999)
        self.assertEqual(ws.close_reason, "Job Completed")
        exits = [m for m in rest if m["type"] == "exit"]
        self.assertEqual(len(exits), 1, rest)
        self.assertEqual(exits[0]["stage"], "run")
        self.assertEqual(exits[0]["code"], 0)
        self.assertIsNone(exits[0]["signal"])

    def test_program_waits_for_input_sent_early_and_late(self):
        ws = self.connect()
        source = "a = input()\nb = input()\nprint(a + '+' + b)\nimport sys; print('err', file=sys.stderr)"
        ws.send_json(init(source))
        # Before the program starts: buffered until it reads.
        ws.send_json({"type": "data", "stream": "stdin", "data": "early\n"})
        self.next_of(ws, "stage")
        time.sleep(1.5)  # longer than the init timeout: only the run's own limits apply now
        ws.send_json({"type": "data", "stream": "stdin", "data": "late\n"})
        messages, code = ws.collect()
        self.assertEqual(code, 4999)
        out = "".join(m["data"] for m in messages if m["type"] == "data" and m["stream"] == "stdout")
        err = "".join(m["data"] for m in messages if m["type"] == "data" and m["stream"] == "stderr")
        self.assertEqual(out, "early+late\n")
        self.assertEqual(err, "err\n")
        self.assertEqual(messages[-1]["type"], "exit")

    def test_compiled_language_has_a_compile_stage(self):
        ws = self.connect()
        ws.send_json(init('#include <stdio.h>\nint main(){int x; if (scanf("%d", &x) != 1) return 3;'
                          ' printf("%d\\n", 2 * x); return 0;}', language="c"))
        self.assertEqual(ws.recv_json()["type"], "runtime")
        self.assertEqual(ws.recv_json(), {"type": "stage", "stage": "compile"})
        compiled = self.next_of(ws, "exit")
        self.assertEqual((compiled["stage"], compiled["code"]), ("compile", 0))
        self.assertEqual(ws.recv_json(), {"type": "stage", "stage": "run"})
        ws.send_json({"type": "data", "stream": "stdin", "data": "21\n"})
        self.read_stdout(ws, "42\n")
        messages, code = ws.collect()
        self.assertEqual(code, 4999)
        self.assertEqual((messages[-1]["type"], messages[-1]["stage"], messages[-1]["code"]), ("exit", "run", 0))

    def test_compile_error_ends_without_a_run_stage(self):
        ws = self.connect()
        ws.send_json(init("int main( {", language="c"))
        messages, code = ws.collect()
        self.assertEqual(code, 4999)
        stages = [m["stage"] for m in messages if m["type"] == "stage"]
        self.assertEqual(stages, ["compile"])
        self.assertNotEqual(messages[-1]["code"], 0)
        self.assertTrue(any(m["type"] == "data" and m["stream"] == "stderr" for m in messages), messages)

    def test_signal_stops_the_program(self):
        ws = self.connect()
        ws.send_json(init("import time\nprint('up', flush=True)\ntime.sleep(60)"))
        self.next_of(ws, "stage")
        self.read_stdout(ws, "up\n")
        ws.send_json({"type": "signal", "signal": "SIGTERM"})
        messages, code = ws.collect()
        self.assertEqual(code, 4999)
        self.assertEqual(messages[-1]["type"], "exit")
        self.assertEqual(messages[-1]["signal"], "SIGKILL")

    def test_run_timeout_is_sigkill(self):
        ws = self.connect()
        ws.send_json(init("import time\ntime.sleep(60)", run_timeout=1000))
        messages, code = ws.collect()
        self.assertEqual(code, 4999)
        self.assertEqual((messages[-1]["signal"], messages[-1]["status"]), ("SIGKILL", "TO"))

    def test_initialization_timeout(self):
        ws = self.connect()
        started = time.time()
        with self.assertRaises(Closed) as closed:
            ws.recv()
        self.assertEqual(closed.exception.code, 4001)
        self.assertEqual(closed.exception.reason, "Initialization Timeout")
        self.assertLess(time.time() - started, 10)

    def test_bad_init_is_notified_then_4002(self):
        for msg, want in [
            (init("print(1)", language="cobol-9000"), "cobol-9000-* runtime is unknown"),
            ({"type": "init", "language": "python", "version": "*"}, "files is required as an array"),
            (init("print(1)", run_timeout="soon"), "If specified, run_timeout must be a number"),
        ]:
            ws = self.connect()
            ws.send_json(msg)
            messages, code = ws.collect()
            self.assertEqual(code, 4002, messages)
            self.assertEqual(messages, [{"type": "error", "message": want}])

    def test_malformed_messages_and_close_codes(self):
        ws = self.connect()
        ws.send_text("{not json")
        messages, code = ws.collect()
        self.assertEqual((code, messages[0]["type"]), (4002, "error"))
        self.assertIn("JSON", messages[0]["message"])

        ws = self.connect()
        ws.send_json({"type": "data", "stream": "stdin", "data": "x"})
        self.assertEqual(ws.collect()[1], 4003)

        ws = self.connect()
        ws.send_json({"type": "launch"})
        messages, code = ws.collect()
        self.assertEqual(code, 4002)
        self.assertIn("unknown message type", messages[0]["message"])

        for follow_up, want in [(init("print(1)"), 4000),
                                ({"type": "data", "stream": "stdout", "data": "x"}, 4004),
                                ({"type": "signal", "signal": "SIGNOPE"}, 4005)]:
            ws = self.connect()
            ws.send_json(init("import time\ntime.sleep(30)"))
            self.next_of(ws, "stage")
            ws.send_json(follow_up)
            self.assertEqual(ws.collect()[1], want)

    def test_not_a_websocket_request(self):
        r = self.server.get("/api/v2/connect")
        self.assertEqual(r.status, 426)
        self.assertIn("WebSocket", r.json()["message"])

    def test_tenant_concurrency_applies(self):
        auth = {"Authorization": "Bearer solo-key"}
        first = self.connect(headers=auth)
        first.send_json(init("import time\ntime.sleep(30)"))
        self.next_of(first, "stage")
        second = self.connect(headers=auth)
        second.send_json(init("print(1)"))
        messages, code = second.collect()
        self.assertEqual(code, 4002)
        self.assertIn("at once", messages[0]["message"])
        first.send_json({"type": "signal", "signal": "SIGKILL"})
        self.assertEqual(first.collect()[1], 4999)
        with self.assertRaises(HandshakeRefused) as refused:
            self.connect(headers={"Authorization": "Bearer wrong"})
        self.assertEqual(refused.exception.status, 401)
        metrics = self.server.get("/metrics").body
        self.assertIn('tier="process"', metrics)


if __name__ == "__main__":
    unittest.main(verbosity=2)
