"""The JavaScript and CSS that map pages need, inlined so a page opens with no network.

folium writes ``<script src>`` and ``<link href>`` tags pointing at CDNs.
Planning networks are often cut off from the internet, so :func:`inline_assets`
replaces every such tag by the file's text, taken from the npm packages of the
exact versions folium names (:data:`PACKAGES`).  Images a stylesheet refers
to become ``data:`` URIs.  Assets maps do not use (jQuery, Bootstrap,
awesome-markers, Font Awesome) are dropped; any other external asset is an
error, so a page never silently depends on the network.

The packages are fetched once, at build time, with ``npm pack`` into
``eco12geo/_assets/`` (``python scripts/fetch_map_assets.py``; ``make test``
and ``make demo`` run it).  ``ECO12GEO_ASSETS`` points elsewhere.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import Eco12GeoError

__all__ = [
    "PACKAGES",
    "AssetError",
    "assets_dir",
    "fetch_assets",
    "inline_assets",
    "missing_assets",
]


class AssetError(Eco12GeoError, RuntimeError):
    """The map assets are missing, or a page refers to an asset we cannot inline."""


@dataclass(frozen=True)
class Package:
    """One npm package: name, exact version, and the folder kept from its tarball."""

    name: str
    version: str
    keep: tuple[str, ...]  # files, or folders ending in "/", inside ``package/`` to extract

    @property
    def folder(self) -> str:
        """Folder name under the assets dir."""
        return f"{self.name}@{self.version}"


#: the npm packages, at the versions folium 0.20 links to
PACKAGES: tuple[Package, ...] = (
    Package("leaflet", "1.9.3", ("dist/leaflet.js", "dist/leaflet.css", "dist/images/", "LICENSE")),
    Package("leaflet.fullscreen", "3.0.0", ("Control.FullScreen.js", "Control.FullScreen.css",
                                             "icon-fullscreen.svg", "LICENSE")),
    Package("leaflet-measure", "2.1.7", ("dist/leaflet-measure.min.js", "dist/leaflet-measure.css",
                                          "dist/images/", "LICENSE")),
    Package("leaflet-minimap", "3.6.1", ("dist/Control.MiniMap.min.js", "dist/Control.MiniMap.min.css",
                                          "dist/images/", "LICENSE.txt")),
)

#: (pattern on the CDN URL) → (package folder, file inside it)
_URL_MAP: tuple[tuple[str, str, str], ...] = (
    (r"/leaflet@[\d.]+/dist/leaflet\.js$", "leaflet", "dist/leaflet.js"),
    (r"/leaflet@[\d.]+/dist/leaflet\.css$", "leaflet", "dist/leaflet.css"),
    (r"leaflet\.fullscreen@[\d.]+/Control\.FullScreen(\.min)?\.js$", "leaflet.fullscreen", "Control.FullScreen.js"),
    (r"leaflet\.fullscreen@[\d.]+/Control\.FullScreen(\.min)?\.css$", "leaflet.fullscreen",
     "Control.FullScreen.css"),
    (r"leaflet-measure@[\d.]+/dist/leaflet-measure(\.min)?\.js$", "leaflet-measure",
     "dist/leaflet-measure.min.js"),
    (r"leaflet-measure@[\d.]+/dist/leaflet-measure(\.min)?\.css$", "leaflet-measure", "dist/leaflet-measure.css"),
    (r"leaflet-minimap/[\d.]+/Control\.MiniMap(\.min)?\.js$", "leaflet-minimap", "dist/Control.MiniMap.min.js"),
    (r"leaflet-minimap/[\d.]+/Control\.MiniMap(\.min)?\.css$", "leaflet-minimap",
     "dist/Control.MiniMap.min.css"),
)

#: folium defaults the map pages do not use (no jQuery popups, no awesome-markers icons)
_DROP = (
    "jquery", "bootstrap", "awesome-markers", "fontawesome", "glyphicons", "awesome.rotate",
)

_SCRIPT_RE = re.compile(r'<script\s+src="([^"]+)"\s*>\s*</script>')
_LINK_RE = re.compile(r'<link\s+rel="stylesheet"\s+href="([^"]+)"\s*/?>')
_CSS_URL_RE = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")


def assets_dir() -> Path:
    """Return the folder holding the fetched packages (``ECO12GEO_ASSETS`` or ``eco12geo/_assets``)."""
    env = os.environ.get("ECO12GEO_ASSETS")
    return Path(env) if env else Path(__file__).resolve().parent / "_assets"


def missing_assets(base: Path | None = None) -> list[str]:
    """Return the packages not (completely) present in ``base``."""
    base = base or assets_dir()
    missing = []
    for pkg in PACKAGES:
        if not (base / pkg.folder / ".complete").exists():
            missing.append(pkg.folder)
    return missing


def fetch_assets(base: Path | None = None, npm: str = "npm", force: bool = False) -> list[str]:
    """Fetch the packages with ``npm pack`` and extract the files maps need.

    Parameters
    ----------
    base
        Destination folder (default :func:`assets_dir`).
    npm
        The npm executable.
    force
        Fetch again even when a package is present.

    Returns
    -------
    list of str
        The packages fetched (empty when all were present).
    """
    base = base or assets_dir()
    todo = [p for p in PACKAGES if force or p.folder in missing_assets(base)]
    if not todo:
        return []
    if shutil.which(npm) is None:
        raise AssetError(
            f"map assets missing ({', '.join(p.folder for p in todo)}) and '{npm}' is not installed; "
            "install Node.js/npm and run: python scripts/fetch_map_assets.py"
        )
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="eco12geo-assets-") as tmp:
        specs = [f"{p.name}@{p.version}" for p in todo]
        proc = subprocess.run(
            [npm, "pack", *specs, "--json", "--pack-destination", tmp],
            capture_output=True, text=True, check=False, cwd=tmp,
        )
        if proc.returncode != 0:
            raise AssetError(f"npm pack {' '.join(specs)} failed: {proc.stderr.strip().splitlines()[-1:]}")
        info = {d["name"]: d for d in json.loads(proc.stdout)}
        for pkg in todo:
            tgz = Path(tmp) / info[pkg.name]["filename"]
            dest = base / pkg.folder
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            with tarfile.open(tgz, "r:gz") as tf:
                for member in tf.getmembers():
                    if not member.isfile() or not member.name.startswith("package/"):
                        continue
                    rel = member.name[len("package/"):]
                    wanted = any(rel == k or (k.endswith("/") and rel.startswith(k)) for k in pkg.keep)
                    if ".." in Path(rel).parts or not wanted:
                        continue
                    out = dest / rel
                    out.parent.mkdir(parents=True, exist_ok=True)
                    src = tf.extractfile(member)
                    assert src is not None
                    out.write_bytes(src.read())
            meta = {"name": pkg.name, "version": pkg.version, "integrity": info[pkg.name].get("integrity")}
            (dest / ".complete").write_text(json.dumps(meta) + "\n", encoding="utf-8")
    return [p.folder for p in todo]


def _package(name: str) -> Package:
    for p in PACKAGES:
        if p.name == name:
            return p
    raise KeyError(name)  # pragma: no cover


def _resolve(url: str, base: Path) -> Path | None:
    for pattern, name, rel in _URL_MAP:
        if re.search(pattern, url):
            return base / _package(name).folder / rel
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
            f"map assets missing in {base} ({', '.join(missing)}); run: python scripts/fetch_map_assets.py "
            "(make test and make demo do it), or set ECO12GEO_ASSETS"
        )

    def inline(m: re.Match[str], render: Callable[[Path], str]) -> str:
        """Replace a reference to an external asset by its content; leave local ones, drop unused ones."""
        url = m.group(1)
        if not url.startswith(("http://", "https://", "//")):
            return m.group(0)
        if any(d in url for d in _DROP):
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
