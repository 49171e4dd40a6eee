"""The error of the domain floor: bad input the user can fix (an unknown domain, a data file that
does not match its records). The application maps it to exit code 2, like its own usage errors;
the domains import nothing from the application to say so."""

from __future__ import annotations


class DomainError(Exception):
    """Bad input about a domain; the message names the domain, file or field and the fix."""
