"""An agent signing in does not stop the served process: the password check (~100 ms of
scrypt) runs on a thread, and the event loop, every other socket's, runs meanwhile."""

import json
import os
import subprocess

from tests.system.servers import PYTHON, ROOT

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "offloop_login.py")


def test_the_event_loop_runs_while_an_agent_password_is_checked(tmp_path):
    done = subprocess.run(
        [PYTHON, SCRIPT, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"] and result["wrong"]
    # On the loop the check would run without a single switch: no other greenlet between.
    assert result["ticks"] > 0, result
