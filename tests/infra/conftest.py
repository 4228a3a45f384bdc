import pytest

from tests.infra.drive import ComponentCalls, components_drive


@pytest.fixture(scope="session")
def component_calls(django_db_setup, django_db_blocker, tmp_path_factory) -> ComponentCalls:
    """Every component driven once per run on a stack from the template (see drive.py).

    Session-scoped: the IAM tests share one drive, including the one run after all others.
    """
    with django_db_blocker.unblock():
        return components_drive(work_dir=tmp_path_factory.mktemp("drive"))
