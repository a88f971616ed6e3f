"""The transcript PDF renderer, run as a child process: `python -m chatwidget.pdfrender OUT`.

It reads the transcript's HTML (UTF-8) on stdin and writes the PDF to the file OUT,
synced to disk; it exits 0 once the file is whole, else non-zero with the reason on
stderr. xhtml2pdf holds a CPU for seconds on a long chat (9 s for 400 messages of 4,500
characters): in the server's own process it would freeze every socket and request for
that long, so chatwidget.core.transcript_pdfs runs it here, in a process of its own.
It imports nothing of the app but the package's __init__: it starts in ~0.6 s.
"""

import io
import os
import sys
import threading
import time

# TrueType (glyf) faces reportlab can embed: DejaVu Sans draws Latin, Greek, Cyrillic and
# Arabic (with its presentation forms), Droid Sans Fallback draws CJK. `make run` and
# `make test` install them (fonts-dejavu-core, fonts-droid-fallback) when missing.
FONTS = (
    ("ChatSans", "normal", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    ("ChatSans", "bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("ChatCJK", "normal", "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)


def render(html: str) -> bytes:
    """The PDF bytes of an HTML document (xhtml2pdf), reading no file but the fonts."""
    from xhtml2pdf import pisa
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    missing = [path for _, _, path in FONTS if not os.path.exists(path)]
    if missing:
        print("transcript fonts missing (run `make run` as root): %s" % missing, file=sys.stderr)
    # The document may read the font files and nothing else: no network, no other file.
    root = os.path.commonpath([os.path.dirname(path) for _, _, path in FONTS])
    policy = ResourceAccessPolicy(allow_remote=False, base_dir=root)
    out = io.BytesIO()
    status = pisa.CreatePDF(html, dest=out, resource_policy=policy)
    if status.err:
        raise RuntimeError("transcript PDF rendering failed (%s errors)" % status.err)
    return out.getvalue()


# The server's pid, which it gives its renders: a parent gone before the render even
# started watching (its imports take half a second) is noticed too.
PARENT_ENV = "CHATWIDGET_RENDER_PARENT"


def exit_with_parent(interval: float = 0.5) -> None:
    """End this process (status 1) once its parent is gone.

    A server killed with SIGKILL cannot kill its renders, and no one would read what they
    write: without this they ran on to the end, a CPU each. A daemon thread looks at the
    parent's pid every `interval` seconds (xhtml2pdf gives up the GIL to other threads).
    """
    parent = int(os.environ.get(PARENT_ENV) or os.getppid())

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    """Render stdin's HTML into the file named by the one argument; the exit status."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m chatwidget.pdfrender OUTPUT.pdf < transcript.html", file=sys.stderr)
        return 2
    exit_with_parent()
    pdf = render(sys.stdin.buffer.read().decode("utf-8"))
    with open(args[0], "wb") as out:
        out.write(pdf)
        out.flush()
        os.fsync(out.fileno())  # the server renames it into place: whole, or not at all
    return 0


if __name__ == "__main__":
    sys.exit(main())
