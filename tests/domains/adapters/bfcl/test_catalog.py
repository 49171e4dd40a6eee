"""The adapter's registry interface: cheap to import, names, errors (no bfcl-eval needed)."""

import subprocess
import sys

import pytest

from domains.errors import DomainError
from domains.adapters import bfcl
from domains.adapters.bfcl.catalog import BFCL_PAIRS, CLASSES, parse_name


def test_listing_names_does_not_import_bfcl():
    code = ("import sys; from domains.adapters import bfcl; bfcl.available(); names = bfcl.domain_names(); "
            "assert 'bfcl_eval' not in sys.modules, 'imported'; print(len(names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == len(CLASSES) - 1 + len(BFCL_PAIRS)


def test_names_are_single_classes_and_bfcls_pairs():
    names = bfcl.domain_names()
    assert bfcl.EXTRA == "bfcl"
    assert {"trading", "vehicle", "filesystem", "message+trading", "filesystem+math"} <= set(names)
    assert "math" not in names  # stateless: every task would be a question
    assert all("bfcl:" not in n for n in names)
    assert [a.class_name for a in parse_name("bfcl:trading+message")] == ["MessageAPI", "TradingBot"]


@pytest.mark.parametrize("name", ["", "bank", "trading+bank", "bfcl:"])
def test_unknown_names_are_user_errors_that_list_the_classes(name):
    with pytest.raises(DomainError, match="filesystem, math, message"):
        parse_name(name)
