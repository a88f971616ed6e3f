"""An admin command, run as an operator runs it, prints its one JSON line and nothing else
(a provisioning script reads its stdout; its stderr is for what went wrong)."""

import json


def test_an_admin_command_prints_its_json_line_and_nothing_else(tmp_path, make_deployment):
    deployment = make_deployment("sqlite:///%s" % (tmp_path / "cli.db"))
    process = deployment._flask(("create-queue", "billing"))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert err == ""
    assert json.loads(out)["name"] == "billing"
