#!/usr/bin/env python3
"""A local stand-in for Twilio's Messages API and Expo's push API in benchmarks and fault
tests: answers every POST as the real service does when it accepts (201 with a message
sid; 200 with an "ok" ticket per push message) and counts what it received. Standard
library only.

    bench/fake_http.py --port 3099
"""

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    received = 0

    def do_POST(self):  # noqa: N802 (the standard library's name)
        length = int(self.headers.get("content-length", 0))
        body = self.rfile.read(length)
        Handler.received += 1
        if self.path.endswith("/push/send"):
            messages = json.loads(body or b"[]")
            answer = json.dumps({"data": [{"status": "ok", "id": str(i)} for i in range(len(messages))]})
            status = 200
        else:
            answer = json.dumps({"sid": f"SM{Handler.received:032d}", "status": "queued"})
            status = 201
        payload = answer.encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):  # noqa: N802
        payload = json.dumps({"received": Handler.received}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
