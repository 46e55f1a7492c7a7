"""The few sparse-matrix operations the selection needs, on numpy alone.

The selection's constraint matrix used to be a ``scipy.sparse.csr_array``. Importing
``scipy.sparse`` takes about 0.2 s (it builds scipy's array-API layer over numpy at import), a fifth
of a ``casplan select`` run at the sample's size, for a handful of operations: build from
coordinates, multiply by a vector, take rows, take columns, stack, transpose the storage. They are
written here over numpy, in scipy's canonical form (column indices sorted within each row,
duplicates summed, explicit zeros kept), so HiGHS receives the same arrays, entry for entry, as it did
from scipy; ``tests/test_sparse.py`` holds every operation equal to scipy's.

:class:`Compressed` is one storage for both orientations: ``axis=0`` compresses rows (CSR), ``axis=1``
columns (CSC); ``major``/``minor`` name the compressed and the indexed dimension.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["Compressed", "csr_from_coo", "empty_csr", "vstack", "with_columns"]

_INDEX = np.int32


class Compressed:
    """A sparse matrix in compressed storage (``axis=0``: rows, CSR; ``axis=1``: columns, CSC).

    The attributes are scipy's: ``data``, ``indices`` (the minor index of each entry), ``indptr``
    (where each major line starts) and ``shape``.
    """

    __slots__ = ("data", "indices", "indptr", "shape", "axis")

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int],
                 axis: int = 0) -> None:
        self.data = np.asarray(data, dtype=np.float64)
        self.indices = np.asarray(indices, dtype=_INDEX)
        self.indptr = np.asarray(indptr, dtype=_INDEX)
        self.shape = (int(shape[0]), int(shape[1]))
        self.axis = axis

    def __repr__(self) -> str:
        kind = "CSR" if self.axis == 0 else "CSC"
        return f"<{kind} {self.shape[0]}×{self.shape[1]}, {self.nnz} entries>"

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1]) if len(self.indptr) else 0

    def _major_of_entries(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.indptr) - 1, dtype=np.int64), np.diff(self.indptr))

    def __matmul__(self, x: np.ndarray) -> np.ndarray:
        """``A @ x`` for a vector; each row's products are added in its entries' order, as scipy does."""
        x = np.asarray(x, dtype=np.float64)
        if self.axis == 0:
            return np.bincount(self._major_of_entries(), weights=self.data * x[self.indices],
                               minlength=self.shape[0]).astype(np.float64)
        return np.bincount(self.indices, weights=self.data * x[self._major_of_entries()],
                           minlength=self.shape[0]).astype(np.float64)

    def _lines(self, which: np.ndarray) -> Compressed:
        """The major lines ``which`` (indices, in the order given), renumbered 0…"""
        which = np.asarray(which, dtype=np.int64)
        starts, ends = self.indptr[which].astype(np.int64), self.indptr[which + 1].astype(np.int64)
        counts = ends - starts
        indptr = np.zeros(len(which) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        take = np.repeat(starts - indptr[:-1], counts) + np.arange(indptr[-1], dtype=np.int64)
        shape = (len(which), self.shape[1]) if self.axis == 0 else (self.shape[0], len(which))
        return Compressed(self.data[take], self.indices[take], indptr, shape, self.axis)

    def rows(self, which) -> Compressed:
        """The rows ``which`` (a boolean mask or indices) of a CSR matrix, in order."""
        if self.axis != 0:
            raise ValueError("rows() needs a CSR matrix")
        which = np.asarray(which)
        return self._lines(np.flatnonzero(which) if which.dtype == bool else which)

    def columns(self, which) -> Compressed:
        """The columns ``which`` (a boolean mask or indices) of a CSC matrix, in order."""
        if self.axis != 1:
            raise ValueError("columns() needs a CSC matrix")
        which = np.asarray(which)
        return self._lines(np.flatnonzero(which) if which.dtype == bool else which)

    def row_indices(self, r: int) -> np.ndarray:
        """The column indices of row ``r``'s entries (CSR)."""
        return self.indices[self.indptr[r]:self.indptr[r + 1]]

    def _transposed_storage(self) -> Compressed:
        minor_count = self.shape[1] if self.axis == 0 else self.shape[0]
        order = np.argsort(self.indices, kind="stable")  # within a new line, old lines stay in order
        counts = np.bincount(self.indices, minlength=minor_count)
        indptr = np.zeros(minor_count + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return Compressed(self.data[order], self._major_of_entries()[order], indptr, self.shape, 1 - self.axis)

    def tocsc(self) -> Compressed:
        return self if self.axis == 1 else self._transposed_storage()

    def tocsr(self) -> Compressed:
        return self if self.axis == 0 else self._transposed_storage()

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape)
        major = self._major_of_entries()
        if self.axis == 0:
            np.add.at(out, (major, self.indices), self.data)
        else:
            np.add.at(out, (self.indices, major), self.data)
        return out


def csr_from_coo(vals, rows, cols, shape: tuple[int, int]) -> Compressed:
    """A CSR matrix from coordinates, duplicates summed and each row's columns sorted (scipy's
    ``csr_array((vals, (rows, cols)), shape)``)."""
    vals = np.asarray(vals, dtype=np.float64)
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    m, n = int(shape[0]), int(shape[1])
    if len(vals) and (rows.min() < 0 or cols.min() < 0 or rows.max() >= m or cols.max() >= n):
        raise ValueError("a coordinate lies outside the matrix")
    width = max(n, 1)
    key = rows * width + cols  # row-major position: one sort key (m·n < 2⁶³ for any model here)
    if len(key) > 1 and not np.all(key[1:] > key[:-1]):
        order = np.argsort(key, kind="stable")  # duplicates keep the order given
        key, vals = key[order], vals[order]
        new = np.ones(len(key), dtype=bool)
        new[1:] = key[1:] != key[:-1]
        if not new.all():
            starts = np.flatnonzero(new)
            vals = np.add.reduceat(vals, starts)
            key = key[starts]
    rows, cols = key // width, key % width
    indptr = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=m), out=indptr[1:])
    return Compressed(vals, cols, indptr, (m, n), 0)


def empty_csr(m: int, n: int) -> Compressed:
    return Compressed(np.zeros(0), np.zeros(0, dtype=_INDEX), np.zeros(m + 1, dtype=_INDEX), (m, n), 0)


def with_columns(A: Compressed, n: int) -> Compressed:
    """``A`` (CSR) widened to ``n`` columns, the new ones empty (scipy: ``hstack([A, zeros])``)."""
    if A.axis != 0 or n < A.shape[1]:
        raise ValueError("with_columns() widens a CSR matrix")
    return Compressed(A.data, A.indices, A.indptr, (A.shape[0], n), 0)


def vstack(blocks: Sequence[Compressed]) -> Compressed:
    """CSR matrices of the same width, one under the other."""
    blocks = [b.tocsr() for b in blocks]
    width = blocks[0].shape[1]
    if any(b.shape[1] != width for b in blocks):
        raise ValueError("vstack() needs blocks of the same width")
    indptr = [np.zeros(1, dtype=np.int64)]
    offset = 0
    for b in blocks:
        indptr.append(b.indptr[1:].astype(np.int64) + offset)
        offset += b.nnz
    return Compressed(np.concatenate([b.data for b in blocks]), np.concatenate([b.indices for b in blocks]),
                      np.concatenate(indptr), (sum(b.shape[0] for b in blocks), width), 0)
