"""``sim explore``: start the scenario explorer on this machine and print its address.

Runs ``solara run sim.app.app --production`` as a child process with
telemetry off, Solara's front-end files served from the local cache
(``.cache/solara-cdn``, filled by ``scripts/fetch-solara-assets.sh``), so the
page works with no internet, and stops it cleanly on Ctrl-C (or SIGTERM). The explorer's model is imported
when the command runs (:mod:`sim.cli`).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from sim import arguments
from sim.errors import ScenarioError

APP_MODULE = "sim.app.app"
DEFAULT_PORT = 8765
READY_TIMEOUT_S = 90.0
ASSETS_ENV = "SIM_SOLARA_ASSETS"
"""Environment variable that may point at another folder of Solara front-end files."""


def repo_root() -> Path:
    """The project's folder (where .cache/solara-cdn lives)."""
    return Path(__file__).resolve().parents[2]


def assets_dir() -> Path:
    """Folder of Solara's front-end files served locally instead of from a CDN."""
    return Path(os.environ.get(ASSETS_ENV) or repo_root() / ".cache" / "solara-cdn").resolve()


def server_env(scenario: str, lang: str) -> dict[str, str]:
    """Environment of the Solara server: telemetry and banner off, local front-end files, headless matplotlib, the scenario and language."""
    from sim.app.model import ENV_LANG, ENV_SCENARIO

    env = dict(os.environ)
    env.update({
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_SHOW_BANNER": "False",  # "This website runs on Solara": English on a Chinese page
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(assets_dir()),
        "MPLBACKEND": "Agg",
        ENV_SCENARIO: scenario,
        ENV_LANG: lang,
    })
    # Solara warns on every page load that a local http server cannot set samesite=none cookies.
    quiet = "ignore:Cookies with samesite=none:UserWarning"
    env["PYTHONWARNINGS"] = f"{env['PYTHONWARNINGS']},{quiet}" if env.get("PYTHONWARNINGS") else quiet
    return env


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line of the explorer."""
    solara = Path(sys.executable).with_name("solara")
    head = [str(solara)] if solara.is_file() else [sys.executable, "-m", "solara"]
    return [*head, "run", APP_MODULE, "--host", host, "--port", str(port), "--production", "--no-open",
            "--no-check-version"]


def port_free(host: str, port: int) -> bool:
    """Whether ``port`` can be bound on ``host``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = READY_TIMEOUT_S) -> bool:
    """Poll ``url`` until the server answers 200; False if the server exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    return False


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop the server: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _terminate(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    raise KeyboardInterrupt


def explore(scenario: str | None, host: str = "127.0.0.1", port: int = DEFAULT_PORT, lang: str = "zh") -> int:
    """Start the explorer for ``scenario`` (default: scenarios/baseline.toml, else the defaults) and serve until stopped."""
    from sim.app.model import load_spec, resolve_scenario

    path = resolve_scenario(scenario)
    spec = load_spec(path)  # a bad file stops here with its one-line ScenarioError
    if not port_free(host, port):
        hint = f" (try --port {port + 1})" if port < 65535 else ""
        raise ScenarioError(f"--port: expected a free port on {host}, found {port} in use{hint}")
    assets = assets_dir()
    if not assets.is_dir():
        print(f"warning: {assets}: Solara's front-end files are missing, the page needs the internet "
              "(run: bash scripts/fetch-solara-assets.sh .cache/solara-cdn)", file=sys.stderr)
    url = f"http://{host}:{port}"
    proc = subprocess.Popen(server_command(host, port), env=server_env(path, lang), cwd=os.getcwd(),
                            stdout=sys.stderr, stderr=sys.stderr)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        print(f"starting the scenario explorer for '{spec.label(lang)}' ...", file=sys.stderr, flush=True)
        if not wait_ready(url, proc):
            code = proc.poll()
            print(f"error: the explorer did not start (solara exited with {code})" if code is not None
                  else f"error: the explorer did not answer at {url} within {READY_TIMEOUT_S:.0f} s", file=sys.stderr)
            return 1
        print(url, flush=True)
        print("open the address above in a browser; Ctrl-C stops the explorer", file=sys.stderr, flush=True)
        return proc.wait() or 0
    except KeyboardInterrupt:
        print("stopping the explorer", file=sys.stderr, flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop(proc)


def _cmd_explore(args: argparse.Namespace) -> int:
    return explore(args.scenario, host=args.host, port=args.port, lang=args.lang)


def register(subparsers) -> None:
    """Add ``sim explore`` to the command line."""
    p = subparsers.add_parser("explore", help="explore a scenario live in the browser (local web page)")
    p.add_argument("scenario", nargs="?", help="scenario TOML file (default scenarios/baseline.toml, else parameter defaults)")
    p.add_argument("--port", type=arguments.port, default=DEFAULT_PORT, help=f"port to serve on, 1 to 65535 (default {DEFAULT_PORT})")
    p.add_argument("--host", type=arguments.host, default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="default language of the page (default zh)")
    p.set_defaults(func=_cmd_explore)
