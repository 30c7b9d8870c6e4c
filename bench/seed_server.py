# The tutorial's Project 3: a web server that answers many clients at once. Python's standard library
# gives it a thread per request; the tutorial adds that asyncio (or a process pool) can do the same.
import hashlib
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(0.1)  # the database call: this thread waits, the others go on
        body = hashlib.sha256(b"x" * 4096).hexdigest().encode()  # the CPU work
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", 8000), Handler).serve_forever()
