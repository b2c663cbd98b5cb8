# Kinlet's Python function runtime (written into the image by `kinlet deploy`; do not edit).
# Serves /app/handler.py on $PORT; FUNCTION_TEMPLATE=cloudevents hands the handler CloudEvents.
import base64
import json
import os
import signal
import sys
import threading
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, "/app")
import handler  # noqa: E402

PORT = int(os.environ.get("PORT", "8080"))
CLOUDEVENTS = os.environ.get("FUNCTION_TEMPLATE", "http") == "cloudevents"
SERVICE = os.environ.get("K_SERVICE", "function")


def is_json(content_type):
    media = (content_type or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


class Request:
    def __init__(self, method, path, query, headers, body):
        self.method, self.path, self.query, self.headers, self.body = method, path, query, headers, body

    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body or b"null")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # access logs are kinletd's job
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status, headers, body):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _read_event(self, body):
        content_type = self.headers.get("Content-Type", "")
        if content_type.lower().startswith("application/cloudevents+json"):
            event = json.loads(body)
            if "data_base64" in event:
                event["data"] = base64.b64decode(event.pop("data_base64"))
            return event
        if not self.headers.get("ce-id"):
            return None
        event = {name[3:].lower(): value for name, value in self.headers.items() if name.lower().startswith("ce-")}
        if content_type:
            event["datacontenttype"] = content_type
        if body:
            event["data"] = json.loads(body) if is_json(content_type) else body.decode("utf-8")
        return event

    def _write_event(self, event):
        reply = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/" + SERVICE}
        reply.update(event)
        headers = {"ce-" + k: str(v) for k, v in reply.items() if k not in ("data", "datacontenttype") and v is not None}
        body = b""
        if reply.get("data") is not None:
            data = reply["data"]
            structured = isinstance(data, (dict, list))
            headers["Content-Type"] = reply.get("datacontenttype") or ("application/json" if structured else "text/plain")
            body = json.dumps(data) if structured else data
        self._send(200, headers, body)

    def _write_result(self, result):
        if result is None:
            return self._send(204, {}, b"")
        if isinstance(result, (str, bytes)):
            return self._send(200, {"Content-Type": "text/plain; charset=utf-8"}, result)
        if isinstance(result, tuple):  # (status, body) or (status, body, headers)
            status, body = result[0], result[1]
            headers = dict(result[2]) if len(result) > 2 else {}
            if isinstance(body, (dict, list)):
                body = json.dumps(body)
                headers.setdefault("Content-Type", "application/json")
            return self._send(status, headers, body)
        return self._send(200, {"Content-Type": "application/json"}, json.dumps(result))

    def _handle(self):
        body = self._body()
        try:
            if CLOUDEVENTS:
                try:
                    event = self._read_event(body)
                except ValueError as e:
                    return self._send(400, {"Content-Type": "text/plain"}, f"not a CloudEvent: {e}\n")
                if event is None:
                    return self._send(400, {"Content-Type": "text/plain"}, "expected a CloudEvent (ce-id header or application/cloudevents+json)\n")
                reply = handler.handle(event)
                return self._write_event(reply) if reply else self._send(202, {}, b"")
            url = urlsplit(self.path)
            request = Request(self.command, url.path, parse_qs(url.query), self.headers, body)
            self._write_result(handler.handle(request))
        except Exception:
            traceback.print_exc()
            self._send(500, {"Content-Type": "text/plain"}, "internal error\n")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
server.daemon_threads = True


def stop(signum, frame):
    # SIGTERM: stop accepting, let the requests in flight finish (shutdown waits for serve_forever to return).
    threading.Thread(target=server.shutdown, daemon=True).start()


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
print(f"{SERVICE}: listening on {PORT}", flush=True)
server.serve_forever()
