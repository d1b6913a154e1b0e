"""The fault table: kill a model server, kill the service, restart it, stop it.

Each test injects a fault into a private service and checks what AWS would do: a dead instance
is replaced while requests go to the healthy ones; a crashed service leaves nothing running
once it is started again or stopped.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import psutil
from botocore.exceptions import ClientError
from resilience import client, count, deploy, invoke, measure, model_servers

from localcloud import LocalCloud
from localcloud.safety import processes


def _kill(process: psutil.Process) -> None:
    os.kill(process.pid, signal.SIGKILL)
    count("faults injected")


def _wait_for(condition, timeout: float = 60, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(step)
    raise AssertionError("condition not met in time")


def _log_messages(cloud, endpoint: str) -> list[str]:
    logs = client(cloud, "logs")
    group = f"/aws/sagemaker/Endpoints/{endpoint}"
    return [event["message"] for event in
            logs.filter_log_events(logGroupName=group)["events"]]


def test_a_dead_instance_is_routed_around_and_replaced(private_cloud, artifact):
    """Two instances: kill one; no request fails, a new instance takes its place."""
    endpoint = deploy(private_cloud, artifact, instances=2)
    runtime = client(private_cloud, "sagemaker-runtime")
    failures: list[Exception] = []
    answered = []
    stop = threading.Event()

    def traffic():
        while not stop.is_set():
            try:
                answered.append(invoke(runtime, endpoint))
            except ClientError as error:
                failures.append(error)

    sender = threading.Thread(target=traffic)
    sender.start()
    try:
        victim = model_servers(private_cloud)[0]
        _kill(victim)
        replaced = _wait_for(lambda: len([p for p in model_servers(private_cloud)
                                          if p.pid != victim.pid]) == 2)
        assert replaced
        time.sleep(0.5)  # traffic reaches the new instance too
    finally:
        stop.set()
        sender.join()
    count("requests during faults", len(answered) + len(failures))
    assert failures == [], f"{len(failures)} failed requests, e.g. {failures[:1]}"
    assert len(answered) > 10 and all(0.5 < value < 1.6 for value in answered)
    assert not psutil.pid_exists(victim.pid), "the dead server was not collected (zombie)"
    messages = _wait_for(lambda: [m for m in _log_messages(private_cloud, endpoint)
                                  if "failed its health check" in m])
    assert victim.pid and "replacing it" in messages[0]
    description = client(private_cloud, "sagemaker").describe_endpoint(EndpointName=endpoint)
    assert description["EndpointStatus"] == "InService"
    assert description["ProductionVariants"][0]["CurrentInstanceCount"] == 2


def test_a_single_dead_instance_fails_calls_until_replaced(private_cloud, artifact):
    """One instance: calls fail with AWS's ServiceUnavailable until the replacement answers."""
    endpoint = deploy(private_cloud, artifact, instances=1)
    runtime = client(private_cloud, "sagemaker-runtime")
    assert 0.5 < invoke(runtime, endpoint) < 1.6
    victim = model_servers(private_cloud)[0]
    killed_at = time.monotonic()
    _kill(victim)
    codes = set()

    def answers():
        try:
            return invoke(runtime, endpoint)
        except ClientError as error:
            codes.add(error.response["Error"]["Code"])
            return None

    value = _wait_for(answers, timeout=60, step=0.02)
    replacement_seconds = time.monotonic() - killed_at
    measure("seconds to replace a dead model server", replacement_seconds)
    assert 0.5 < value < 1.6
    assert codes <= {"ServiceUnavailable"}, codes
    assert replacement_seconds < 15


def test_a_hung_instance_is_replaced(private_cloud, artifact):
    """A server that stops answering /ping (SIGSTOP) is replaced like a dead one."""
    endpoint = deploy(private_cloud, artifact, instances=2)
    victim = model_servers(private_cloud)[0]
    os.kill(victim.pid, signal.SIGSTOP)
    count("faults injected")
    _wait_for(lambda: victim.pid not in [p.pid for p in model_servers(private_cloud)]
              or not psutil.pid_exists(victim.pid), timeout=30)
    runtime = client(private_cloud, "sagemaker-runtime")
    for _ in range(6):
        assert 0.5 < invoke(runtime, endpoint) < 1.6
    count("requests during faults", 6)


def test_start_after_a_crash_reaps_the_previous_run(tmp_path, artifact):
    """kill -9 of the service orphans its model servers; the next start ends them."""
    state = tmp_path / "state"
    crashed = LocalCloud(state_dir=state).start()
    deploy(crashed, artifact, instances=2)
    orphans = model_servers(crashed)
    assert len(orphans) == 2
    _kill(psutil.Process(crashed.info.pid))
    time.sleep(0.2)
    assert all(p.is_running() for p in orphans), "the model servers outlive a crash"
    fresh = LocalCloud(state_dir=state).start()
    try:
        assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in orphans)
        assert fresh.info.pid != crashed.info.pid
    finally:
        fresh.stop()
    assert processes.owned_processes(state) == []


def test_stop_after_a_crash_leaves_nothing(tmp_path, artifact):
    state = tmp_path / "state"
    cloud = LocalCloud(state_dir=state).start()
    deploy(cloud, artifact, instances=1)
    survivors = model_servers(cloud)
    _kill(psutil.Process(cloud.info.pid))
    LocalCloud(state_dir=state).stop()
    assert processes.owned_processes(state) == []
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in survivors)


def test_sigterm_stops_everything(tmp_path, artifact):
    """SIGTERM (what `kill` and a system shutdown send) stops the service and its servers."""
    state = tmp_path / "state"
    cloud = LocalCloud(state_dir=state).start()
    deploy(cloud, artifact, instances=1)
    os.kill(cloud.info.pid, signal.SIGTERM)
    count("faults injected")
    try:
        _wait_for(lambda: processes.owned_processes(state) == [], timeout=90)
    finally:
        left = [(p.pid, p.cmdline()) for p in processes.owned_processes(state)]
        cloud.stop()
    assert left == []
