"""The release's name: semantic version and Hub repo id, checked before anything is read."""

import pytest

from builder.errors import UserError
from builder.publish.release import make_release


@pytest.mark.parametrize("version", ["0.1.0", "1.0.0", "10.20.30"])
def test_semantic_versions_make_v_tags(version):
    assert make_release("org/name", version).tag == f"v{version}"


@pytest.mark.parametrize("version, hint", [
    ("v1.0.0", "without the v: --version 1.0.0"), ("1.0", "X.Y.Z"), ("01.0.0", "X.Y.Z"),
    ("1.0.0-rc1", "X.Y.Z"), ("", "X.Y.Z"),
])
def test_other_versions_are_refused_naming_the_flag(version, hint):
    with pytest.raises(UserError, match="--version") as exc:
        make_release("org/name", version)
    assert hint in str(exc.value)


@pytest.mark.parametrize("repo", ["name", "org/name/extra", "org/na me", "-org/name", "org/name.", "org/a--b",
                                  "o/" + "n" * 95])
def test_bad_repo_ids_are_refused_naming_the_flag(repo):
    with pytest.raises(UserError, match="--repo"):
        make_release(repo, "1.0.0")


def test_repo_is_optional_only_for_a_local_release():
    assert make_release(None, "1.0.0").repo_id is None
    assert make_release("my-org/retail_tool.use", "1.0.0").repo_id == "my-org/retail_tool.use"
