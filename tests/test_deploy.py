"""The deploy/ configuration: nginx accepts the project's own files (`nginx -t`) and, in front of two stand-in
processes, hands new browsers to them in turn, keeps each on its process, never proxies where a cookie says, moves a
browser whose process is down; the routing report reads nginx's log; the compose file and Kubernetes manifest keep
sessions sticky, websockets open and one compilation cache."""

from __future__ import annotations

import asyncio
import http.client
import re
import shutil
import sys
import threading
from collections import Counter
from http import HTTPStatus
from pathlib import Path

import pytest
import websockets.sync.server
import yaml
from browser_utils import free_port, wait_until
from class_harness import Student

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
sys.path.insert(0, str(DEPLOY))
import local_replicas  # noqa: E402
import upstream_conf  # noqa: E402


NEEDS_NGINX = pytest.mark.skipif(not shutil.which(local_replicas.NGINX),
                                 reason="nginx is not installed (apt-get install nginx)")
COOKIE = re.compile(r"^playground_affinity=([0-9]+\.[0-9a-f]{32}); Path=/; HttpOnly; SameSite=Lax$")


@NEEDS_NGINX
def test_nginx_accepts_the_project_configuration(tmp_path):
    conf = local_replicas.nginx_conf_dir(tmp_path, free_port(), [free_port(), free_port(), free_port()])
    assert (conf.parent / "playground.conf").read_text() == (DEPLOY / "nginx" / "playground.conf").read_text()
    upstream = (conf.parent / "upstream.conf").read_text()
    assert upstream.count("zone playground") == 1 and upstream.count("server 127.0.0.1:") == 3 + 3 * 3
    assert upstream.count(" backup;") == 3 * 2 and "hash " not in upstream
    result = local_replicas.nginx_test(conf)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_upstream_conf_names_each_process_and_refuses_what_it_cannot_tell_apart():
    text = upstream_conf.upstream_conf(["127.0.0.1:8601", "127.0.0.1:8602"])
    assert '"~^1\\.[0-9a-f]{32}$" playground_1;' in text and '"~^2\\.[0-9a-f]{32}$" playground_2;' in text
    assert '"~(?:^|\\s)127\\.0\\.0\\.1:8602$" 2;' in text
    assert upstream_conf.reached_pattern("app2:8502") == "~:8502$"   # a host name: nginx reports its IP, so the port
    for bad in (["app:8501", "app:8501"], ["app1:8501", "app2:8501"], ["app1"], ["app1:0"], ["a b:1"], [],
                ["1.2.3:80"], ["app1:8501;"], ["[::1]:8501"]):
        with pytest.raises(ValueError):
            upstream_conf.upstream_conf(bad)
    assert upstream_conf.upstream_conf(["10.0.0.1:8501", "10.0.0.2:8501"])   # same port, told apart by address
    assert upstream_conf.main(["app1:8501", "app1:8501"]) == 2


def test_routing_report_reads_nginx_log():
    log = "\n".join([
        '127.0.0.1 [x] "GET /?dataset=spiral HTTP/1.1" 200 5 affinity=a upstream=127.0.0.1:1',
        '127.0.0.1 [x] "GET /_stcore/stream HTTP/1.1" 101 9 affinity=a upstream=127.0.0.1:1',
        '127.0.0.1 [x] "GET /_stcore/stream HTTP/1.1" 101 9 affinity=b upstream=127.0.0.1:2',
        '127.0.0.1 [x] "GET /media/x.png HTTP/1.1" 200 9 affinity=b upstream=127.0.0.1:1',
        '127.0.0.1 [x] "GET /_stcore/health HTTP/1.1" 200 2 affinity=c upstream=127.0.0.1:2',
        '127.0.0.1 [x] "GET /_stcore/stream HTTP/1.1" 101 9 affinity=d upstream=127.0.0.1:1, 127.0.0.1:2',
        '127.0.0.1 [x] "GET / HTTP/1.1" 502 9 affinity=- upstream=127.0.0.1:1, 127.0.0.1:2',
    ])
    assert local_replicas.routing(log) == {"websockets_per_process": {"127.0.0.1:1": 1, "127.0.0.1:2": 2},
                                           "browsers_per_process": {"127.0.0.1:1": 1, "127.0.0.1:2": 2},
                                           "browsers": 3, "browsers_on_two_processes": 1}
    assert local_replicas.largest_share({"a": 19, "b": 11}) == 0.633 and local_replicas.largest_share({}) is None


# --- nginx in front of two stand-in processes -------------------------------------------------------------------------

class StandIn:
    """A process behind nginx, without Streamlit: answers every GET with its port and accepts websockets (protocol
    "streamlit"); counts what reached it. `stop()` closes its socket, as a process that went down."""

    def __init__(self):
        self.port = free_port()
        self.requests = 0
        self.websockets = 0
        self.server = websockets.sync.server.serve(self._hold, "127.0.0.1", self.port, subprotocols=["streamlit"],
                                                   process_request=self._answer, compression=None)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _answer(self, connection, request):
        self.requests += 1
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return connection.respond(HTTPStatus.OK, str(self.port))
        return None

    def _hold(self, connection):
        self.websockets += 1
        for _ in connection:   # until the client closes
            pass

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def behind_nginx(tmp_path):
    """nginx with the project's configuration in front of two stand-ins (and a third server that nginx is never
    told about, to catch a cookie used as an address). Yields (nginx host:port, [process 1, process 2], stray)."""
    processes, stray = [StandIn(), StandIn()], StandIn()
    listen_port = free_port()
    conf = local_replicas.nginx_conf_dir(tmp_path, listen_port, [p.port for p in processes])
    try:
        with local_replicas.nginx_running(conf, listen_port):
            yield f"127.0.0.1:{listen_port}", processes, stray
    finally:
        for server in processes + [stray]:
            server.stop()


def fetch(address: str, cookie: str | None = None) -> tuple[int, str, str | None]:
    """GET / on a new connection (as a new browser's first request): (status, body, Set-Cookie)."""
    host, port = address.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", "/", headers={"Cookie": f"playground_affinity={cookie}"} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace"), response.getheader("Set-Cookie")
    finally:
        connection.close()


def issued(set_cookie: str | None) -> tuple[int, str]:
    """(the process number the cookie names, its value); fails if it is not the cookie nginx issues."""
    match = COOKIE.match(set_cookie or "")
    assert match, set_cookie
    return int(match[1].split(".")[0]), match[1]


@NEEDS_NGINX
def test_new_browsers_go_to_the_processes_in_turn_and_stay(behind_nginx):
    address, processes, _ = behind_nginx
    ports = [str(p.port) for p in processes]
    browsers = []
    for _ in range(30):   # every request on its own connection: nginx's workers share the turn (`zone`)
        status, body, set_cookie = fetch(address)
        number, value = issued(set_cookie)
        assert status == 200 and body == ports[number - 1], "the cookie names the process that answered"
        browsers.append((body, value))
    assert Counter(body for body, _ in browsers) == {ports[0]: 15, ports[1]: 15}
    assert all(a != b for (a, _), (b, _) in zip(browsers, browsers[1:])), "strictly in turn"
    assert len({value for _, value in browsers}) == 30
    for body, value in browsers[:6]:
        for _ in range(3):
            assert fetch(address, value) == (200, body, None)   # the same process, and no new cookie


@NEEDS_NGINX
def test_a_forged_or_unknown_cookie_is_no_cookie_and_never_an_address(behind_nginx):
    address, processes, stray = behind_nginx
    ports = [str(p.port) for p in processes]
    hexes = "0123456789abcdef" * 2
    for forged in (f"127.0.0.1:{stray.port}", f"3.{hexes}", f"0.{hexes}", f"01.{hexes}", f"1.{hexes.upper()}",
                   f"1.{hexes}x", "1.", "1", "playground_1", f"http://127.0.0.1:{stray.port}/", "localhost",
                   f"2.{hexes[:31]}"):
        status, body, set_cookie = fetch(address, forged)
        number, _ = issued(set_cookie)
        assert status == 200 and body == ports[number - 1], forged
    assert stray.requests == 0
    assert fetch(address, f"2.{hexes}") == (200, ports[1], None)   # the form nginx issues, process 2


@NEEDS_NGINX
def test_a_browser_whose_process_is_down_moves_once_then_stays(behind_nginx):
    address, processes, _ = behind_nginx
    ports = [str(p.port) for p in processes]
    cookies = {}
    for _ in range(2):
        _, body, set_cookie = fetch(address)
        cookies[body] = issued(set_cookie)[1]
    processes[0].stop()
    status, body, set_cookie = fetch(address, cookies[ports[0]])
    assert (status, body) == (200, ports[1]) and issued(set_cookie)[0] == 2, "the backup answers and pins anew"
    moved = issued(set_cookie)[1]
    assert fetch(address, moved) == (200, ports[1], None)
    assert fetch(address, cookies[ports[1]]) == (200, ports[1], None)
    for _ in range(3):   # the down process is skipped in the turn while it is marked failed
        assert fetch(address)[1] == ports[1]
    processes[1].stop()
    status, _, set_cookie = fetch(address, moved)
    assert status == 502 and set_cookie is None, "nothing answered: no cookie naming a process"


@NEEDS_NGINX
def test_the_harness_carries_the_cookie_like_a_browser(behind_nginx):
    """A student keeps the cookie of the page and of the websocket's handshake (101) and sends it with every request:
    its websocket and reconnects reach the process its page came from."""
    address, processes, _ = behind_nginx

    async def scenario():
        page_first, socket_first = Student(f"http://{address}"), Student(f"http://{address}")
        try:
            assert await asyncio.to_thread(page_first._get, f"http://{address}/") == 200
            pinned = {c.name: c.value for c in page_first.cookies}["playground_affinity"]
            await page_first._connect()
            await socket_first._connect()   # no page: nginx pins it in the handshake's answer
            kept = {c.name: c.value for c in socket_first.cookies}
            assert COOKIE.match(f"playground_affinity={kept['playground_affinity']}; Path=/; HttpOnly; SameSite=Lax")
            await socket_first.close()
            await socket_first._connect()
            assert {c.name: c.value for c in socket_first.cookies} == kept   # no new cookie: it stayed
            return pinned, kept["playground_affinity"]
        finally:
            await page_first.close()
            await socket_first.close()

    pinned, kept = asyncio.run(asyncio.wait_for(scenario(), 60))
    by_number = {1: processes[0], 2: processes[1]}
    assert wait_until(lambda: sum(p.websockets for p in processes) == 3, timeout=30)
    same = int(pinned.split(".")[0]) == int(kept.split(".")[0])
    assert by_number[int(kept.split(".")[0])].websockets == 2 + same, "both of its websockets on its process"
    assert by_number[int(pinned.split(".")[0])].websockets == 1 + 2 * same


def test_compose_runs_named_processes_behind_nginx_with_one_cache():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    apps = {name: s for name, s in compose["services"].items() if name.startswith("app")}
    nginx = compose["services"]["nginx"]
    assert len(apps) >= 2 and set(nginx["depends_on"]) == set(apps)
    processes = []
    for name, app in apps.items():
        assert app["environment"]["PLAYGROUND_JAX_CACHE"].startswith("/cache")
        assert any(v.startswith("jax-cache:") for v in app["volumes"])
        port = app["command"][app["command"].index("--server.port") + 1]
        assert f"http://127.0.0.1:{port}/_stcore/health" in " ".join(app["healthcheck"]["test"])
        processes.append(f"{name}:{port}")
    assert "jax-cache" in compose["volumes"]
    mounted = {Path(v.split(":")[0]).name for v in nginx["volumes"]}
    assert mounted == {"nginx.conf", "playground.conf", "upstream.conf", "listen.conf"}
    assert all((DEPLOY / v.split(":")[0]).exists() for v in nginx["volumes"])
    # upstream.conf is upstream_conf.py's output for exactly these services and ports.
    assert processes == list(upstream_conf.COMPOSE_PROCESSES)
    assert (DEPLOY / "nginx" / "upstream.conf").read_text() == upstream_conf.upstream_conf(processes)


def test_kubernetes_manifest_is_sticky_with_a_shared_cache():
    docs = {d["kind"]: d for d in yaml.safe_load_all((DEPLOY / "kubernetes.yaml").read_text())}
    assert set(docs) == {"PersistentVolumeClaim", "Deployment", "Service", "Ingress"}
    assert docs["PersistentVolumeClaim"]["spec"]["accessModes"] == ["ReadWriteMany"]
    pod = docs["Deployment"]["spec"]["template"]["spec"]
    env = {e["name"]: e["value"] for e in pod["containers"][0]["env"]}
    mount = pod["containers"][0]["volumeMounts"][0]
    assert env["PLAYGROUND_JAX_CACHE"].startswith(mount["mountPath"])
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == docs["PersistentVolumeClaim"]["metadata"]["name"]
    assert docs["Service"]["spec"]["sessionAffinity"] == "ClientIP"
    annotations = docs["Ingress"]["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600


def test_server_defaults_are_safe_for_students():
    import tomllib

    config = tomllib.loads((DEPLOY.parent / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"      # no tracebacks, types or messages in the page
    assert config["client"]["toolbarMode"] in ("viewer", "minimal")  # no Deploy button, no developer menu
    assert 0 < config["server"]["maxUploadSize"] <= 10 and 0 < config["server"]["maxMessageSize"] <= 100
    assert config["server"]["fileWatcherType"] == "none" and config["runner"]["postScriptGC"] is False


@NEEDS_NGINX
def test_serve_runs_a_class_behind_nginx_until_sigterm_stops_everything():
    """`local_replicas.py --serve`: one process per core behind nginx on one machine, no containers; SIGTERM (or
    Ctrl+C) stops every process it started."""
    import signal
    import subprocess

    import psutil

    port = free_port()
    process = subprocess.Popen([sys.executable, str(DEPLOY / "local_replicas.py"), "--serve", f"127.0.0.1:{port}"],
                               cwd=DEPLOY.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        def health() -> bool:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/_stcore/health")
                return connection.getresponse().status == HTTPStatus.OK
            except OSError:
                return False

        assert wait_until(health, timeout=120), "no answer through nginx"
        children = psutil.Process(process.pid).children(recursive=True)
        commands = [" ".join(child.cmdline()) for child in children]
        assert sum("streamlit" in c and "app.py" in c for c in commands) == 2, commands
        assert any("nginx" in c for c in commands), commands
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        assert not [child for child in children if child.is_running() and child.status() != psutil.STATUS_ZOMBIE]
    finally:
        if process.poll() is None:
            process.kill()
