"""Names of the tool's roles (Django groups). Migration 0002 creates them with their permissions:

* Support agent: search by phone, view customers;
* Support lead: an agent's permissions plus unlink/restore of order-derived links;
* Admin: an agent's permissions plus accounts, roles, the audit trail and API clients in the
  Django admin (the account needs "staff status" too, to open /admin/).
"""

SUPPORT_AGENT = "Support agent"
SUPPORT_LEAD = "Support lead"
ADMIN = "Admin"
