import pytest

from accounts.models import Role
from conftest import make_user


@pytest.fixture
def b1_admin(bureau):
    """A committee administrator whose subtree is only 机关第一党支部 (and its 党小组)."""
    return make_user("b1admin", person=bureau.li, grants=[(Role.COMMITTEE_ADMIN, bureau.b1)])
