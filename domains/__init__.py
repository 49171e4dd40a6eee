"""Environments the builder generates data in: the framework and the built-in domains."""

from domains.registry import DomainNotFound, domain_names, load_domain

__all__ = ["DomainNotFound", "domain_names", "load_domain"]
