"""A real Spark standalone cluster on loopback for the tests: one master and two workers, each
its own JVM process, so that shuffles cross process boundaries as they do on a cluster."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


class StandaloneCluster:
    """``with StandaloneCluster(workers=2) as url:`` starts a master and workers; stops them after."""

    def __init__(
        self, workers: int = 2, cores: int = 1, memory: str = "768m", timeout: float = 180
    ):
        self.workers = workers
        self.cores = cores
        self.memory = memory
        self.timeout = timeout
        self.processes: list[subprocess.Popen] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="skillnader-spark-"))
        self.port = _free_port()
        self.url = f"spark://127.0.0.1:{self.port}"

    def _start(self, name: str, *args: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "SPARK_HOME": str(spark_home()),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_LOCAL_DIRS": str(self.tmp / "local"),
            "SPARK_LOG_DIR": str(self.tmp / "logs"),
            "SPARK_WORKER_DIR": str(self.tmp / "work"),
        }
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [str(spark_home() / "bin" / "spark-class"), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def _wait_for(self, name: str, text: str, count: int = 1) -> None:
        deadline = time.monotonic() + self.timeout
        path = self.tmp / f"{name}.log"
        while time.monotonic() < deadline:
            if path.exists() and path.read_text(errors="replace").count(text) >= count:
                return
            if any(p.poll() is not None for p in self.processes):
                break
            time.sleep(0.5)
        raise RuntimeError(
            f"Spark {name} did not start: {path.read_text(errors='replace')[-2000:]}"
        )

    def __enter__(self) -> str:
        self._start(
            "master",
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--webui-port",
            str(_free_port()),
        )
        self._wait_for("master", "I have been elected leader")
        for i in range(self.workers):
            self._start(
                f"worker{i}",
                "org.apache.spark.deploy.worker.Worker",
                self.url,
                "--host",
                "127.0.0.1",
                "--cores",
                str(self.cores),
                "--memory",
                self.memory,
                "--webui-port",
                str(_free_port()),
                "--work-dir",
                str(self.tmp / f"work{i}"),
            )
        self._wait_for("master", "Registering worker", self.workers)
        return self.url

    def __exit__(self, *exc) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)
