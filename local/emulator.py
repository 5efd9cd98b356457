"""The embedded AWS emulator: moto server on loopback, in a thread of this process.

Requests are served one at a time. moto keeps no locks of its own, and DynamoDB's promise that a
conditional write or a transaction is atomic only holds in the emulator if no two requests
interleave; serialising them keeps that promise (and the concurrency tests honest).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server


class Emulator:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import WSGIRequestHandler

        from local import moto_patches

        moto_patches.apply()

        class QuietHandler(WSGIRequestHandler):
            # Headers and body go out in two writes: with Nagle's algorithm the body would wait for
            # the client's delayed ACK of the headers (up to 40 ms on Linux) on a kept-alive
            # connection, on every emulator request.
            disable_nagle_algorithm = True

            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                pass  # the local stack logs API requests; the emulator's own traffic is noise

        self._host = host
        app = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()

        def serialised(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            with lock:
                return list(app(environ, start_response))

        self._server: BaseWSGIServer = make_server(host, port, serialised, threaded=True, request_handler=QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="emulator", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://{self._host}:{self._server.server_port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
