"""A transcript render ends with the server that started it (a SIGKILLed server cannot
kill its children, and nobody would read what they write)."""

import os
import signal
import subprocess
import sys

from tests.system.servers import wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The server's stand-in: starts one render of the HTML file into OUT, prints its pid, waits.
PARENT = """
import os, subprocess, sys, time
from chatwidget import pdfrender
env = dict(os.environ, **{pdfrender.PARENT_ENV: str(os.getpid())})  # as the server does
with open(sys.argv[1], "rb") as html:
    render = [sys.executable, "-m", "chatwidget.pdfrender", sys.argv[2]]
    child = subprocess.Popen(render, stdin=html, env=env)
print(child.pid, flush=True)
time.sleep(600)
"""


def _gone(pid):
    """True once pid has exited (a zombie waiting for its new parent counts as exited)."""
    try:
        with open("/proc/%d/stat" % pid) as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_render_ends_soon_after_its_parent_is_killed(tmp_path):
    # Seconds of xhtml2pdf work: 400 paragraphs of 4,500 characters.
    paragraph = "<p>%s</p>" % ("mixed text здравствуйте καλημέρα 你好 " * 130)
    html = tmp_path / "transcript.html"
    html.write_text("<html><body>%s</body></html>" % (paragraph * 400), encoding="utf-8")
    out = tmp_path / "out.pdf"
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(html), str(out)], cwd=ROOT, stdout=subprocess.PIPE
    )
    render = int(parent.stdout.readline())
    try:
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        wait_until(lambda: _gone(render), 5, "the render to end with its parent")
        assert not out.exists(), "the render finished before the parent was killed"
    finally:
        if not _gone(render):
            os.kill(render, signal.SIGKILL)
