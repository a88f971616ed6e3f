"""scripts/chat.py as the README's walk-through uses it: `--url` names a server on any
port, and a customer's client prints the export lines that the Transcripts section's curl
commands need."""

import re
import subprocess

import pytest
import requests

from tests.system.clients import TIMEOUT
from tests.system.servers import PYTHON, ROOT

pytestmark = pytest.mark.slow


def test_a_customer_prints_the_pair_that_fetches_its_transcript(tmp_path, make_deployment):
    deployment = make_deployment("sqlite:///%s" % (tmp_path / "chat.db"))
    [server] = deployment.start("server")  # on a free port, never 5000
    script = [PYTHON, "scripts/chat.py", "customer", "--url", server.url,
              "--email", "jane@example.test", "--name", "Jane"]  # fmt: skip
    done = subprocess.run(script, cwd=ROOT, input="hello\n/end\n", capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    exported = dict(re.findall(r"^export (\w+)=(\S+)", done.stdout, re.MULTILINE))
    assert set(exported) == {"CONVERSATION_ID", "PARTICIPANT_ID"}, done.stdout
    url = "%s/api/customer/transcript/%s/pdf" % (server.url, exported["CONVERSATION_ID"])
    pdf = requests.get(url, params={"participantId": exported["PARTICIPANT_ID"]}, timeout=TIMEOUT)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
