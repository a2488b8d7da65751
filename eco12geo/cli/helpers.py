"""CLI plumbing: gather layer sources, read them with progress, turn library errors into exit 2."""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from .._staging import output_error, staging
from ..errors import Eco12GeoError, InputError
from ..io import LayerSource
from ..layerset import LayerSet
from ..plan import Plan, load_plan
from ..workflows import gather_sources, read_layers

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 2
EXIT_INTERNAL = 3


def fail(message: str, code: int = EXIT_INPUT) -> None:
    """Print one line on stderr and exit."""
    click.echo(f"eco12geo: error: {message}", err=True)
    sys.exit(code)


#: library argument names whose option has another Python name in the commands
_PARAM_NAMES = {"out": "out_dir", "plan": "plan_path", "values": "values_path", "report": "report_path",
                "units": "units_path", "exceptions": "exceptions_path", "context": "context_path"}


def command_flags(ctx: click.Context) -> Callable[[str, str | None], str]:
    """Return how the running command writes a library argument: its own flag (``--assume-crs EPSG:4490``).

    A library error names the argument at fault by its Python name (:attr:`Eco12GeoError.param`);
    this maps the name to the option of the command that was run, so the one-line message names
    a flag the user can type.
    """
    flags: dict[str, str] = {}
    for p in ctx.command.params:
        longs = [o for o in p.opts if o.startswith("--")]
        if isinstance(p, click.Option) and longs and p.name:
            flags[p.name] = longs[0]
            flags[longs[0][2:].replace("-", "_")] = longs[0]

    def flag(name: str, value: str | None) -> str:
        text = flags.get(name) or flags.get(_PARAM_NAMES.get(name, name)) or "--" + name.replace("_", "-")
        return text if value is None else f"{text} {value}"

    return flag


def translate_errors(func: F) -> F:
    """Run a command, turning library errors into one line and exit 2 (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        out_dir = kwargs.get("out_dir")
        try:
            with _terminated_exits(), (staging(out_dir) if out_dir else contextlib.nullcontext()):
                return func(*args, **kwargs)
        except Eco12GeoError as exc:
            fail(exc.render(command_flags(ctx)).replace("\n", " "))
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


@contextlib.contextmanager
def _terminated_exits() -> Iterator[None]:
    """Turn SIGTERM into ``SystemExit(143)`` while a command runs, so its staged outputs are removed."""
    def _exit(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, _exit)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def get_plan(plan_path: str | None) -> Plan:
    """Load the plan named on the command line (or the bundled one)."""
    return load_plan(plan_path)


def reading_progress(quiet: bool = False) -> Callable[[str, int, int], None]:
    """Return a ``progress(key, done, total)`` callback drawing one bar per large layer on stderr."""
    bars: dict[str, Any] = {}

    def progress(key: str, n: int, total: int) -> None:
        if quiet or total < BAR_FEATURES:
            return
        if key not in bars:
            bars[key] = click.progressbar(length=total, label=f"reading {key}", file=sys.stderr)
            bars[key].__enter__()
        bars[key].update(n - bars[key].pos)
        if n >= total:
            bars.pop(key).__exit__(None, None, None)

    return progress


def read_sources(
    sources: dict[str, LayerSource], plan: Plan, assume_crs: str | None, engine: str, quiet: bool = False
) -> LayerSet:
    """Read the given sources, showing progress on stderr for large layers."""
    return read_layers(plan, sources, assume_crs=assume_crs, engine=engine, progress=reading_progress(quiet))


def read_cli_layers(
    plan: Plan, paths: Sequence[str], layer_args: Sequence[str], units_path: str | None, assume_crs: str | None,
    engine: str, quiet: bool = False,
) -> LayerSet:
    """Read the layers named by PATHs, ``--layer`` and ``--units``, listing the unmatched ones."""
    sources, unmatched = gather_sources(plan, paths, layer_args, units_path)
    list_unmatched(unmatched)
    return read_sources(sources, plan, assume_crs, engine, quiet)


def echo_written(written: Sequence[Path]) -> None:
    """List the files a command wrote, after a blank line."""
    click.echo("")
    for p in written:
        click.echo(f"→ {p}")


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


def note(text: str) -> None:
    """Tell the user something worth knowing, on stderr."""
    click.echo(f"eco12geo: note: {text}", err=True)


def list_unmatched(unmatched: Sequence[str]) -> None:
    """Tell the user which layers no key matched (never guessed)."""
    for u in unmatched:
        click.echo(f"eco12geo: note: {u} matches no layer key; pass it as --layer KEY=PATH to use it", err=True)


def prepare_out(out_dir: str) -> Path:
    """Create the output folder (one line, exit 2, when it cannot be)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, out) from None
    if os.statvfs(out).f_flag & os.ST_RDONLY:
        raise output_error(OSError(errno.EROFS, os.strerror(errno.EROFS)), out)
    if not os.access(out, os.W_OK | os.X_OK):
        raise output_error(PermissionError(errno.EACCES, "Permission denied"), out)
    return out
