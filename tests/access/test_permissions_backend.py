"""Permission checks cost one query per request, whatever the backends, and say the same."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lookup.access.permissions import SEARCH_PHONE, UNLINK_PHONE, VIEW_CUSTOMER

PERMISSIONS = (SEARCH_PHONE, VIEW_CUSTOMER, UNLINK_PHONE)


@pytest.mark.parametrize("persona", ["agent", "lead", "admin_user", "newcomer"])
def test_one_query_loads_the_permissions_the_roles_grant(db, request, persona):
    person = request.getfixturevalue(persona)
    user = get_user_model().objects.get(pk=person.pk)  # a fresh object, as each request has
    with CaptureQueriesContext(connection) as queries:
        granted = {perm: user.has_perm(perm) for perm in PERMISSIONS}
    assert len(queries) == 1
    reference = get_user_model().objects.get(pk=person.pk)
    assert granted == {perm: ModelBackend().has_perm(reference, perm) for perm in PERMISSIONS}
