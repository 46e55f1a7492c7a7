"""``casplan whatif``: serve the what-if panel as a page — no code, Chinese words, the report's own inputs.

Voilà runs the packaged notebook ``casplan/whatif/app/whatif.ipynb`` (one cell:
:meth:`casplan.whatif.WhatIfPanel.served`) with the template ``casplan`` (Chinese loading text, errors
and the lost-kernel notice; nothing from a CDN), on 127.0.0.1 with a token. The parameters file is the
one ``casplan report --params`` reads; the kernel gets it through the environment. Voilà's own log
stays off the terminal (the last lines are shown if it fails); Ctrl-C stops it and its kernel cleanly.
"""

from __future__ import annotations

import argparse
import collections
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from casplan.errors import InputError

__all__ = ["add_parser", "run", "APP", "voila_command"]

APP = Path(__file__).resolve().parents[1] / "whatif" / "app"  # package data: the notebook and the template
HELP = "情景推演：在浏览器中调整名额、权重、经费与规则（与正式报告相同的输入）"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("whatif", help=HELP,
                              description="在本机启动情景推演页面（不显示代码），读取与 casplan report --params "
                                          "相同的参数文件；终端显示要打开的地址，按 Ctrl-C 停止。")
    p.add_argument("--params", required=True, metavar="文件",
                   help="参数文件（YAML：plans、history、roster、policy、overrides、reviews、scenario，与正式报告相同）")
    p.add_argument("--scenario", metavar="文件", help="打开时载入的情景文件（不给则用参数文件中的 scenario，或基线）")
    p.add_argument("--out", default="reports", metavar="目录", help="按情景生成的报告写入的根目录（缺省 reports/）")
    p.add_argument("--port", type=int, default=8866, metavar="端口", help="端口（缺省 8866；被占用时自动另选；0 为任选）")
    p.add_argument("--token", metavar="口令", help="访问口令（缺省每次随机生成）")
    p.set_defaults(run=run)


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _any_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def voila_command(port: int, token: str) -> list[str]:
    """The Voilà command line: local only, with a token, the casplan template, no tracebacks, no browser."""
    return [sys.executable, "-m", "voila", str(APP / "whatif.ipynb"), "--no-browser", f"--port={port}",
            "--Voila.ip=127.0.0.1", f"--token={token}", "--template=casplan", "--theme=light",
            "--VoilaConfiguration.show_tracebacks=False", "--Voila.port_retries=0",
            # one kernel runs the notebook as soon as the server starts (the page is ready when opened);
            # the next one is started only a while after the first is taken, not during the first moves
            "--preheat_kernel=True", "--pool_size=1", "--VoilaKernelManager.fill_delay=30"]


def run(args: argparse.Namespace) -> int:
    from casplan.whatif import ENV_CWD, ENV_PARAMS, ENV_REPORTS, ENV_SCENARIO

    params = Path(args.params)
    if not params.is_file():
        raise InputError(f"找不到参数文件 {args.params}", file=str(args.params))
    if args.scenario and not Path(args.scenario).is_file():
        raise InputError(f"找不到情景文件 {args.scenario}", file=str(args.scenario))
    port = args.port if args.port and _free(args.port) else _any_port()  # 0: any free port
    token = args.token or secrets.token_urlsafe(18)
    env = {**os.environ, ENV_PARAMS: str(params.resolve()), ENV_CWD: os.getcwd(), ENV_REPORTS: args.out,
           ENV_SCENARIO: str(Path(args.scenario).resolve()) if args.scenario else "",
           "JUPYTER_PATH": os.pathsep.join([str(APP), *filter(None, [os.environ.get("JUPYTER_PATH")])])}
    started = time.monotonic()
    tail: collections.deque[str] = collections.deque(maxlen=30)
    proc = subprocess.Popen(voila_command(port, token), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True,  # Ctrl-C reaches this process only; it stops Voilà itself
                            preexec_fn=_die_with_parent)
    try:  # while Voilà starts: a wrong key or type in the parameters file is one Chinese line here
        from casplan.pipeline import read_params

        read_params(params)
    except BaseException:
        _stop(proc)
        proc.stdout.close()
        raise

    def drain() -> None:
        for raw in proc.stdout:
            tail.append(raw.decode("utf-8", errors="replace").rstrip())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()

    def stopped(signum, frame):  # a service manager's SIGTERM, a closed terminal's SIGHUP: as Ctrl-C
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stopped)
    try:
        while not _listening(port):
            if proc.poll() is not None:
                print("情景推演未能启动：" + " | ".join(list(tail)[-5:]), file=sys.stderr)
                return 1
            if time.monotonic() - started > 60:
                _stop(proc)
                print("情景推演在 60 秒内未能启动", file=sys.stderr)
                return 1
            time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/?token={token}"
        moved = "" if port == args.port or not args.port else f"（端口 {args.port} 已被占用，改用 {port}）"
        print(f"情景推演已启动{moved}，请在浏览器中打开：\n\n    {url}\n\n"
              f"参数文件：{params}；按情景生成的报告写入 {args.out}/。按 Ctrl-C 停止。", flush=True)
        while proc.poll() is None:
            time.sleep(0.3)
        print("情景推演服务意外退出：" + " | ".join(list(tail)[-5:]), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        _stop(proc)
        print("\n情景推演已停止", flush=True)
        return 0
    finally:
        if proc.poll() is None:
            _stop(proc)
        reader.join(timeout=5)
        proc.stdout.close()


def _die_with_parent() -> None:
    """In the child, before Voilà starts: SIGTERM when this process dies, however it dies (Linux), so that no
    server is left behind even if this process is killed outright."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to Voilà's process group (it shuts its kernels down), SIGKILL if it lingers."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass
