"""``make run``: the local stack on http://127.0.0.1:8000 (``SIYU_PORT`` overrides)."""

from __future__ import annotations

import argparse
import faulthandler
import json
import logging
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's own payload limit
# Where the emulator, bus, archive and queues are, for the operator's commands (``ops/``): the
# local API's address is all they need. Outside /v1, so it is never part of the API.
STACK_PATH = "/_local/stack"


def _serve(port: int, host: str, emulator_port: int) -> None:
    from local import files as local_files
    from local.emulator import Emulator
    from local.frontends import frontend_for
    from local.frontends import serve as serve_frontend
    from local.gateway import LocalGateway
    from local.stack import LocalStack
    from services.registry import SERVICES

    started = time.monotonic()
    stack = LocalStack(SERVICES, emulator=Emulator(port=emulator_port)).start()
    local_files.prepare()
    gateway: LocalGateway | None = stack.gateway
    assert gateway is not None
    assert stack.resources is not None
    routes: LocalGateway = gateway
    log = logging.getLogger("local")
    description = json.dumps(stack.resources.describe(stack.emulator.endpoint)).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The headers and the body go out in two writes; with Nagle's algorithm the body waits for
        # the client's delayed ACK of the headers (40 ms on Linux) on every keep-alive response.
        disable_nagle_algorithm = True

        def _respond(self) -> None:
            begun = time.monotonic()
            length = int(self.headers.get("Content-Length") or 0)
            serves_file = local_files.serves(self.path)
            if length > (local_files.MAX_UPLOAD_BYTES if serves_file else MAX_REQUEST_BYTES):
                self.send_response(413)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()
                return
            body = self.rfile.read(length) if length else b""
            if self.path == STACK_PATH and self.command == "GET":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(description)))
                self.end_headers()
                self.wfile.write(description)
                return
            frontend = frontend_for(self.path) if self.command in ("GET", "HEAD") else None
            if serves_file:  # signed file URLs: what S3's presigned URLs are in AWS
                answer = local_files.handle(self.command, self.path, body)
            elif frontend is not None:
                answer = serve_frontend(frontend, self.path)
            else:
                headers = dict(self.headers.items())
                answer = routes.handle(self.command, self.path, headers, body, self.client_address[0])
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.body)
            log.info(
                "%s %s -> %s (%.0f ms)",
                self.command,
                self.path,
                answer.status,
                (time.monotonic() - begun) * 1000,
            )

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _respond

        def log_message(self, format: str, *args: object) -> None:
            pass  # one line per request is written by _respond

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256  # the default backlog of 5 resets connections under a burst of clients

    server = Server((host, port), Handler)
    # The handler only records the signal: taking a lock there (Event.set) could deadlock with the
    # main thread if the signal arrived while it held that lock.
    requested: list[int] = []

    def shutdown(signum: int, frame: object) -> None:
        requested.append(signum)

    signal.signal(signal.SIGINT, shutdown)
    signal.signal(signal.SIGTERM, shutdown)
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    resources = stack.resources
    print(
        f"""
Siyu local stack ready in {time.monotonic() - started:.1f}s
  console      http://{host}:{port}/console/   (staff; development sign-in: pick tenant, staff id, roles)
  member H5    http://{host}:{port}/m/         (channel codes open http://{host}:{port}/m/scan?tenant=…&scene=…)
  API          http://{host}:{port}/v1   (health: /v1/health, docs: /v1/docs)
  emulator     {stack.emulator.endpoint}  (AWS_ENDPOINT_URL for the aws CLI or boto3)
  event bus    {resources.bus_name} (archive: {resources.archive_name})
  stack map    http://{host}:{port}{STACK_PATH}  (what make redrive / replay / smoke STAGE=local read)
  tables       {", ".join(resources.tables.values())}
  queues       {", ".join(q.queue_url.rsplit("/", 1)[-1] for q in resources.consumers.values())} (+ their -dlq)
  schedules    {", ".join(stack.timers) or "none"} (every {stack.schedule_seconds:g} s locally)
  staff token  curl -X POST http://{host}:{port}/v1/auth/dev-token \\
                 -d '{{"tenant_id":"t1","staff_id":"s1","roles":["admin"]}}'
  test clock   curl http://{host}:{port}/v1/dev/clock   (business time; forward only:
                 -d '{{"advance_seconds":86400}}' or '{{"set":"2030-01-01T00:00:00Z"}}';
                 run a schedule now: curl -X POST http://{host}:{port}/v1/dev/schedules/<name>/runs)
Ctrl-C stops it.
""",
        flush=True,
    )
    while not requested:
        time.sleep(0.2)
    print("Stopping the local stack...", flush=True)
    # A stop that hangs shows where: every thread's stack is written to the output after 10 s.
    faulthandler.dump_traceback_later(10, exit=False, file=sys.stdout)
    server.shutdown()
    stack.stop()
    print("Stopped.", flush=True)
    logging.shutdown()
    # All the stack holds is in memory and goes with the process: the interpreter's teardown, which
    # frees every object one by one, would only add seconds to Ctrl-C.
    os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Siyu's local stack.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SIYU_PORT", "8000")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--emulator-port",
        type=int,
        default=int(os.environ.get("SIYU_EMULATOR_PORT", "0")),
        help="port of the embedded AWS emulator (default: any free port)",
    )
    args = parser.parse_args()
    # A printed channel code opens the member H5 of this very stack, unless told otherwise.
    from infra.web_spec import MEMBER, MEMBER_LANDING

    os.environ.setdefault("SIYU_ENTRY_URL", f"http://{args.host}:{args.port}{MEMBER.prefix}{MEMBER_LANDING}")
    # Signed file URLs (imports, exports) point at this very stack (local/files.py serves them).
    os.environ.setdefault("SIYU_LOCAL_FILES_URL", f"http://{args.host}:{args.port}/_local/files")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stdout)
    for noisy in ("werkzeug", "botocore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    _serve(args.port, args.host, args.emulator_port)


if __name__ == "__main__":
    main()
