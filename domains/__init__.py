"""Environments the builder generates data in: the framework and the built-in domains.

The ground floor of the house: it imports nothing from `builder/` or `steps/` (they import it).
Its errors are its own (`domains.errors.DomainError`, which the command line maps to exit 2) and
the data it hands up is plain (tables, tool results, blueprints as dicts), so a domain can be
written, tested and used without the application.
"""

from domains.registry import DomainNotFound, domain_names, load_domain

__all__ = ["DomainNotFound", "domain_names", "load_domain"]
