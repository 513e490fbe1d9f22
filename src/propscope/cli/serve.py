"""``propscope serve``: the web page and JSON API on one loaded model."""

from __future__ import annotations

import ipaddress

import typer

from propscope.cli._common import MODEL_OPTION
from propscope.inputs import DEFAULT_FETCH_TIMEOUT, DEFAULT_MAX_CHARS


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_cli(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", "-p", min=1, max=65535, help="Port to listen on."),
    model: str = MODEL_OPTION,
    allow_private_urls: bool = typer.Option(
        False,
        "--allow-private-urls",
        help="Also fetch URLs on private, loopback and link-local addresses (off: refused).",
    ),
    max_chars: int = typer.Option(
        DEFAULT_MAX_CHARS, "--max-chars", min=1, help="Refuse longer articles."
    ),
    max_body_bytes: int = typer.Option(
        4_000_000, "--max-body-bytes", min=1, help="Refuse larger request bodies."
    ),
    fetch_timeout: float = typer.Option(
        DEFAULT_FETCH_TIMEOUT,
        "--fetch-timeout",
        min=0.1,
        help="Seconds a URL fetch may take in all (redirects and page included).",
    ),
    analysis_timeout: float = typer.Option(
        60.0,
        "--analysis-timeout",
        min=0.1,
        help="Seconds one analysis may run before it is stopped (answer 503).",
    ),
    max_queue: int = typer.Option(
        8, "--max-queue", min=0, help="Analyses that may wait; more are refused with 503."
    ),
    allowed_hosts: list[str] = typer.Option(
        [],
        "--allowed-host",
        help="Also answer requests for this host name (repeatable; '*' for any). By default "
        "only localhost, 127.0.0.1, ::1 and the --host address are answered.",
    ),
) -> None:
    """Serve the page (http://HOST:PORT/) and the JSON API (/api/analyze, see docs/api.md)."""
    from propscope.models.runtime import thread_count, use_threads
    from propscope.server import ServerSettings, serve
    from propscope.server.settings import LOOPBACK_HOSTS

    hosts = list(dict.fromkeys([*LOOPBACK_HOSTS, *allowed_hosts]))
    if host not in ("0.0.0.0", "::", "", *hosts):
        hosts.append(host)  # the address it listens on is a name clients may use
    settings = ServerSettings(
        max_body_bytes=max_body_bytes,
        max_chars=max_chars,
        fetch_timeout=fetch_timeout,
        allow_private_urls=allow_private_urls,
        analysis_timeout=analysis_timeout,
        max_queue=max_queue,
        allowed_hosts=tuple(hosts),
    )
    # Analyses run side by side in worker threads: share the cores out so that they do not
    # oversubscribe them (each torch call uses its thread's OpenMP team).
    use_threads(thread_count(share=settings.max_concurrent_analyses))
    if not _is_loopback(host):
        typer.echo(
            f"propscope: note: listening on {host}, reachable from other machines; the API has "
            "no authentication. Requests are answered only for the Host names "
            f"{', '.join(settings.allowed_hosts)} (add others with --allowed-host).",
            err=True,
        )
    check_port_free(host, port)  # before the models load, not after
    typer.echo(f"propscope: loading model {model} and serving on http://{host}:{port}/", err=True)
    serve(model, host=host, port=port, settings=settings)


def check_port_free(host: str, port: int) -> None:
    """Raise E069 if ``host:port`` cannot be listened on (taken, or not an address here)."""
    import socket

    from propscope.errors import ConfigError, Errors

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigError(
                Errors.E069.format(host=host, port=port, reason=exc.strerror or exc)
            ) from exc
