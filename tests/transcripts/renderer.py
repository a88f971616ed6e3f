"""A transcript renderer the tests control, in place of `python -m chatwidget.pdfrender`.

python tests/transcripts/renderer.py [--log FILE] [--hold PORT] [--fail] OUTPUT

--log appends one line per render to FILE (to count renders); --hold connects to a
test's listening socket on 127.0.0.1:PORT (the test's accept() says "a render has
started") and waits until the test closes that connection (or forever); --fail exits
1 with a message on stderr. Then it renders as the real one does.
"""

import argparse
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from chatwidget import pdfrender  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log")
    parser.add_argument("--hold", type=int)
    parser.add_argument("--fail", action="store_true")
    parser.add_argument("output")
    args = parser.parse_args()
    if args.log:
        with open(args.log, "a") as log:
            log.write("%d\n" % os.getpid())
    if args.hold:
        with socket.create_connection(("127.0.0.1", args.hold)) as held:
            held.sendall(b"%d\n" % os.getpid())
            held.recv(1)  # b"" once the test lets go
    if args.fail:
        print("renderer: this render fails on purpose", file=sys.stderr)
        return 1
    return pdfrender.main([args.output])


if __name__ == "__main__":
    sys.exit(main())
