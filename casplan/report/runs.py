"""The official selection report: papermill → offline HTML, PDF, the xlsx lists, a manifest, a diff.

``casplan report`` renders the package's ``report/selection_report.ipynb`` into a fresh
folder ``reports/<year>/<run>/`` built under a temporary name and renamed into
place only when every file succeeded; ``reports/<year>/latest`` then moves to it
(an atomic symlink swap). A failed run exits non-zero with one Chinese line and
leaves the last good report and ``latest`` untouched.

:func:`build` is the pure part the notebook calls: it runs the whole chain
(or a saved scenario of the what-if) and gathers what the report shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import polars as pl

from casplan.errors import CasplanError, InputError, ReportError, UnreadableFileError
from casplan.io import read_json, write_text_atomic
from casplan.pipeline import PARAMS_INPUT_KEYS, HasShortlist, Inputs, Shortlist, Year, robustness_of, run_year

__all__ = ["WORKBOOK", "NOTEBOOK", "STATUS_MARKS", "PRINT_QUEUE", "NEXT_HISTORY", "report_day", "ReportData", "build", "package_versions", "workbook_sheets", "selection_record", "write_artifacts",
           "write_sources", "settle_params", "render_report",
           "PARAMETERS"]

NOTEBOOK = Path(__file__).resolve().parent / "selection_report.ipynb"  # package data, never outside the package
WORKBOOK = "遴选名单.xlsx"
# The notebook's parameters and their types (the parameters cell holds the same typed literals).
PARAMETERS: dict[str, type] = {
    "year": int, "plans": str, "history": str, "roster": str, "policy": str, "policy_note": str, "overrides": str,
    "reviews": str, "scenario": str, "output_dir": str, "previous_selection": str, "robustness_draws": int,
    "include_contacts": bool, "status_mark": str, "report_date": str, "run_id": str,
}
STATUS_MARKS = ("征求意见稿", "送审稿", "")  # the committee report's mark; "" = none (the signed version)

_CONTACTS = ("contact", "contact_phone", "contact_email")


@dataclass(frozen=True)
class ReportData(HasShortlist):
    """What the report shows: the year's chain, the shortlist actually reported (the baseline's or a
    scenario's), robustness."""

    year: Year
    scenario_name: str
    shortlist: Shortlist
    robustness: pl.DataFrame | None = None
    notes: tuple[str, ...] = field(default=())
    sources: tuple = field(default=())


def _paths(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def build(*, plans: str, history: str = "", roster: str = "", policy: str = "", overrides: str = "",
          reviews: str = "", scenario: str = "", robustness_draws: int = 500, year: int = 0,
          policy_note: str = "") -> ReportData:
    """Run the chain for the report (paths as the notebook's parameters: ``;`` separates several plans).

    Exactly the files named are read; an empty parameter is an input that was not given, and the
    report says so (``notes``). ``sources`` lists every file read, with the SHA-256 of its bytes.
    """
    if not _paths(plans):
        raise ReportError("请给出培训计划导出文件（参数 plans）")
    inputs = Inputs.of(_paths(plans), history=history or None, roster=roster or None, policy=policy or None,
                       overrides=overrides or None, reviews=reviews or None, year=year or None)
    year_ = run_year(inputs)
    if year_.loaded.errors:
        raise year_.loaded.errors[0]
    name, shortlist = "政策文件（基线）", year_.shortlist
    weights = None
    sources = list(year_.loaded.sources)
    if scenario:
        from casplan.whatif import Scenario, WhatIf

        whatif = WhatIf(year_)
        chosen, scenario_source = Scenario.load_source(scenario, policy=year_.loaded.policy)
        sources.append(scenario_source)
        outcome = whatif.evaluate(chosen)
        name, shortlist = f"情景「{outcome.scenario.name}」", outcome.shortlist
        weights = outcome.scenario.weights
    robust = None
    if robustness_draws > 0 and shortlist.selection.ok:
        robust = robustness_of(year_, shortlist=shortlist, n=robustness_draws, weights=weights)
    notes = ([policy_note] if policy_note else []) + list(year_.loaded.notes)
    return ReportData(year=year_, scenario_name=name, shortlist=shortlist, robustness=robust, notes=tuple(notes),
                      sources=tuple(sources))


def selection_record(data: ReportData) -> dict:
    """The selection as plain, sorted data (compared between runs; identical for identical inputs)."""
    sel = data.selection
    chosen = sel.chosen.sort("track", "app_id")
    return {
        "status": sel.status, "objective": sel.objective, "budget_spent": sel.budget_spent,
        "scenario": data.scenario_name,
        "selected": [{"id": r["app_id"], "track": r["track"], "name": r["train_name"], "score": r["score"], "cost": r["cost"]}
                     for r in chosen.iter_rows(named=True)],
    }


def workbook_sheets(data: ReportData, *, include_contacts: bool = False) -> dict[str, pl.DataFrame]:
    """The xlsx for the 盖章 and 公示 lists: summary, one sheet per track, ineligible, set aside, units."""
    from casplan.report.content import money_by_track, summary_figures
    from casplan.views.tables import ineligible_table, set_aside_table, track_list, units_table

    year = data.year
    policy = year.loaded.policy
    sheets: dict[str, pl.DataFrame] = {"汇总": summary_figures(data), "经费": money_by_track(data)}
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
    sheets["未报送单位"] = units_table(units.filter(~pl.col("submitted")), data.year.loaded.policy)
    sheets["单位情况"] = units_table(units, data.year.loaded.policy)
    return sheets


NEXT_HISTORY = "本年度资助项目.xlsx"  # next year's history rows (casplan history append), and the spending template
PRINT_QUEUE = ".print"  # the pages the notebook leaves for the runner to print (one browser for all)


def write_artifacts(data: ReportData, out_dir: str | os.PathLike, *, include_contacts: bool = False,
                    report_date: str = "", status_mark: str = "") -> list[Path]:
    """Write the xlsx lists, ``selection.json``, the 公示 list and the letters' xlsx into ``out_dir``, and
    queue the annex, the 公示 list and the letters for printing (``.print/``; see :func:`render_report`)."""
    from casplan.io import write_json, write_text_atomic, write_workbook
    from casplan.report.documents import write_documents

    out = Path(out_dir)
    written = [write_workbook(workbook_sheets(data, include_contacts=include_contacts), out / WORKBOOK,
                              number_formats={"得分": "0.00", "经费(万元)": "0.0", "入选线": "0.00", "数值": "0.##",
                                              "申请经费（万元）": "0.0", "拟资助经费（万元）": "0.0"})]
    record = json.dumps(selection_record(data), ensure_ascii=False, indent=2, sort_keys=True)
    written.append(write_text_atomic(out / "selection.json", record + "\n"))
    from casplan.report.content import history_rows

    written.append(write_workbook({"往年项目": history_rows(data)}, out / NEXT_HISTORY,
                                  number_formats={"资助金额(万元)": "0.0"}))
    docs = write_documents(data, out, day=report_day(report_date), mark=status_mark)
    queue = out / PRINT_QUEUE
    jobs = []
    for k, doc in enumerate(docs):
        write_text_atomic(queue / f"{k:04d}.html", doc.html)
        jobs.append({"page": f"{k:04d}.html", "pdf": f"{doc.stem}.pdf", "landscape": doc.landscape,
                     "header": doc.header, "parts": [f"{part}.pdf" for part in doc.parts]})
    written.append(write_json(queue / "jobs.json", jobs))
    return written


def report_day(text: str = "") -> dt.date:
    """The report's date: ``YYYY-MM-DD`` when given, else today."""
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"报告日期「{text}」应写成 YYYY-MM-DD（如 2023-01-20）", value=text) from None


def write_sources(data: ReportData, out_dir: str | os.PathLike) -> Path:
    """``sources.json``: every file the report read, with the SHA-256 of the bytes read (the manifest's inputs)."""
    from casplan.io import write_text_atomic

    sources = json.dumps([s.to_dict() for s in data.sources], ensure_ascii=False, indent=2)
    return write_text_atomic(Path(out_dir) / "sources.json", sources + "\n")


# --- rendering ---------------------------------------------------------------------------------

def _file_hashes(params: dict) -> dict[str, str]:
    """``kind:path`` → plain SHA-256 of every file the parameters name (folders: each table file in them)."""
    from casplan.io import expand_paths, read_source

    from casplan.policy import load_policy

    hashes: dict[str, str] = {}
    for key in PARAMS_INPUT_KEYS:
        for raw in _paths(str(params.get(key) or "")):
            p = Path(raw)
            files = expand_paths([p]) if p.is_dir() else [p]
            for f in files:
                _, source = read_source(f, kind=key)
                hashes[f"{key}:{source.path}"] = source.sha256
    if params.get("policy"):
        for source in load_policy(params["policy"]).sources[1:]:  # the vocabulary the policy names
            hashes[f"{source.kind}:{source.path}"] = source.sha256
    return hashes


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


def _fingerprint(params: dict, hashes: dict[str, str]) -> str:
    """A hash of the files read (their own SHA-256) and the parameters that change the result."""
    keep = {k: params[k] for k in sorted(params) if k not in ("output_dir", "previous_selection")}
    return hashlib.sha256(json.dumps({"files": hashes, "params": keep}, sort_keys=True,
                                     ensure_ascii=False).encode()).hexdigest()


def _diff(previous: Path | None, current: Path) -> dict:
    now = read_json(current, kind="selection")[0]
    if previous is None or not previous.exists():
        return {"previous": None, "entered": [], "left": [], "moved": []}
    before = read_json(previous, kind="selection")[0]
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


def _swap_latest(year_dir: Path, run_name: str) -> str | None:
    """Point ``latest`` at the run (an atomic rename of a new symlink); a real folder there is moved aside."""
    latest = year_dir / "latest"
    note = None
    if latest.exists() and not latest.is_symlink():
        aside = year_dir / f"latest-备份-{dt.datetime.now():%Y%m%d-%H%M%S-%f}"
        os.rename(latest, aside)
        note = (f"{latest} 是一个真实的文件夹（不是指向某次结果的链接，多为备份恢复时复制出来的），"
                f"已改名为 {aside.name} 保留")
    tmp = year_dir / f".latest-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(run_name, tmp)
    os.replace(tmp, latest)
    return note


class _YearLock:
    """One report at a time per year folder: an exclusive ``flock`` on the folder itself.

    A second run waits (saying who holds the lock: the process of the ``.tmp-<run>-<pid>`` folder)
    up to ``wait`` seconds, then gives up with a message.
    """

    def __init__(self, year_dir: Path, *, wait: float = 900.0, progress: bool = True) -> None:
        self.year_dir, self.wait, self.progress, self.fd = year_dir, wait, progress, None

    def __enter__(self) -> "_YearLock":
        import fcntl

        self.fd = os.open(self.year_dir, os.O_RDONLY)
        started = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                holder = next((p.name.rsplit("-", 1)[-1] for p in self.year_dir.glob(".tmp-*-*")), None)
                who = f"进程 {holder}" if holder else "另一个进程"
                if time.monotonic() - started > self.wait:
                    os.close(self.fd)
                    raise ReportError(f"{self.year_dir} 正由{who}生成报告，等待 {self.wait:.0f} 秒后仍未结束；请稍后再试") from None
                if self.progress and not told:
                    print(f"{self.year_dir} 正由{who}生成报告，等它结束后再开始……", file=sys.stderr)
                    told = True
                time.sleep(0.5)

    def __exit__(self, *exc: object) -> None:
        import fcntl

        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)


def _run_name(year_dir: Path) -> str:
    """A run id no other run has, even one started in the same second: time to the microsecond."""
    while True:
        name = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        if not (year_dir / name).exists():
            return name


def _quiet_kernel_manager(log: Path):
    """A kernel manager whose kernel writes its own messages (TCP warnings, the traceback it prints when
    interrupted) into ``log`` in the run's folder, not onto the analyst's terminal."""
    from jupyter_client.manager import AsyncKernelManager

    log = Path(log).resolve()  # papermill runs the kernel from the notebook's folder: a relative path would move

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):  # noqa: ANN001 - jupyter_client's signature
            with log.open("ab") as sink:  # the kernel keeps its own copy of the descriptor; ours closes here
                kw["stderr"] = sink
                return await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


def _kernel_error(exc: Exception) -> CasplanError:
    """The Chinese error of a failed notebook cell, with the exit code of the error it raised."""
    from casplan import errors

    ename = getattr(exc, "ename", "")
    kind = getattr(errors, ename, None)
    message = f"{getattr(exc, 'evalue', exc)}"
    if isinstance(kind, type) and issubclass(kind, CasplanError) and kind is not ReportError:
        err = kind(message)
        return err
    return ReportError(f"报告笔记本第 {getattr(exc, 'exec_count', '?')} 个单元出错：{ename}: {message}")


def render_report(params: dict, *, out_root: str | os.PathLike = "reports", if_changed: bool = False,
                  timeout: int = 600, progress: bool = True, notebook: Path = NOTEBOOK) -> Path | None:
    """Render the report into ``out_root/<year>/<run>/``; return the run folder (None when unchanged).

    ``params`` names every input (an omitted one is none); ``year`` and ``policy`` are settled here
    from the data when not given (:func:`settle_params`).
    """
    from casplan.report.render import html_from_notebook

    started = time.perf_counter()
    params = settle_params({k: params[k] for k in PARAMETERS if k in params})
    hashes = _file_hashes(params)
    fingerprint = _fingerprint(params, hashes)
    year_dir = Path(out_root) / str(params["year"])
    try:
        year_dir.mkdir(parents=True, exist_ok=True)
        probe = year_dir / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        from casplan.io import os_reason

        raise UnreadableFileError(f"无法写入报告目录 {year_dir}：{os_reason(exc)}", file=str(year_dir)) from None
    latest = year_dir / "latest"
    with _YearLock(year_dir, progress=progress):
        if if_changed and latest.exists():
            from casplan.io import Limits, read_source

            try:
                raw, _ = read_source(latest / "manifest.json", kind="manifest", limits=Limits(max_file_bytes=8 << 20))
                last = json.loads(raw.decode("utf-8"))
            except (CasplanError, OSError, ValueError, RecursionError):
                last = {}
            if isinstance(last, dict) and last.get("fingerprint") == fingerprint:
                if progress:
                    print(f"输入文件、政策与参数自上次生成（{latest.resolve().name}）以来没有变化，未重新生成")
                return None
        _sweep(year_dir)
        run_name = _run_name(year_dir)
        tmp = year_dir / f".tmp-{run_name}-{os.getpid()}"
        tmp.mkdir()
        tmp = tmp.resolve()  # absolute: the printer's thread runs while papermill has moved the process's cwd
        timings: dict[str, float] = {}
        from casplan.report.pdf import BackgroundPrinter, PrintJob

        queue = tmp / PRINT_QUEUE
        mark = params.get("status_mark", "")

        def queued_jobs() -> list[PrintJob]:
            """The pages the notebook queued (``.print/jobs.json``, written last and atomically)."""
            queued = read_json(queue / "jobs.json", kind="print")[0] if (queue / "jobs.json").is_file() else []
            jobs = []
            for k, job in enumerate(queued):
                parts = tuple(tmp / part for part in job.get("parts") or ())
                jobs.append(PrintJob(target=(queue / f"{k:04d}.pdf") if parts else tmp / job["pdf"],
                                     source=queue / job["page"], landscape=bool(job["landscape"]),
                                     header=job["header"], parts=parts))
            return jobs

        printer = None
        try:
            # one Chromium for the run, started now: it prints the queued pages while the notebook's last
            # cells run, then the committee report (casplan.report.pdf.BackgroundPrinter)
            printer = BackgroundPrinter()
            printer.watch(queue / "jobs.json", queued_jobs)
            previous = (latest / "selection.json") if (latest / "selection.json").is_file() else None
            nb_params = {**params, "output_dir": str(tmp.resolve()), "run_id": run_name,
                         "previous_selection": str(previous.resolve()) if previous else ""}
            from casplan.lazy import skip_iri_grammars

            skip_iri_grammars()
            import papermill as pm

            t = time.perf_counter()
            try:
                pm.execute_notebook(str(notebook), str(tmp / "report.ipynb"), parameters=nb_params,
                                    cwd=str(notebook.parent), execution_timeout=timeout, progress_bar=progress,
                                    kernel_name="python3",
                                    kernel_manager_class=_quiet_kernel_manager(tmp / ".kernel.log"))
            except pm.PapermillExecutionError as exc:
                raise _kernel_error(exc) from None
            except Exception as exc:  # kernel died, cell timeout, kernel missing …
                raise ReportError(f"报告笔记本未能运行完（{type(exc).__name__}: {str(exc)[:300]}）") from None
            timings["papermill_s"] = round(time.perf_counter() - t, 2)
            t = time.perf_counter()
            printer.notebook_done(queue / "jobs.json", queued_jobs)
            html = tmp / "report.html"
            write_text_atomic(html, html_from_notebook(tmp / "report.ipynb",
                                                       title=f"{params['year']}年度院级资助项目遴选报告"))
            timings["html_s"] = round(time.perf_counter() - t, 2)
            t = time.perf_counter()
            printer.submit([PrintJob(target=tmp / "report.pdf", source=html,
                                     header=f"{params['year']}年度遴选报告" + (f"（{mark}）" if mark else ""))])
            printer.finish()
            printed = queued_jobs()
            shutil.rmtree(queue, ignore_errors=True)
            timings["pdf_s"] = round(time.perf_counter() - t, 2)  # what is left to print once the HTML exists
            timings["pdf_files"] = 1 + sum(len(job.parts) or 1 for job in printed)  # the files, not the prints
            for needed in (WORKBOOK, "selection.json", "sources.json", "附件.pdf", "公示名单.pdf", "公示名单.xlsx"):
                if not (tmp / needed).exists():
                    raise ReportError(f"报告笔记本没有写出 {needed}")
            diff = _diff(previous.resolve() if previous else None, tmp / "selection.json")
            write_text_atomic(tmp / "diff.json", json.dumps(diff, ensure_ascii=False, indent=2, sort_keys=True))
            record = read_json(tmp / "selection.json", kind="selection")[0]
            sources = read_json(tmp / "sources.json", kind="sources")[0]
            read = {f"{s['kind']}:{s['path']}": s["sha256"] for s in sources}
            timings["total_s"] = round(time.perf_counter() - started, 2)
            manifest = {
                "run": run_name, "created": dt.datetime.now().isoformat(timespec="seconds"),
                "fingerprint": _fingerprint(params, {k: v for k, v in read.items()
                                                     if k.split(":", 1)[0] in (*PARAMS_INPUT_KEYS, "directions")}),
                "inputs": read, "sources": sources, "parameters": {k: v for k, v in params.items()},
                "versions": package_versions(), "solver": {"status": record["status"], "objective": record["objective"]},
                "timings": timings, "files": sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*")
                               if p.is_file() and not any(part.startswith(".") for part in p.relative_to(tmp).parts)),
            }
            write_text_atomic(tmp / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
            os.rename(tmp, year_dir / run_name)
        except BaseException:
            if printer is not None:
                printer.abort()  # nothing may write into the folder once it is removed
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        note = _swap_latest(year_dir, run_name)
    if note:
        print(f"说明：{note}", file=sys.stderr)
    if progress:
        print(f"已生成 {year_dir / run_name}（{timings['total_s']:.1f} 秒）；latest 已指向该次结果")
    return year_dir / run_name


def settle_params(params: dict) -> dict:
    """Absolute paths; the year and the policy settled from the data when not given.

    Raises (before any notebook runs) for a path that does not exist, a policy of another year than
    the data, or a year without a policy: the analyst's one Chinese line, exit 2.
    """
    from casplan.intake import read_plans_raw
    from casplan.pipeline import Inputs, choose_policy

    params = dict(params)
    params.setdefault("status_mark", STATUS_MARKS[0])
    if params["status_mark"] not in STATUS_MARKS:
        raise InputError(f"报告标记「{params['status_mark']}」应为 征求意见稿、送审稿，或留空（正式签发稿）",
                         value=params["status_mark"])
    if params.get("report_date"):
        params["report_date"] = report_day(str(params["report_date"])).isoformat()
    for key in PARAMS_INPUT_KEYS:
        if params.get(key):
            params[key] = ";".join(str(Path(p).resolve()) for p in _paths(str(params[key])))
    if not _paths(str(params.get("plans") or "")):
        raise InputError("没有培训计划导出文件：请用 --plans 给出，或写在参数文件的 plans 中")
    year = int(params.get("year") or 0) or None
    inputs = Inputs.of(_paths(params["plans"]), history=params.get("history") or None,
                       roster=params.get("roster") or None, policy=params.get("policy") or None,
                       overrides=params.get("overrides") or None, reviews=params.get("reviews") or None, year=year)
    inputs.check_paths()
    if params.get("scenario") and not Path(params["scenario"]).exists():
        raise UnreadableFileError(f"找不到情景文件 {params['scenario']}，请检查路径是否正确", file=params["scenario"])
    raw = read_plans_raw(list(inputs.plans))
    if raw.errors and not raw.frame.height:
        raise raw.errors[0]
    policy, how = choose_policy(inputs, raw)
    params["year"] = policy.year
    if not params.get("policy"):
        params["policy"] = str(Path(policy.source).resolve())
        params["policy_note"] = how or ""
    if params.get("scenario"):  # a scenario the notebook would refuse midway is refused here, in a second
        from casplan.whatif import Scenario

        Scenario.load(params["scenario"], policy=policy)
    if params.get("overrides"):
        from casplan.eligibility.overrides import read_overrides

        read_overrides(params["overrides"])
    return params
