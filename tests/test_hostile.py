"""The hostile-input corpus (tests/data/hostile): every attack refused cleanly or decided right.

Written by a helper who attacked the tool from its guide, with the expected outcome of each case set
down before it ran. The corpus is generated into a temporary folder by its own script; each case runs
through the real ``casplan`` command with its time and memory budget (see ``tests/hostile.py``).
Where the outcome differs from the entry's first expectation, the entry's own ``also_acceptable``
outcome holds, or an issue decided otherwise; each such case is named here with the check that proves it.
"""

from __future__ import annotations

import pytest
from hostile import cases, run_case, skip

ADJUDICATED = {
    # case: (why the outcome stands, a check on (stdout, stderr))
    "latest_is_real_folder": ("议题 14.9：真实的 latest 文件夹改名保留（latest-备份-…），说明一句，新结果照常生成",
                              lambda out, err: "latest-备份-" in err),
    "reviews_nan_inf": ("also_acceptable：NaN/inf 评分所在行搁置并逐行写明",
                        lambda out, err: "「NaN」" in err and "「inf」" in err and "该行未使用" in err),
    "identity_mixed_encoding_utf8_name_in_gbk": ("also_acceptable：编码混杂的那一行搁置（I-ENCODING），不当新单位",
                                                 lambda out, err: '"rows_set_aside": 1' in out),
    "same_id_conflicting_rows": ("also_acceptable：同一计划ID的两行都搁置（I-ID-CONFLICT）",
                                 lambda out, err: '"rows_set_aside": 2' in out),
    "plans_folder_with_fifo": ("also_acceptable：命名管道跳过并说明，其余照读",
                               lambda out, err: "不是普通文件" in out),
    "validate_out_symlink_to_victim": ("also_acceptable：--out 是链接即拒绝（exit 2），被指向的文件不变",
                                       lambda out, err: "是一个链接" in err),
}

ENTRIES = cases()


@pytest.mark.slow
@pytest.mark.parametrize("entry", ENTRIES, ids=[e["case"] for e in ENTRIES])
def test_hostile_case(entry):
    why = skip(entry)
    if why:
        pytest.skip(why)
    outcome = run_case(entry)
    if entry["case"] in ADJUDICATED:
        reason, check = ADJUDICATED[entry["case"]]
        assert "Python traceback" not in outcome.problems, outcome.stderr[-2000:]
        assert not any(p.startswith(("took", "peak", "did not")) for p in outcome.problems), outcome.problems
        assert check(outcome.stdout, outcome.stderr), (reason, outcome.stdout[-1500:], outcome.stderr[-1500:])
        return
    assert outcome.ok, (outcome.problems, outcome.stderr[-2000:], outcome.stdout[-1000:])
