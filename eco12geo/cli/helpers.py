"""CLI plumbing: gather layer sources, read them with progress, turn library errors into exit 2."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import Eco12GeoError, InputError
from ..io import LayerSource, discover_layers, parse_layer_arg
from ..layerset import LayerSet, load_layers
from ..plan import Plan, load_plan

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2
EXIT_INTERNAL = 3


def fail(message: str, code: int = EXIT_INPUT) -> None:
    """Print one line on stderr and exit."""
    click.echo(f"eco12geo: error: {message}", err=True)
    sys.exit(code)


def translate_errors(func: F) -> F:
    """Run a command, turning library errors into one line and exit 2 (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except Eco12GeoError as exc:
            fail(str(exc).replace("\n", " "))
        except BrokenPipeError:
            # the reader of our output went away (`| head`); the files in --out are already written
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except MemoryError:
            fail("out of memory reading the layers; split the input or run on a larger machine")
        except Exception as exc:  # noqa: BLE001 - last line of defence at the CLI edge
            if ctx.find_root().params.get("debug"):
                raise
            fail(f"unexpected {type(exc).__name__}: {exc}; rerun with --debug and report it", EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def get_plan(plan_path: str | None) -> Plan:
    """Load the plan named on the command line (or the bundled one)."""
    return load_plan(plan_path)


def gather_sources(
    plan: Plan, paths: Sequence[str], layer_args: Sequence[str], units_path: str | None = None
) -> tuple[dict[str, LayerSource], list[str]]:
    """Return the layer sources given by positional PATHs, ``--layer`` and ``--units``."""
    sources: dict[str, LayerSource] = {}
    unmatched: list[str] = []
    if paths:
        sources, unmatched = discover_layers(paths, plan)
    for text in layer_args:
        key, src = parse_layer_arg(text)
        sources[key] = src
    if units_path:
        sources["units"] = LayerSource.parse(units_path)
    return sources, unmatched


def read_sources(
    sources: dict[str, LayerSource], plan: Plan, assume_crs: str | None, engine: str, quiet: bool = False
) -> LayerSet:
    """Read layers, showing progress on stderr for large ones."""
    if not sources:
        raise InputError("no layers given; pass files or folders, or --layer KEY=PATH (see eco12geo --help)")
    bars: dict[str, Any] = {}

    def progress(key: str, n: int, total: int) -> None:
        if quiet or total < 100_000:
            return
        if key not in bars:
            bars[key] = click.progressbar(length=total, label=f"reading {key}", file=sys.stderr)
            bars[key].__enter__()
        bars[key].update(n - bars[key].pos)
        if n >= total:
            bars.pop(key).__exit__(None, None, None)

    return load_layers(sources, plan, assume_crs=assume_crs, engine=engine, progress=progress)


#: layers of at least this many features (all together) get progress bars
BAR_FEATURES = 100_000


@contextlib.contextmanager
def step_bar(layers: LayerSet, label: str, quiet: bool) -> Iterator[Callable[[str, int, int], None] | None]:
    """Yield a ``progress(step, done, total)`` callback drawing a bar on stderr (None when quiet or small)."""
    if quiet or sum(len(layers[k]) for k in layers.keys()) < BAR_FEATURES:
        yield None
        return
    bar: Any = None

    def progress(step: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr, item_show_func=lambda _: step)
            bar.__enter__()
        bar.update(done - bar.pos, step)

    try:
        yield progress
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def list_unmatched(unmatched: Sequence[str]) -> None:
    """Tell the user which layers no key matched (never guessed)."""
    for u in unmatched:
        click.echo(f"eco12geo: note: {u} matches no layer key; pass it as --layer KEY=PATH to use it", err=True)


def prepare_out(out_dir: str) -> Path:
    """Create the output folder."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _layers_dirs() -> list[Path]:
    env = os.environ.get("ECO12GEO_LAYERS")
    return ([Path(env)] if env else []) + [Path(__file__).resolve().parents[2] / "layers"]


def bundled_layer(name: str) -> Path | None:
    """Return a file of the bundled ``layers/`` folder (or ``$ECO12GEO_LAYERS``), None when absent."""
    return next((d / name for d in _layers_dirs() if (d / name).is_file()), None)


def demo_layers_dir() -> Path:
    """Return the folder of the bundled demo layers (``layers/`` of the source tree)."""
    found = bundled_layer("demo_baseline.gpkg")
    if found is None:
        raise InputError(
            "the demo layers were not found; run from a source checkout (make demo) or set ECO12GEO_LAYERS"
        )
    return found.parent
