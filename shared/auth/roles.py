"""Staff roles and the role sets routes and rules are written with: one name per set."""

from __future__ import annotations

STAFF_ROLES = frozenset({"admin", "manager", "agent", "guide"})
"""Every staff role."""

ADMINS = frozenset({"admin"})
"""Tenant set-up (settings, policy, channels)."""

WRITERS = frozenset({"admin", "manager"})
"""Those who change what the whole tenant works with (campaigns, rewards, queues)."""

SEE_ALL_CUSTOMERS = frozenset({"admin", "manager", "agent"})
"""Those who see and serve every customer of the tenant; a guide sees only the customers they own."""
