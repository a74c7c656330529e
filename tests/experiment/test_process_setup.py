"""The helpers that make a worker process cheaper per replication change no result: the
t quantile without scipy.stats, and glibc's malloc keeping freed memory."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from scipy import stats

from anwsim import memory
from anwsim.experiment.summary import t_quantile


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_t_quantile_is_the_scipy_stats_quantile(confidence: float) -> None:
    df = np.arange(1, 3001)
    p = 0.5 + confidence / 2.0
    assert np.array_equal(t_quantile(p, df), stats.t.ppf(p, df))
    assert float(t_quantile(p, 9)) == float(stats.t.ppf(p, 9))


def test_t_quantile_known_values() -> None:
    assert float(t_quantile(0.975, 1)) == pytest.approx(12.706204736, abs=1e-8)
    assert float(t_quantile(0.975, 9)) == pytest.approx(2.262157163, abs=1e-8)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_keep_freed_memory_applies_once_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_applied", False)
    assert memory.keep_freed_memory() is True
    assert memory.keep_freed_memory() is True  # idempotent


def test_keep_freed_memory_is_a_no_op_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_applied", False)
    monkeypatch.setattr(memory.sys, "platform", "darwin")
    assert memory.keep_freed_memory() is False
