"""casplan.selection.sparse against scipy.sparse: the same arrays, entry for entry, for every operation
the selection uses (HiGHS must receive what it received from scipy)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_array
from scipy.sparse import vstack as sp_vstack

from casplan.selection import sparse


@st.composite
def matrices(draw, max_side=9):
    """Coordinates in any order, each cell at most once (the model writes each cell once; duplicates
    are summed, see :func:`test_duplicates_are_summed`)."""
    m = draw(st.integers(0, max_side))
    n = draw(st.integers(1, max_side))
    cells = draw(st.lists(st.tuples(st.integers(0, max(m - 1, 0)), st.integers(0, n - 1)), unique=True,
                          max_size=3 * max_side)) if m else []
    vals = draw(st.lists(st.sampled_from([-3.0, -1.0, 0.0, 0.5, 1.0, 2.25, 7.0, 1e-3]), min_size=len(cells),
                         max_size=len(cells)))
    return vals, [r for r, _ in cells], [c for _, c in cells], (m, n)


def test_duplicates_are_summed():
    A = sparse.csr_from_coo([1.0, 2.0, 4.0, 8.0], [1, 0, 1, 1], [2, 0, 2, 0], (2, 3))
    np.testing.assert_array_equal(A.toarray(), [[2.0, 0, 0], [8.0, 0, 5.0]])
    np.testing.assert_array_equal(A.indices, [0, 0, 2])


def _same(ours: sparse.Compressed, theirs) -> None:
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.indptr, theirs.indptr)
    np.testing.assert_array_equal(ours.indices, theirs.indices)
    np.testing.assert_array_equal(ours.data, theirs.data)


@settings(max_examples=300, deadline=None)
@given(matrices(), st.data())
def test_every_operation_gives_scipys_arrays(case, data):
    vals, rows, cols, shape = case
    ours = sparse.csr_from_coo(vals, rows, cols, shape)
    theirs = csr_array((np.array(vals, dtype=float), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
                       shape=shape)
    _same(ours, theirs)
    _same(ours.tocsc(), theirs.tocsc())
    _same(ours.tocsc().tocsr(), theirs.tocsc().tocsr())
    np.testing.assert_array_equal(ours.toarray(), theirs.toarray())
    m, n = shape
    x = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0, 0.3, -2.0]), min_size=n, max_size=n)))
    np.testing.assert_array_equal(ours @ x, theirs @ x)  # bit for bit: the same order of additions
    np.testing.assert_array_equal(ours.tocsc() @ x, theirs.tocsc() @ x)
    if m:
        mask = np.array(data.draw(st.lists(st.booleans(), min_size=m, max_size=m)))
        _same(ours.rows(mask), theirs[mask])
        picked = np.array(data.draw(st.lists(st.integers(0, m - 1), max_size=m)), dtype=np.int64)
        _same(ours.rows(picked), theirs[picked])
        r = data.draw(st.integers(0, m - 1))
        np.testing.assert_array_equal(ours.row_indices(r), theirs[[r]].indices)
    cmask = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    cols_kept = np.flatnonzero(cmask)
    _same(ours.tocsc().columns(cols_kept).tocsr(), theirs.tocsc()[:, cols_kept].tocsr())
    wide = sparse.with_columns(ours, n + 2)
    assert wide.shape == (m, n + 2)
    np.testing.assert_array_equal(wide.toarray()[:, :n], theirs.toarray())


@settings(max_examples=150, deadline=None)
@given(st.lists(matrices(), min_size=1, max_size=4), st.integers(1, 6))
def test_vstack_is_scipys(blocks, width):
    ours, theirs = [], []
    for vals, rows, cols, (m, _) in blocks:
        cells = {}
        for v, r, c in zip(vals, rows, cols):
            cells.setdefault((r, c % width), v)  # narrowed to the width, each cell still once
        vals, rows, cols = list(cells.values()), [r for r, _ in cells], [c for _, c in cells]
        ours.append(sparse.csr_from_coo(vals, rows, cols, (m, width)))
        theirs.append(csr_array((np.array(vals, dtype=float), (np.array(rows, dtype=np.int64),
                                 np.array(cols, dtype=np.int64))), shape=(m, width)))
    _same(sparse.vstack(ours), sp_vstack(theirs).tocsr())


def test_refusals():
    with pytest.raises(ValueError):
        sparse.csr_from_coo([1.0], [3], [0], (2, 2))
    A = sparse.csr_from_coo([1.0], [0], [0], (1, 2))
    with pytest.raises(ValueError):
        A.columns([0])  # a CSR matrix is taken by rows
    with pytest.raises(ValueError):
        sparse.vstack([A, sparse.csr_from_coo([1.0], [0], [0], (1, 3))])


def test_select_does_not_import_scipy():
    """`casplan select` solves with highspy and this module: scipy's import (~0.5 s) is only paid by a
    year without a selection (the diagnosis) and the review round."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = ("import sys, runpy; sys.argv = ['casplan', 'select', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('casplan', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m == 'scipy' or m.startswith('scipy.')), file=sys.stderr)")
    s = root / "data" / "samples" / "2023"
    out = subprocess.run([sys.executable, "-c", code, str(s / "plans.xlsx"), "--history", str(s / "history.xlsx"),
                          "--roster", str(s / "roster.xlsx"), "--reviews", str(s / "reviews.csv"), "--json"],
                         capture_output=True, text=True, cwd=root, timeout=120)
    assert '"chosen"' in out.stdout or '"selection"' in out.stdout, out.stderr[-2000:]
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr[-2000:]
