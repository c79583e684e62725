"""Resources by name. Environment branching lives here and nowhere else."""

from __future__ import annotations

from typing import Any

from platform_assets import settings
from resources.lance_io_manager import LanceIOManager


def build_resources() -> dict[str, Any]:
    lance_io = LanceIOManager(root_uri=settings.lake_uri())
    return {"io_manager": lance_io, "lance_io_manager": lance_io}
