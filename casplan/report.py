"""The official selection report: papermill → offline HTML, PDF, the xlsx lists, a manifest, a diff.

``casplan report`` renders ``notebooks/selection_report.ipynb`` into a fresh
folder ``reports/<year>/<run>/`` built under a temporary name and renamed into
place only when every file succeeded; ``reports/<year>/latest`` then moves to it
(an atomic symlink swap). A failed run exits non-zero with one Chinese line and
leaves the last good report and ``latest`` untouched.

:func:`build` is the pure part the notebook calls: it runs the whole chain
(or a saved scenario of the what-if) and gathers what the report shows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import polars as pl

from casplan.errors import CasplanError, ReportError
from casplan.pipeline import Inputs, Year, robustness_of, run_year
from casplan.scoring import Scores
from casplan.select import Selection, SelectOptions

__all__ = ["ReportData", "build", "package_versions", "workbook_sheets", "selection_record", "write_artifacts", "render_report",
           "PARAMETERS", "add_parser", "run"]

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "selection_report.ipynb"
WORKBOOK = "遴选名单.xlsx"
# The notebook's parameters and their types (the parameters cell holds the same typed literals).
PARAMETERS: dict[str, type] = {
    "year": int, "plans": str, "history": str, "roster": str, "policy": str, "overrides": str, "reviews": str,
    "scenario": str, "output_dir": str, "previous_selection": str, "robustness_draws": int,
    "include_contacts": bool,
}
_INPUT_KEYS = ("plans", "history", "roster", "policy", "overrides", "reviews", "scenario")
_CONTACTS = ("contact", "contact_phone", "contact_email")


@dataclass(frozen=True)
class ReportData:
    """What the report shows: the year's chain, the selection actually reported, robustness."""

    year: Year
    scenario_name: str
    scores: Scores
    candidates: pl.DataFrame
    options: SelectOptions
    selection: Selection
    robustness: pl.DataFrame | None = None
    notes: tuple[str, ...] = field(default=())


def _paths(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def build(*, plans: str, history: str = "", roster: str = "", policy: str = "", overrides: str = "",
          reviews: str = "", scenario: str = "", robustness_draws: int = 500) -> ReportData:
    """Run the chain for the report (paths as the notebook's parameters: ``;`` separates several plans)."""
    inputs = Inputs.of(_paths(plans), history=history or None, roster=roster or None, policy=policy or None,
                       overrides=overrides or None, reviews=reviews or None)
    year = run_year(inputs)
    if year.loaded.errors:
        raise year.loaded.errors[0]
    name, scores, cands, options, selection = "政策文件（基线）", year.scores, year.candidates, year.options, year.selection
    weights = None
    if scenario:
        from casplan.whatif import Scenario, WhatIf

        whatif = WhatIf(year)
        outcome = whatif.evaluate(Scenario.load(scenario, policy=year.loaded.policy))
        name, scores, cands, options, selection = (f"情景「{outcome.scenario.name}」", outcome.scores,
                                                   outcome.candidates, outcome.options, outcome.selection)
        weights = outcome.scenario.weights
    robust = None
    if robustness_draws > 0 and selection.ok:
        from casplan.pipeline import Year as _Year

        view = _Year(loaded=year.loaded, eligibility=year.eligibility, matches=year.matches, scores=scores,
                     candidates=cands, options=options, selection=selection)
        robust = robustness_of(view, n=robustness_draws, weights=weights)
    return ReportData(year=year, scenario_name=name, scores=scores, candidates=cands, options=options,
                      selection=selection, robustness=robust)


def selection_record(data: ReportData) -> dict:
    """The selection as plain, sorted data (compared between runs; identical for identical inputs)."""
    sel = data.selection
    chosen = sel.chosen.sort("track", "id")
    return {
        "status": sel.status, "objective": sel.objective, "budget_spent": sel.budget_spent,
        "scenario": data.scenario_name,
        "selected": [{"id": r["id"], "track": r["track"], "name": r["name"], "score": r["score"], "cost": r["cost"]}
                     for r in chosen.iter_rows(named=True)],
    }


def workbook_sheets(data: ReportData, *, include_contacts: bool = False) -> dict[str, pl.DataFrame]:
    """The xlsx for the 盖章 and 公示 lists: summary, one sheet per track, ineligible, set aside, units."""
    from casplan.tables import (ineligible_table, report_summary, set_aside_table, track_list, units_table)

    year = data.year
    policy = year.loaded.policy
    sheets: dict[str, pl.DataFrame] = {"汇总": report_summary(data)}
    apps = year.eligibility.applications
    contacts = apps.select("app_id", *(c for c in _CONTACTS if c in apps.columns)) if include_contacts else None
    for t in policy.tracks:
        frame = track_list(data, t.id)
        if contacts is not None:
            frame = frame.join(contacts.rename({"app_id": "申报编号", "contact": "联系人", "contact_phone": "联系人电话",
                                                "contact_email": "联系人Email"}), on="申报编号", how="left")
        sheets[t.name] = frame
    sheets["不具备资格"] = ineligible_table(year.eligibility.summary, policy.track_names)
    sheets["接收时搁置的行"] = set_aside_table(year.loaded.plans.set_aside)
    units = year.eligibility.units
    sheets["未报送单位"] = units_table(units.filter(~pl.col("submitted")))
    sheets["单位情况"] = units_table(units.filter(pl.col("notes") != ""))
    return sheets


def write_artifacts(data: ReportData, out_dir: str | os.PathLike, *, include_contacts: bool = False) -> list[Path]:
    """Write the xlsx and ``selection.json`` into ``out_dir`` (each atomically)."""
    from casplan.io import write_text_atomic, write_workbook

    out = Path(out_dir)
    written = [write_workbook(workbook_sheets(data, include_contacts=include_contacts), out / WORKBOOK,
                              number_formats={"得分": "0.00", "经费(万元)": "0.0", "入选线": "0.00"})]
    record = json.dumps(selection_record(data), ensure_ascii=False, indent=2, sort_keys=True)
    written.append(write_text_atomic(out / "selection.json", record + "\n"))
    return written


# --- rendering ---------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        digest.update(str(f.relative_to(path) if path.is_dir() else f.name).encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()


_PACKAGES = ("casplan", "polars", "pandas", "pandera", "scipy", "plotly", "papermill", "nbconvert", "fastexcel",
             "xlsxwriter", "ipywidgets")


def package_versions(packages: tuple[str, ...] = _PACKAGES) -> dict[str, str]:
    """Python's and the named packages' versions (for the manifest and the benchmarks)."""
    out = {"python": sys.version.split()[0]}
    for pkg in packages:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "未安装"
    return out


def _fingerprint(params: dict) -> tuple[str, dict[str, str]]:
    """A hash of every input file, the policy and the parameters that change the result."""
    from casplan.policy import default_policy_path, load_policy

    hashes: dict[str, str] = {}
    for key in _INPUT_KEYS:
        for raw in _paths(str(params.get(key) or "")):
            p = Path(raw)
            if not p.exists():
                raise ReportError(f"找不到输入文件 {p}（参数 {key}）")
            hashes[f"{key}:{p}"] = _sha256(p)
    policy_path = Path(params["policy"]) if params.get("policy") else default_policy_path(int(params["year"]))
    hashes[f"policy:{policy_path}"] = _sha256(policy_path)
    vocab = load_policy(policy_path).directions_path()
    hashes[f"directions:{vocab}"] = _sha256(vocab)
    digest = hashlib.sha256(json.dumps(
        {"files": hashes, "params": {k: params[k] for k in sorted(params) if k not in ("output_dir",
                                                                                      "previous_selection")}},
        sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest(), hashes


def _pdf(html: Path, pdf: Path, *, timeout: int = 120) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise ReportError("生成 PDF 需要 Chromium（Debian 软件包 chromium），请先运行 make report 安装")
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer",
           "--run-all-compositor-stages-before-draw", "--virtual-time-budget=15000",
           f"--user-data-dir={pdf.parent / '.chromium'}", f"--print-to-pdf={pdf}", html.resolve().as_uri()]
    try:
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ReportError(f"Chromium 生成 PDF 超过 {timeout} 秒未完成") from None
    except subprocess.CalledProcessError as exc:
        raise ReportError(f"Chromium 生成 PDF 失败：{exc.stderr.decode(errors='replace')[-300:]}") from None
    finally:
        shutil.rmtree(pdf.parent / ".chromium", ignore_errors=True)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise ReportError("Chromium 没有生成 PDF")


def _diff(previous: Path | None, current: Path) -> dict:
    now = json.loads(current.read_text(encoding="utf-8"))
    if previous is None or not previous.exists():
        return {"previous": None, "entered": [], "left": [], "moved": []}
    before = json.loads(previous.read_text(encoding="utf-8"))
    old = {s["id"]: s for s in before["selected"]}
    new = {s["id"]: s for s in now["selected"]}
    return {
        "previous": str(previous.parent.name),
        "entered": [new[i] for i in sorted(set(new) - set(old))],
        "left": [old[i] for i in sorted(set(old) - set(new))],
        "moved": [{"id": i, "from": old[i]["track"], "to": new[i]["track"]}
                  for i in sorted(set(old) & set(new)) if old[i]["track"] != new[i]["track"]],
    }


def _sweep(year_dir: Path) -> None:
    """Remove what a killed run left behind (``.tmp-<run>-<pid>`` folders whose process is gone)."""
    for leftover in year_dir.glob(".tmp-*-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(leftover, ignore_errors=True)
    for link in year_dir.glob(".latest-*"):
        pid = link.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            link.unlink(missing_ok=True)


def _swap_latest(year_dir: Path, run_name: str) -> None:
    tmp = year_dir / f".latest-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(run_name, tmp)
    os.replace(tmp, year_dir / "latest")


def render_report(params: dict, *, out_root: str | os.PathLike = "reports", if_changed: bool = False,
                  timeout: int = 600, progress: bool = True, notebook: Path = NOTEBOOK) -> Path | None:
    """Render the report into ``out_root/<year>/<run>/``; return the run folder (None when unchanged)."""
    from casplan.render import html_from_notebook

    started = time.perf_counter()
    params = {k: params[k] for k in PARAMETERS if k in params}
    for key in ("plans", "history", "roster", "policy", "overrides", "reviews", "scenario"):
        if params.get(key):
            params[key] = ";".join(str(Path(p).resolve()) for p in _paths(str(params[key])))
    fingerprint, hashes = _fingerprint(params)
    year_dir = Path(out_root) / str(params["year"])
    latest = year_dir / "latest"
    if if_changed and latest.exists():
        try:
            last = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            last = {}
        if last.get("fingerprint") == fingerprint:
            print(f"输入文件、政策与参数自上次生成（{latest.resolve().name}）以来没有变化，未重新生成")
            return None
    year_dir.mkdir(parents=True, exist_ok=True)
    _sweep(year_dir)
    run_name = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    while (year_dir / run_name).exists():
        run_name += "x"
    tmp = year_dir / f".tmp-{run_name}-{os.getpid()}"
    tmp.mkdir()
    timings: dict[str, float] = {}
    try:
        previous = (latest / "selection.json") if latest.exists() else None
        nb_params = {**params, "output_dir": str(tmp.resolve()),
                     "previous_selection": str(previous.resolve()) if previous else ""}
        import papermill as pm

        t = time.perf_counter()
        try:
            pm.execute_notebook(str(notebook), str(tmp / "report.ipynb"), parameters=nb_params,
                                cwd=str(notebook.parent), execution_timeout=timeout, progress_bar=progress,
                                kernel_name="python3")
        except pm.PapermillExecutionError as exc:
            raise ReportError(f"报告笔记本第 {exc.exec_count} 个单元出错：{exc.ename}: {exc.evalue}") from None
        except Exception as exc:  # kernel died, cell timeout, kernel missing …
            raise ReportError(f"报告笔记本未能运行完（{type(exc).__name__}: {exc}）") from None
        timings["papermill_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        html = tmp / "report.html"
        html.write_text(html_from_notebook(tmp / "report.ipynb", title=f"{params['year']}年度院级资助项目遴选报告"),
                        encoding="utf-8")
        timings["html_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        _pdf(html, tmp / "report.pdf")
        timings["pdf_s"] = round(time.perf_counter() - t, 2)
        for needed in (WORKBOOK, "selection.json"):
            if not (tmp / needed).exists():
                raise ReportError(f"报告笔记本没有写出 {needed}")
        diff = _diff(previous.resolve() if previous else None, tmp / "selection.json")
        (tmp / "diff.json").write_text(json.dumps(diff, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
        record = json.loads((tmp / "selection.json").read_text(encoding="utf-8"))
        timings["total_s"] = round(time.perf_counter() - started, 2)
        manifest = {
            "run": run_name, "created": dt.datetime.now().isoformat(timespec="seconds"), "fingerprint": fingerprint,
            "inputs": hashes, "parameters": {k: v for k, v in params.items()},
            "versions": package_versions(), "solver": {"status": record["status"], "objective": record["objective"]},
            "timings": timings, "files": sorted(p.name for p in tmp.iterdir() if not p.name.startswith(".")),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        os.rename(tmp, year_dir / run_name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _swap_latest(year_dir, run_name)
    if progress:
        print(f"已生成 {year_dir / run_name}（{timings['total_s']:.1f} 秒）；latest 已指向该次结果")
    return year_dir / run_name


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("report", help="生成正式遴选报告（HTML、PDF、xlsx 名单、清单文件）")
    p.add_argument("--params", help="参数文件（YAML，键同报告笔记本的参数）")
    p.add_argument("--plans", nargs="+", help="培训计划导出文件或文件夹")
    for key, label in (("history", "往年项目"), ("roster", "单位名册"), ("policy", "政策文件"),
                       ("overrides", "人工决定"), ("reviews", "专家评审"), ("scenario", "情景文件")):
        p.add_argument(f"--{key}", help=label)
    p.add_argument("--year", type=int, help="计划年度（缺省取政策文件的年度）")
    p.add_argument("--robustness-draws", type=int, help="稳健性分析的扰动次数（缺省 500）")
    p.add_argument("--include-contacts", action="store_true", help="在 xlsx 名单中包含联系人信息（仅供内部使用）")
    p.add_argument("--out", default="reports", help="输出根目录（缺省 reports/）")
    p.add_argument("--if-changed", action="store_true", help="输入与政策未变化时不重新生成")
    p.add_argument("--timeout", type=int, default=600, help="每个单元的执行时限（秒）")
    p.set_defaults(run=run)


def _params_from_args(args: argparse.Namespace) -> dict:
    params: dict = {}
    if args.params:
        from casplan.io import read_yaml

        raw = read_yaml(args.params)
        if not isinstance(raw, dict):
            raise ReportError(f"参数文件 {args.params} 应为键值表")
        unknown = sorted(set(raw) - set(PARAMETERS))
        if unknown:
            raise ReportError(f"参数文件 {args.params} 有未知的键「{'、'.join(unknown)}」（可用：{'、'.join(PARAMETERS)}）")
        base = Path(args.params).resolve().parent
        for k, v in raw.items():
            if k in _INPUT_KEYS and isinstance(v, (list, tuple)):
                v = ";".join(map(str, v))
            if k in _INPUT_KEYS and v:
                v = ";".join(str((base / p) if not Path(p).is_absolute() else Path(p)) for p in _paths(str(v)))
            params[k] = v
    if args.plans:
        params["plans"] = ";".join(args.plans)
    for key in ("history", "roster", "policy", "overrides", "reviews", "scenario"):
        if getattr(args, key):
            params[key] = getattr(args, key)
    if args.robustness_draws is not None:
        params["robustness_draws"] = args.robustness_draws
    if args.include_contacts:
        params["include_contacts"] = True
    if not params.get("plans"):
        raise ReportError("请用 --plans 或参数文件给出培训计划导出文件")
    if args.year is not None:
        params["year"] = args.year
    from casplan.policy import default_policy_path, load_policy

    if not params.get("policy"):
        wanted = int(params.get("year", 2023))
        path = default_policy_path(wanted)
        if not path.exists():
            raise ReportError(f"没有 {wanted} 年度的内置政策文件，请用 --policy 指定当年的政策文件")
        params["policy"] = str(path)
    policy_year = load_policy(params["policy"]).year
    params.setdefault("year", policy_year)
    if int(params["year"]) != policy_year:
        raise ReportError(f"参数年度 {params['year']} 与政策文件的年度 {policy_year} 不一致")
    for key, kind in PARAMETERS.items():
        if key in params and kind is not str and not isinstance(params[key], kind):
            raise ReportError(f"参数「{key}」为「{params[key]}」，应为{'整数' if kind is int else '是/否（true/false）'}")
    return params


def run(args: argparse.Namespace) -> int:
    try:
        params = _params_from_args(args)
        render_report(params, out_root=args.out, if_changed=args.if_changed, timeout=args.timeout)
    except CasplanError as exc:
        print(f"报告生成失败：{exc}；上一次的成功报告保持不变", file=sys.stderr)
        return exc.exit_code
    return 0
