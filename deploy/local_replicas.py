"""Replicas behind nginx on this machine, without containers: `python deploy/local_replicas.py --students 10`.

Starts `--replicas` (default 2) `streamlit run app.py` processes and Debian's nginx (`/usr/sbin/nginx`) with this
project's own configuration (deploy/nginx/: nginx.conf and playground.conf as they are; upstream.conf and
listen.conf written for 127.0.0.1 ports) in a temporary prefix, so nothing needs root. Then it plays a class through
nginx with the harness (benchmarks/bench_class.py, the same options), makes every student drop its connection and
reconnect once (as a browser does after a network blip), and shows from nginx's log and the harness:

- sessions stick: every browser's requests (page, websocket, images, the reconnect) reached one process, and no
  reconnect found its session gone (`session_restarts` 0);
- every process serves: the students (browsers) per process, the largest one's share (nginx hands new browsers to
  the processes in turn, so 0.5 on two), the websocket sessions per process, and each process's CPU.

`--json` prints one line of JSON. Loopback only; everything it starts is stopped at the end.

To serve a class from one machine without containers, one process per core behind nginx:
`python deploy/local_replicas.py --serve 0.0.0.0:8501` runs `--replicas` processes (on 127.0.0.1) behind nginx
listening on that address until Ctrl+C or SIGTERM, which stop them all.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
NGINX_DIR = Path(__file__).resolve().parent / "nginx"
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_class import ServerMeter, measure, parser_for, report  # noqa: E402
from browser_utils import free_port, stop_process, streamlit_server  # noqa: E402
from upstream_conf import upstream_conf  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_conf_dir(dest: Path, listen_port: int, upstream_ports: list[int], host: str = "127.0.0.1") -> Path:
    """The project's nginx configuration in `dest`, for processes on 127.0.0.1: nginx.conf and playground.conf
    copied as they are; upstream.conf written by upstream_conf.py for those ports; listen.conf is `host` (the
    loopback address unless serving a class). Returns the path of nginx.conf."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("nginx.conf", "playground.conf"):
        shutil.copyfile(NGINX_DIR / name, dest / name)
    (dest / "upstream.conf").write_text(upstream_conf([f"127.0.0.1:{port}" for port in upstream_ports]))
    (dest / "listen.conf").write_text(f"listen {host}:{listen_port};\n")
    return dest / "nginx.conf"


def nginx_test(conf: Path) -> subprocess.CompletedProcess:
    """`nginx -t` on that configuration, with its directory as the prefix (no root paths)."""
    return subprocess.run([NGINX, "-t", "-p", str(conf.parent), "-c", str(conf)], capture_output=True, text=True,
                          timeout=30)


@contextlib.contextmanager
def nginx_running(conf: Path, listen_port: int, timeout: float = 30.0, host: str = "127.0.0.1"):
    """Runs nginx in the foreground (daemon off) with that configuration; yields (url, process, log path)."""
    log_path = conf.parent / "nginx.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([NGINX, "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"],
                                   stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{listen_port}"
    try:
        deadline = time.monotonic() + timeout
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            try:
                with opener.open(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not come up: {log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield url, process, log_path
    finally:
        stop_process(process)


LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ affinity=(?P<affinity>\S+) '
                      r'upstream=(?P<upstream>[^\n]+)')


def routing(log_text: str) -> dict:
    """From nginx's access log: the websocket sessions each process served, the browsers (affinity cookies) each
    process served a websocket to (the split), and the browsers whose requests reached more than one process (0 when
    sessions stick). After a retry nginx logs every address it tried: the last one answered."""
    upstreams_by_browser: dict[str, set[str]] = defaultdict(set)
    sessions, browsers_per_process = Counter(), defaultdict(set)
    for match in LOG_LINE.finditer(log_text):
        upstream = match["upstream"].split(", ")[-1].strip()
        if upstream == "-" or match["affinity"] == "-" or match["path"].startswith("/_stcore/health"):
            continue
        upstreams_by_browser[match["affinity"]].add(upstream)
        if match["path"].startswith("/_stcore/stream"):
            sessions[upstream] += 1
            browsers_per_process[upstream].add(match["affinity"])
    return {"websockets_per_process": dict(sorted(sessions.items())),
            "browsers_per_process": {u: len(b) for u, b in sorted(browsers_per_process.items())},
            "browsers": len(upstreams_by_browser),
            "browsers_on_two_processes": sum(len(u) > 1 for u in upstreams_by_browser.values())}


def largest_share(counts: dict) -> float | None:
    """The largest process's share of the browsers (0.5 is an even split on two)."""
    total = sum(counts.values())
    return round(max(counts.values()) / total, 3) if total else None


@contextlib.contextmanager
def replicas_behind_nginx(replicas: int, listen_port: int, host: str = "127.0.0.1"):
    """`replicas` `streamlit run` processes on 127.0.0.1 and nginx with the project's configuration in front of them,
    listening on host:listen_port; yields (url, [streamlit processes], nginx process, nginx's log path) and stops
    them all on the way out."""
    with contextlib.ExitStack() as stack:
        servers = [stack.enter_context(streamlit_server()) for _ in range(replicas)]
        prefix = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="playground-nginx-")))
        conf = nginx_conf_dir(prefix, listen_port, [int(url.rsplit(":", 1)[1]) for url, _ in servers], host)
        check = nginx_test(conf)
        if check.returncode != 0:
            raise SystemExit(f"nginx -t failed:\n{check.stderr}")
        url, nginx, log_path = stack.enter_context(nginx_running(conf, listen_port, host=host))
        yield url, [process for _, process in servers], nginx, log_path


def _interrupt(*_):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one is enough: the cleanup must not be interrupted
    raise KeyboardInterrupt


def serve(replicas: int, listen: str):
    """A class's server on this machine until Ctrl+C or SIGTERM: `replicas` processes behind nginx on `listen`."""
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise SystemExit(f"--serve wants ADDRESS:PORT, e.g. 0.0.0.0:8501; got {listen!r}")
    host = host or "0.0.0.0"
    signal.signal(signal.SIGTERM, _interrupt)  # stops everything it started, as Ctrl+C does
    try:
        with replicas_behind_nginx(replicas, int(port), host) as (url, servers, nginx, _):  # stopped on the way out
            print(f"{replicas} processes behind nginx, listening on {host}:{port} ({url} here); Ctrl+C stops them",
                  flush=True)
            while nginx.poll() is None and all(process.poll() is None for process in servers):
                time.sleep(0.5)
            print("a process stopped: stopping the others", flush=True)
    except KeyboardInterrupt:
        pass


def main(argv=None):
    parser = parser_for(__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--serve", metavar="ADDRESS:PORT",
                        help="serve a class (no harness) until Ctrl+C, e.g. 0.0.0.0:8501")
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.replicas, args.serve)
    args.reconnect = True
    args.url = None
    with replicas_behind_nginx(args.replicas, free_port()) as (url, servers, _nginx, log_path):
        processes = [psutil.Process(process.pid) for process in servers]
        meters = [ServerMeter([p]) for p in processes]
        row = measure(url, args, processes, on_window=lambda *_: [m.start() for m in meters],
                      on_window_end=lambda: [m.stop() for m in meters])
        row["replicas"] = args.replicas
        row["cores_per_process"] = [None if m.cores is None else round(m.cores, 2) for m in meters]
        # nginx writes a websocket's log line when it closes; the students have closed theirs (two each: the
        # reconnect).
        deadline = time.monotonic() + 10
        while (sum(routing(log_path.read_text())["websockets_per_process"].values()) < 2 * args.students
               and time.monotonic() < deadline):
            time.sleep(0.1)
        row.update(routing(log_path.read_text()))
        row["sessions_stick"] = row["session_restarts"] == 0 and row["browsers_on_two_processes"] == 0
        row["every_process_serves"] = len(row["websockets_per_process"]) == args.replicas
        row["largest_share"] = largest_share(row["browsers_per_process"])
    return report(row, args.json)


if __name__ == "__main__":
    main()
