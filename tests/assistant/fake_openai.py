"""A stand-in for an LLM server at its protocol boundary: an HTTP server on loopback speaking
the OpenAI chat-completions API (plain and streamed, plus GET /v1/models) and Ollama's own API
(POST /api/chat, GET /api/tags), replying with a scripted text.

Knobs: `reply` (a text, or a function of the last user message giving one); `status` and `error` (an error response instead, e.g. vLLM's 404 for an unknown
model); `models` (what the model listing returns; None = no listing endpoint, 404); `delay`
(seconds between streamed pieces: a slow-trickle server). `requests` holds every JSON body
received (with "_path"), `gets` every GET path, and `hung_up` is set when the client closed a
stream before it ended.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SERVER_ERROR = {"error": {"message": "model exploded", "type": "server_error"}}


class FakeOpenAI:
    def __init__(self, reply: str = "", status: int = 200, *, error: dict | None = None,
                 models: list[str] | None = ("test-model",), delay: float = 0.0):
        self.reply, self.status, self.error = reply, status, error or SERVER_ERROR
        self.models = list(models) if models is not None else None
        self.delay = delay
        self.requests: list[dict] = []
        self.gets: list[str] = []
        self.hung_up = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                outer.gets.append(self.path)
                if outer.models is None:
                    self._json(404, {"error": "not found"})
                elif self.path.endswith("/api/tags"):
                    self._json(200, {"models": [{"name": m, "model": m} for m in outer.models]})
                elif self.path.endswith("/models"):
                    self._json(200, {"object": "list", "data": [
                        {"id": m, "object": "model", "owned_by": "test"} for m in outer.models
                    ]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({**body, "_path": self.path})
                if outer.status != 200:
                    self._json(outer.status, outer.error)
                    return
                ollama = self.path.endswith("/api/chat")
                if ollama:
                    self._stream(self._ollama_chunk, body, ndjson=True)
                elif body.get("stream"):
                    self._stream(self._openai_chunk, body, ndjson=False)
                else:
                    self._json(200, {
                        "id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": str(outer.reply)}}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    })

            @staticmethod
            def _openai_chunk(model, piece, last):
                chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": model,
                         "choices": [{"index": 0, "delta": {"content": piece},
                                      "finish_reason": "stop" if last else None}]}
                return f"data: {json.dumps(chunk)}\n\n"

            @staticmethod
            def _ollama_chunk(model, piece, last):
                chunk = {"model": model, "created_at": "2025-01-01T00:00:00Z",
                         "message": {"role": "assistant", "content": piece}, "done": last}
                if last:
                    chunk.update(done_reason="stop", total_duration=1, eval_count=1, prompt_eval_count=1)
                return json.dumps(chunk) + "\n"

            def _stream(self, make, body, ndjson):
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson" if ndjson else "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                reply = outer.reply
                if callable(reply):
                    messages = body.get("messages") or [{}]
                    reply = reply(str(messages[-1].get("content", "")))
                words = reply.split(" ") if reply else [""]
                pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
                try:
                    for i, piece in enumerate(pieces):
                        if i and outer.delay:
                            time.sleep(outer.delay)
                        self._chunk(make(body["model"], piece, ndjson and i == len(pieces) - 1))
                    if not ndjson:
                        self._chunk("data: [DONE]\n\n")
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    outer.hung_up.set()
                self.close_connection = True

            def _chunk(self, text: str) -> None:
                data = text.encode()
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.base}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
