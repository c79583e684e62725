"""A real local OpenAI-compatible HTTP server for tests: behaviour chosen by markers in the document text."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOOD = '{"score": 3, "reason": "Clear explanation."}'


class FakeEndpoint(BaseHTTPRequestHandler):
    """Behaviour is chosen by a marker in the document text; hits are counted per marker."""

    hits: Counter
    headers_seen: list
    bodies: list
    responder = None  # body -> answer text, for tests that need answers of their own
    in_flight = 0
    max_in_flight = 0
    lock = threading.Lock()
    outage = False  # set True: every request gets a 500

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, status: int, body: str | dict, headers: dict | None = None):
        data = body if isinstance(body, str) else json.dumps(body)
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data.encode())))
        self.end_headers()
        self.wfile.write(data.encode())

    def do_POST(self):  # noqa: N802 (http.server's naming)
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.max_in_flight = max(cls.max_in_flight, cls.in_flight)
        try:
            self._answer()
        finally:
            with cls.lock:
                cls.in_flight -= 1

    def _answer(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.path == "/v1/chat/completions" and body["model"] == "tiny-llm"
        self.headers_seen.append(self.headers.get("Authorization"))
        self.bodies.append(body)
        content = body["messages"][-1]["content"]
        marker = next((w for w in content.split() if "-" in w and w.split("-")[0].isupper()), "OK-any")
        kind = marker.split("-")[0]
        self.hits[marker] += 1
        n = self.hits[marker]
        time.sleep(0.02)
        if type(self).outage:
            return self._send(500, {"error": "outage"})
        if kind == "HANG":
            time.sleep(3.0)
        if kind == "RATE2" and n <= 2:
            return self._send(429, {"error": "slow down"}, {"Retry-After": "0"})
        if kind == "FAIL503" and n == 1:
            return self._send(503, {"error": "overloaded"})
        if kind == "ALWAYS500":
            return self._send(500, {"error": "boom"})
        if kind == "BAD400":
            return self._send(400, {"error": "bad request"})
        if kind == "SLOW" and n == 1:
            time.sleep(1.0)
        if kind == "MALFORMED":
            return self._send(200, '{"choices": [ {not json')
        answer = {"BADANSWER": "I would say 3.", "TRUNC": '{"score": 3, "reas'}.get(kind, GOOD)
        if self.responder is not None and kind not in ("BADANSWER", "TRUNC"):
            answer = self.responder(body)
        finish = "length" if kind == "TRUNC" else "stop"
        self._send(
            200,
            {
                "choices": [{"message": {"role": "assistant", "content": answer}, "finish_reason": finish}],
                "usage": {"prompt_tokens": 100, "completion_tokens": 12},
            },
        )


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # a client that timed out closed the socket: expected
        pass


@contextmanager
def serve(responder=None):
    """(base_url, handler class with `hits`, `headers_seen`, `bodies`, `max_in_flight`) of a server on
    127.0.0.1; `responder(body) -> str` answers requests that carry no failure marker."""
    handler = type(
        "Handler",
        (FakeEndpoint,),
        {"hits": Counter(), "headers_seen": [], "bodies": [], "in_flight": 0, "max_in_flight": 0,
         "lock": threading.Lock(), "outage": False,
         "responder": staticmethod(responder) if responder else None},
    )
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler
    finally:
        server.shutdown()
        server.server_close()
