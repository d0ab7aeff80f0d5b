"""An S3-compatible server for the tests: moto on a free loopback port, holding the bucket
`desk-test`. Writes its endpoint to the file named by the first argument once the bucket
exists, then serves until it is stopped. State lives in memory and goes with the process."""

import os
import socket
import sys
import time
import urllib.request

from moto.server import ThreadedMotoServer

BUCKET = "desk-test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto accepts any credentials; an unsigned request is enough to make the bucket.
    request = urllib.request.Request(f"{endpoint}/{BUCKET}", method="PUT")
    urllib.request.urlopen(request, timeout=10).read()
    ready = sys.argv[1]
    with open(ready + ".tmp", "w", encoding="utf-8") as out:
        out.write(endpoint)
    os.replace(ready + ".tmp", ready)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
