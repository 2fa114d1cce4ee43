"""A small WebSocket client (RFC 6455), Python 3 standard library only.

Enough for the API tests: the opening handshake, masked text frames out,
text/continuation/ping/close frames in, and the close code the server sent.
"""
import base64
import hashlib
import json
import os
import socket
import struct

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeRefused(Exception):
    def __init__(self, status, body):
        super().__init__("handshake refused: %d %s" % (status, body))
        self.status = status
        self.body = body


class Closed(Exception):
    def __init__(self, code, reason):
        super().__init__("closed: %s %s" % (code, reason))
        self.code = code
        self.reason = reason


class WebSocket:
    def __init__(self, port, path, headers=None, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode()
        lines = ["GET %s HTTP/1.1" % path, "Host: 127.0.0.1:%d" % port, "Upgrade: websocket",
                 "Connection: Upgrade", "Sec-WebSocket-Key: " + key, "Sec-WebSocket-Version: 13"]
        lines += ["%s: %s" % kv for kv in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = self._read_until(b"\r\n\r\n").decode(errors="replace")
        status = int(head.split(" ", 2)[1])
        fields = {}
        for line in head.split("\r\n")[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                fields[k.strip().lower()] = v.strip()
        if status != 101:
            length = int(fields.get("content-length", "0"))
            body = self._read_exactly(length).decode(errors="replace")
            self.sock.close()
            raise HandshakeRefused(status, body)
        want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if fields.get("sec-websocket-accept") != want:
            raise AssertionError("bad Sec-WebSocket-Accept: %r" % fields)
        self.close_code = None
        self.close_reason = None

    def _read_until(self, marker):
        while marker not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed during the handshake")
            self.buf += chunk
        head, self.buf = self.buf.split(marker, 1)
        return head

    def _read_exactly(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _send_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send_text(self, text):
        self._send_frame(0x1, text.encode() if isinstance(text, str) else text)

    def send_json(self, obj):
        self.send_text(json.dumps(obj))

    def close(self, code=1000):
        try:
            self._send_frame(0x8, struct.pack("!H", code))
        except OSError:
            pass
        self.sock.close()

    def recv(self):
        """The next text message; raises Closed when the server closed."""
        message = b""
        while True:
            b0, b1 = self._read_exactly(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read_exactly(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read_exactly(8))[0]
            if b1 & 0x80:
                raise AssertionError("server frames must not be masked")
            payload = self._read_exactly(n)
            if opcode == 0x8:
                self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                self.close_reason = payload[2:].decode(errors="replace")
                try:
                    self._send_frame(0x8, payload[:2])
                except OSError:
                    pass
                raise Closed(self.close_code, self.close_reason)
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()

    def recv_json(self):
        return json.loads(self.recv())

    def collect(self):
        """Every message until the server closes: (messages, close code)."""
        messages = []
        try:
            while True:
                messages.append(self.recv_json())
        except Closed as closed:
            return messages, closed.code
