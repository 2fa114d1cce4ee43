"""Starts the real `ringfence serve` on a free loopback port and talks to it.

Python 3 standard library only. The binary comes from $RINGFENCE_BINARY
(CTest sets it) or build/server/cli/ringfence.
"""
import base64
import http.client
import http.server
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def binary():
    return os.environ.get("RINGFENCE_BINARY", os.path.join(ROOT, "build", "server", "cli", "ringfence"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:300])


class Server:
    """One service process with its own data directory and config file."""

    def __init__(self, config=None, env=None, data_dir=None, workers=2):
        self.port = free_port()
        self.owns_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="ringfence-api-")
        # One test at a time inside a job: on this shared 2-core host, parallel sandbox set-up
        # sometimes hits the launcher's init timeout (reported; not the service's to hide).
        cfg = {"workers": workers, "judge": {"test_concurrency": 1},
               "callbacks": {"allow_private_addresses": True, "backoff_initial_ms": 200}}
        for k, v in (config or {}).items():
            if isinstance(v, dict) and isinstance(cfg.get(k), dict):
                cfg[k].update(v)
            else:
                cfg[k] = v
        self.config_path = os.path.join(self.data_dir, "config.json")
        with open(self.config_path, "w") as f:
            json.dump(cfg, f)
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.proc = None
        self.log_path = os.path.join(self.data_dir, "server.log")

    def start(self, timeout=120):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [binary(), "serve", "--config", self.config_path, "--listen", "127.0.0.1:%d" % self.port,
             "--data-dir", self.data_dir],
            stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited with %d:\n%s" % (self.proc.returncode, self.output()))
            try:
                if self.request("GET", "/healthz").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become healthy:\n" + self.output())

    def output(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=60):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        return self.proc.returncode if self.proc else None

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def cleanup(self):
        self.stop()
        if self.owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    def request(self, method, path, body=None, headers=None, timeout=120, raw=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        hdrs = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=data, headers=hdrs)
        r = conn.getresponse()
        resp = Response(r.status, r.getheaders(), r.read().decode(errors="replace"))
        conn.close()
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def wait_run(self, run_id, timeout=120, headers=None):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.get("/v1/runs/" + run_id, headers=headers)
            doc = r.json()
            if doc["state"] in ("done", "cancelled"):
                return doc
            time.sleep(0.1)
        raise AssertionError("run %s did not finish" % run_id)

    def wait_submission(self, token, timeout=120, headers=None, query="base64_encoded=true&fields=*"):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.get("/submissions/%s?%s" % (token, query), headers=headers)
            doc = r.json()
            if doc["status"]["id"] not in (1, 2):
                return doc
            time.sleep(0.1)
        raise AssertionError("submission %s did not finish" % token)


class CallbackReceiver:
    """An HTTP server the test runs, recording every callback it receives."""

    def __init__(self, status=200):
        self.received = queue.Queue()
        self.status = status
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                receiver.received.put({"method": self.command, "path": self.path,
                                       "headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_PUT = _handle
            do_POST = _handle

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def next(self, timeout=60):
        return self.received.get(timeout=timeout)

    def close(self):
        self.httpd.shutdown()


def b64(text):
    if isinstance(text, str):
        text = text.encode()
    return base64.b64encode(text).decode()


def unb64(text):
    return base64.b64decode(text) if text is not None else None
