"""The JavaScript and CSS that map pages need, inlined so a page opens with no network.

folium writes ``<script src>`` and ``<link href>`` tags pointing at CDNs.
Planning networks are often cut off from the internet, so :func:`inline_assets`
replaces every such tag by the file's text, taken from the npm packages of the
exact versions folium names (``map_assets.toml`` beside this module).  Images a
stylesheet refers to become ``data:`` URIs.  Assets maps do not use (jQuery,
Bootstrap, awesome-markers, Font Awesome) are dropped; any other external asset
is an error, so a page never silently depends on the network.

The packages are fetched once, when the package is built (``pip install``,
``pip wheel``, ``python -m build``: ``setup.py`` runs
``scripts/fetch_map_assets.py``, which needs npm), and ship inside the wheel in
``eco12geo/_assets/``.  The installed package never needs npm or the network.
``ECO12GEO_ASSETS`` points elsewhere.
"""

from __future__ import annotations

import base64
import mimetypes
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import AssetError

__all__ = [
    "AssetError",
    "Package",
    "assets_dir",
    "inline_assets",
    "missing_assets",
    "packages",
]

MANIFEST = Path(__file__).resolve().parent / "map_assets.toml"


@dataclass(frozen=True)
class Package:
    """One npm package: name, exact version, the files kept from its tarball and the CDN URLs it serves."""

    name: str
    version: str
    keep: tuple[str, ...]  # files, or folders ending in "/", inside ``package/`` of the tarball
    urls: tuple[tuple[str, str], ...]  # (regular expression on a CDN URL, file inside the package folder)

    @property
    def folder(self) -> str:
        """Folder name under the assets dir."""
        return f"{self.name}@{self.version}"


@cache
def _manifest() -> tuple[tuple[Package, ...], tuple[str, ...]]:
    doc = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    pkgs = tuple(
        Package(p["name"], p["version"], tuple(p["keep"]), tuple((u["pattern"], u["file"]) for u in p["urls"]))
        for p in doc["package"]
    )
    return pkgs, tuple(doc["drop"])


def packages() -> tuple[Package, ...]:
    """Return the npm packages the map pages inline (from ``map_assets.toml``)."""
    return _manifest()[0]


def assets_dir() -> Path:
    """Return the folder holding the fetched packages (``ECO12GEO_ASSETS`` or ``eco12geo/_assets``)."""
    env = os.environ.get("ECO12GEO_ASSETS")
    return Path(env) if env else Path(__file__).resolve().parent / "_assets"


def missing_assets(base: Path | None = None) -> list[str]:
    """Return the packages not (completely) present in ``base``."""
    base = base or assets_dir()
    return [pkg.folder for pkg in packages() if not (base / pkg.folder / "fetched.json").exists()]


_SCRIPT_RE = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>')
_LINK_RE = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>')
_CSS_URL_RE = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def _resolve(url: str, base: Path) -> Path | None:
    for pkg in packages():
        for pattern, rel in pkg.urls:
            if re.search(pattern, url):
                return base / pkg.folder / rel
    return None


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _inline_css(path: Path) -> str:
    text = path.read_text(encoding="utf-8")

    def repl(m: re.Match[str]) -> str:
        ref = m.group(2).strip()
        if ref.startswith(("data:", "#")):
            return m.group(0)
        target = (path.parent / ref.split("?")[0].split("#")[0]).resolve()
        if target.is_file():
            return f'url("{_data_uri(target)}")'
        return "none"  # never let a stylesheet reach for a file that is not there

    text = _CSS_URL_RE.sub(repl, text)
    return text.replace("</style", "<\\/style")


def _script_text(path: Path) -> str:
    text = re.sub(r"//# sourceMappingURL=\S+", "", path.read_text(encoding="utf-8"))
    return text.replace("</script", "<\\/script")


def inline_assets(html: str, base: Path | None = None) -> str:
    """Replace every external ``<script src>`` / stylesheet ``<link>`` by the inlined file.

    Raises
    ------
    AssetError
        When the assets have not been fetched, or the page refers to an
        external asset this module does not know.
    """
    base = base or assets_dir()
    missing = missing_assets(base)
    if missing:
        raise AssetError(
            f"map assets missing in {base} ({', '.join(missing)}); reinstall eco12geo from a wheel or a source "
            "build (pip install .), or set ECO12GEO_ASSETS to a folder made by scripts/fetch_map_assets.py"
        )

    def inline(m: re.Match[str], render: Callable[[Path], str]) -> str:
        """Replace a reference to an external asset by its content; leave local ones, drop unused ones."""
        url = m.group(1)
        if not url.startswith(("http://", "https://", "//")):
            return m.group(0)
        if any(d in url for d in _manifest()[1]):
            return ""
        path = _resolve(url, base)
        if path is None or not path.is_file():
            raise AssetError(f"the map page refers to {url}, which eco12geo cannot inline")
        return render(path)

    def script(path: Path) -> str:
        package = path.parent.name if path.parent.name != "dist" else path.parent.parent.name
        return f"<script>/* {package} */\n{_script_text(path)}\n</script>"

    def style(path: Path) -> str:
        return f"<style>\n{_inline_css(path)}\n</style>"

    html = _SCRIPT_RE.sub(lambda m: inline(m, script), html)
    return _LINK_RE.sub(lambda m: inline(m, style), html)
