"""nginx's upstream.conf for N playground processes: `python deploy/upstream_conf.py app1:8501 app2:8502`.

Prints (or returns, `upstream_conf`) the part of the nginx configuration that names the processes; everything else
(deploy/nginx/playground.conf) is the same for any number of them. Process K (from 1) is the K-th address:

- `upstream playground`: all of them in turn, for a browser without a valid cookie. `zone` keeps one turn for all of
  nginx's workers, so browsers alternate exactly (each worker would otherwise count on its own);
- `upstream playground_K`: process K, the others as `backup` (they answer only when K does not);
- `map $cookie_playground_affinity $playground_upstream`: the cookie values nginx issues (`K.` and the 32 hex digits
  of a request id) to `playground_K`; any other value to `playground`, so a cookie never names where to connect;
- `map $upstream_addr $playground_reached`: which process answered, as K. nginx reports the address it connected to
  (an IP address, and after a retry the list of those tried, the last one answering). A process given by host name
  (compose: `app1`) is recognised by its port, since its IP address is known only when nginx starts: such ports must
  differ. A process given by IPv4 address is recognised by address and port.

deploy/nginx/upstream.conf is this script's output for the compose file's services (tests/test_deploy.py checks it);
deploy/local_replicas.py writes its own for 127.0.0.1 ports.
"""

from __future__ import annotations

import ipaddress
import re
import sys

COMPOSE_PROCESSES = ("app1:8501", "app2:8502")   # deploy/compose.yaml's services and their ports
HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")


def parse_address(address: str) -> tuple[str, int, bool]:
    """`host:port` -> (host, port, host is an IPv4 address); ValueError with the reason otherwise."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not host:port with a port from 1 to 65535: {address!r}")
    try:
        return str(ipaddress.IPv4Address(host)), int(port), True
    except ValueError:
        pass
    if not HOST.match(host) or host.replace(".", "").isdigit():
        raise ValueError(f"not an IPv4 address or a host name: {host!r}")
    return host, int(port), False


def reached_pattern(address: str) -> str:
    """The regular expression that matches $upstream_addr when this process answered (its last entry)."""
    host, port, is_ip = parse_address(address)
    return rf"~(?:^|\s){re.escape(host)}:{port}$" if is_ip else rf"~:{port}$"


def check_distinguishable(addresses: list[str]):
    """Every process must be recognisable in $upstream_addr: distinct addresses, and a host name's port unique."""
    if not addresses:
        raise ValueError("no processes")
    parsed = [parse_address(a) for a in addresses]
    if len({(h, p) for h, p, _ in parsed}) < len(parsed):
        raise ValueError(f"an address is given twice: {' '.join(addresses)}")
    ports = [p for _, p, _ in parsed]
    for host, port, is_ip in parsed:
        if not is_ip and ports.count(port) > 1:
            raise ValueError(f"{host}:{port}: a process given by host name needs a port no other process has "
                             "(nginx reports IP addresses, so it is recognised by its port)")


def _upstream_blocks(addresses: list[str]) -> list[str]:
    lines = ["upstream playground {", "    zone playground 64k;"]
    lines += [f"    server {a};" for a in addresses] + ["}", ""]
    for k, own in enumerate(addresses, 1):
        lines += [f"upstream playground_{k} {{", f"    server {own};"]
        lines += [f"    server {a} backup;" for a in addresses if a != own] + ["}"]
    return lines


def _maps(addresses: list[str]) -> list[str]:
    lines = ["map $cookie_playground_affinity $playground_upstream {", "    default playground;"]
    lines += [f'    "~^{k}\\.[0-9a-f]{{32}}$" playground_{k};' for k in range(1, len(addresses) + 1)] + ["}", ""]
    lines += ["map $upstream_addr $playground_reached {", '    default "";']
    lines += [f'    "{reached_pattern(a)}" {k};' for k, a in enumerate(addresses, 1)] + ["}"]
    return lines


def upstream_conf(addresses: list[str]) -> str:
    """The text of upstream.conf for these processes (`host:port` each, in the order that numbers them)."""
    check_distinguishable(addresses)
    header = [f"# Written by deploy/upstream_conf.py for: {' '.join(addresses)}",
              "# (run it again with the new list to add or remove a process; playground.conf explains the scheme).",
              "# Process K is the K-th address. A browser without a valid cookie goes to the next process in turn",
              "# (`zone`: one turn for all of nginx's workers); the cookie `K.<request id>` pins it to process K, and",
              "# if K does not answer, another one does (backup) and the response pins the browser to that one.",
              ""]
    return "\n".join(header + _upstream_blocks(addresses) + [""] + _maps(addresses)) + "\n"


def main(argv=None) -> int:
    addresses = list(sys.argv[1:] if argv is None else argv) or list(COMPOSE_PROCESSES)
    try:
        text = upstream_conf(addresses)
    except ValueError as err:
        print(f"upstream_conf: {err}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
