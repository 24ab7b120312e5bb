"""The user-facing docs stand on their own: no path to the developers' data folder outside the
developers' notes, the corpora named with their download pages and licences, install commands
that work from a checkout today (the PyPI spelling only as "once released"), and a service
recipe that creates the folder it writes to."""

from __future__ import annotations

import re

from support.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
IOT = (ROOT / "docs" / "iot.md").read_text(encoding="utf-8")
UNIT = (ROOT / "examples" / "ser-edge.service").read_text(encoding="utf-8")
#: sections kept by others or meant for developers (checked elsewhere, or allowed to name ../shared)
NOT_USER_FACING = ("For developers", "Layout")


def sections(markdown: str) -> dict[str, str]:
    """``## heading`` -> its text (the part before the first heading under "")."""
    parts = re.split(r"^## (.+)$", markdown, flags=re.M)
    return {"": parts[0], **dict(zip(parts[1::2], parts[2::2], strict=True))}


def test_user_facing_readme_sections_do_not_point_at_the_developers_data():
    user = {h: s for h, s in sections(README).items() if not h.startswith(NOT_USER_FACING)}
    assert "Quick start" in user and "What the model can and cannot do" in user
    assert [h for h, s in user.items() if "../shared" in s or "/work/" in s] == []
    assert "SER_EDGE_DATA" in next(s for h, s in sections(README).items() if h.startswith("For developers"))


def test_the_readme_names_the_corpora_with_their_pages_and_licences():
    for needle in ("https://zenodo.org/records/1188976", "CC BY-NC-SA 4.0",
                   "doi:10.1371/journal.pone.0196391", "https://tspace.library.utoronto.ca/handle/1807/24487",
                   "CC BY-NC-ND 4.0", "Dupuis & Pichora-Fuller 2010"):
        assert needle in README


def test_pypi_install_commands_say_once_released():
    for name, text in (("README.md", README), ("docs/iot.md", IOT), ("ser-edge.service", UNIT)):
        lines = [line for line in text.splitlines() if "install 'ser-edge[" in line
                 and not line.lstrip().startswith(("from ", "import "))]  # a code comment names the extra
        assert lines and all("PyPI" in line for line in lines), name
        assert "[mic,mqtt]" in text and ("'.[mic,mqtt]'" in text or '"$(pwd)[mic,mqtt]"' in text), name


def test_the_service_recipe_creates_its_config_folder_first():
    for text in (UNIT, IOT):
        assert "mkdir -p /etc/ser-edge" in text
        assert text.index("mkdir -p /etc/ser-edge") < text.index("/etc/ser-edge/mqtt.env")
