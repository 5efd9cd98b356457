"""The operator's commands (``make redrive``, ``make replay``, ``make smoke``, ``make staff-token``),
each run as ``python -m ops.<command>`` against a deployed stage or the local stack.

The runbook is docs/operations.md. Nothing deployed imports this package.
"""
