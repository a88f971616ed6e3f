"""Run by test_failed_sync.py instead of `python app.py`: the same server, except that its
WAL syncs fail (EIO, a disk going bad) once the file named by FAIL_SYNC_FILE exists.

    FAIL_SYNC_FILE=/path/to/marker python tests/system/failing_sync.py
"""

from gevent import monkey

monkey.patch_all()

import errno  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from chatwidget import checkpoint  # noqa: E402

real_sync_wal = checkpoint.sync_wal


def sync_wal(path):
    """The real sync, or EIO once the marker file exists."""
    if os.path.exists(os.environ["FAIL_SYNC_FILE"]):
        raise OSError(errno.EIO, os.strerror(errno.EIO), path + "-wal")
    return real_sync_wal(path)


checkpoint.sync_wal = sync_wal

if __name__ == "__main__":
    import app  # the app as `python app.py` builds it
    from chatwidget.server import run

    run(app.app)
