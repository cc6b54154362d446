"""The deploy/ configuration: nginx accepts the project's own files (`nginx -t`), the routing report reads nginx's
log, and the compose file and Kubernetes manifest keep sessions sticky, websockets open and one compilation cache."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml
from browser_utils import free_port

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
sys.path.insert(0, str(DEPLOY))
import local_replicas  # noqa: E402


@pytest.mark.skipif(not shutil.which(local_replicas.NGINX), reason="nginx is not installed (apt-get install nginx)")
def test_nginx_accepts_the_project_configuration(tmp_path):
    conf = local_replicas.nginx_conf_dir(tmp_path, free_port(), [free_port(), free_port()])
    assert (conf.parent / "playground.conf").read_text() == (DEPLOY / "nginx" / "playground.conf").read_text()
    upstream = (conf.parent / "upstream.conf").read_text()
    assert "hash $playground_affinity consistent;" in upstream and upstream.count("server 127.0.0.1:") == 2
    result = local_replicas.nginx_test(conf)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_routing_report_reads_nginx_log():
    log = "\n".join([
        '127.0.0.1 [x] "GET /?dataset=spiral HTTP/1.1" 200 5 affinity=a upstream=127.0.0.1:1',
        '127.0.0.1 [x] "GET /_stcore/stream HTTP/1.1" 101 9 affinity=a upstream=127.0.0.1:1',
        '127.0.0.1 [x] "GET /_stcore/stream HTTP/1.1" 101 9 affinity=b upstream=127.0.0.1:2',
        '127.0.0.1 [x] "GET /media/x.png HTTP/1.1" 200 9 affinity=b upstream=127.0.0.1:1',
        '127.0.0.1 [x] "GET /_stcore/health HTTP/1.1" 200 2 affinity=c upstream=127.0.0.1:2',
    ])
    assert local_replicas.routing(log) == {"websockets_per_process": {"127.0.0.1:1": 1, "127.0.0.1:2": 1},
                                           "browsers": 2, "browsers_on_two_processes": 1}


def test_compose_runs_replicas_behind_nginx_with_one_cache():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    app, nginx = compose["services"]["app"], compose["services"]["nginx"]
    assert app["deploy"]["replicas"] >= 2
    assert app["environment"]["PLAYGROUND_JAX_CACHE"].startswith("/cache")
    assert any(v.startswith("jax-cache:") for v in app["volumes"]) and "jax-cache" in compose["volumes"]
    mounted = {Path(v.split(":")[0]).name for v in nginx["volumes"]}
    assert mounted == {"nginx.conf", "playground.conf", "upstream.conf", "listen.conf"}
    assert all((DEPLOY / v.split(":")[0]).exists() for v in nginx["volumes"])
    assert "server app:8501;" in (DEPLOY / "nginx" / "upstream.conf").read_text()


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
