"""Library errors name the Python argument at fault; the CLI names its own flag for it."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

import eco12geo
from eco12geo.backend import make_backend
from eco12geo.cli.main import main
from eco12geo.errors import CRSError, Eco12GeoError, InputError, OutputError
from eco12geo.indicators import evaluate, load_indicators, read_values
from eco12geo.io import parse_layer_arg, read_layer, read_report

from .conftest import write_shp

PACKAGE = Path(eco12geo.__file__).parent


def _cli_flags() -> set[str]:
    """Every long option of every eco12geo command."""
    flags = set()
    for cmd in main.commands.values():
        for p in cmd.params:
            flags.update(o for o in p.opts if o.startswith("--"))
    return flags


def test_no_library_raise_names_a_flag() -> None:
    """No ``raise`` outside ``cli/`` has a string naming a command-line flag of eco12geo."""
    flags = _cli_flags()
    assert {"--assume-crs", "--year", "--values", "--out", "--layer", "--unit-field"} <= flags
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "cli" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            for sub in ast.walk(node.exc):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    words = {w.strip("(),;:'\"") for w in sub.value.split()}
                    found += [f"{path.name}:{node.lineno} {w}" for w in words & flags]
    assert found == []


def test_template_fields_and_pickling() -> None:
    err = CRSError("{src} declares no CRS; give it with {opt:assume_crs=EPSG:4490}", src="a{b}.shp")
    assert str(err) == "a{b}.shp declares no CRS; give it with assume_crs='EPSG:4490'"
    assert err.param == "assume_crs"
    cli = err.render(lambda name, value: f"--{name.replace('_', '-')}" + (f" {value}" if value else ""))
    assert cli == "a{b}.shp declares no CRS; give it with --assume-crs EPSG:4490"
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is CRSError and str(back) == str(err) and back.param == "assume_crs"
    assert back.render(lambda n, v: n.upper()) == "a{b}.shp declares no CRS; give it with ASSUME_CRS"
    # a plain message is taken as written, braces included
    plain = InputError("layer {x} is {y}")
    assert str(plain) == "layer {x} is {y}" and plain.param is None
    assert isinstance(pickle.loads(pickle.dumps(plain)), InputError)


def test_library_messages(tmp_path: Path) -> None:
    """Each library function names its own argument, never a flag."""
    ind = load_indicators()
    cases: list[tuple[Eco12GeoError, str, str]] = []

    def caught(fn, *a, **kw):  # type: ignore[no-untyped-def]
        with pytest.raises(Eco12GeoError) as info:
            fn(*a, **kw)
        return info.value

    cases.append((caught(evaluate, ind, None, 2024), "year", "year=2024 is not a column of 表1"))
    missing = tmp_path / "v.csv"
    cases.append((caught(read_values, missing), "values", f"values='{missing}' does not exist"))
    cases.append((caught(read_report, tmp_path / "r.json"), "report", f"report='{tmp_path / 'r.json'}' does not"))
    cases.append((caught(make_backend, "local", scheduler="tcp://x:1"), "scheduler",
                  "scheduler only applies to backend='dask'"))
    cases.append((caught(parse_layer_arg, "redline"), "layer_args", "give e.g. layer_args='KEY=redline.shp'"))
    units = gpd.GeoDataFrame({"NAME": ["a"]}, geometry=[shapely.box(87, 44, 87.1, 44.1)], crs=4490)
    shp = write_shp(units, tmp_path / "u.shp", "utf-8")
    shp.with_suffix(".prj").unlink()
    cases.append((caught(read_layer, shp, assume_crs="EPSG:99999999"), "assume_crs",
                  "assume_crs='EPSG:99999999' is not a CRS pyproj knows"))
    for err, param, text in cases:
        assert err.param == param
        assert text in str(err)
        assert "--" not in str(err)


def _exit_2(args: list[str]) -> str:
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in res.output
    return err


def test_cli_names_its_flags(tmp_path: Path) -> None:
    """The same errors through the CLI name the flags, including options whose Python name differs."""
    out = str(tmp_path / "o")
    missing = tmp_path / "v.csv"
    assert f"--values {missing} does not exist" in _exit_2(["indicators", "--values", str(missing), "--out", out])
    assert "--year 2024 is not a column of 表1" in _exit_2(["indicators", "--year", "2024", "--out", out])
    rep = tmp_path / "r.json"
    assert f"--report {rep} does not exist" in _exit_2(["map", "--report", str(rep), "--out", out])
    units = gpd.GeoDataFrame({"NAME": ["a"]}, geometry=[shapely.box(87, 44, 87.1, 44.1)], crs=4490)
    shp = write_shp(units, tmp_path / "u.shp", "utf-8")
    shp.with_suffix(".prj").unlink()
    err = _exit_2(["audit", "--units", str(shp), "--out", out])
    assert "declares no CRS (missing or empty .prj); give it with --assume-crs EPSG:4490" in err
    err = _exit_2(["audit", "--units", str(shp), "--assume-crs", "EPSG:99999999", "--out", out])
    assert "--assume-crs EPSG:99999999 is not a CRS pyproj knows" in err
    raster = tmp_path / "none.tif"
    args = ["coverage", "--raster", str(raster), "--units", str(shp), "--assume-crs", "EPSG:4490", "--out", out]
    assert "pick the name field with --unit-field (fields: NAME)" in _exit_2(args)
    err = _exit_2([*args, "--unit-field", "NAME"])
    assert f"raster {raster} does not exist; give a GeoTIFF (or any raster GDAL reads) as --raster" in err


def test_output_errors_name_out(tmp_path: Path) -> None:
    """A link at an output name: the library says ``out``, the CLI ``--out``."""
    from eco12geo._staging import _link_error

    err = _link_error(tmp_path / "report.json")
    assert isinstance(err, OutputError) and err.param == "out"
    assert str(err).endswith("remove it or give another out folder")
    flag = err.render(lambda n, v: "--out" if n == "out" else n)
    assert flag.endswith("remove it or give another --out folder")


def test_year_checked_by_the_plan(tmp_path: Path) -> None:
    """A year the plan gives no figure for: the library refuses it (audit and validate alike), the CLI first."""
    from eco12geo.plan import bundled_plan

    plan = bundled_plan()
    assert plan.check_year(2035) == 2035 and plan.check_year(None) is None
    with pytest.raises(InputError, match=r"^year=2040: the plan gives figures for 2025, 2035; use one") as info:
        plan.figures_for_year(2040)
    assert info.value.param == "year"
    out = str(tmp_path / "o")
    for cmd in ("audit", "validate"):
        err = _exit_2([cmd, "--year", "2040", "--out", out])  # no layers: the year fails before reading
        assert "--year 2040: the plan gives figures for 2025, 2035; use one of them" in err
    assert "no layers given; pass files or folders, or --layer KEY=PATH" in _exit_2(["audit", "--out", out])
