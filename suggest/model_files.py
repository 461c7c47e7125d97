"""The files of a model folder: the manifest that proves them, the classifier types allowed, and safe replacing.

`save` writes `manifest.json` last: every other file's name, size and SHA-256. `verify`
refuses a folder whose files differ from it in any way (missing, extra, truncated, edited)
before anything in it is parsed. Format 1 folders (before manifests) load without one.
The classifier (skops) may hold only the types in ALLOWED_TYPES: full names, no prefixes,
so a tampered file cannot call `builtins.exec` or any other function while loading.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from suggest.errors import ModelError, OutputError

MANIFEST = "manifest.json"
_RETRAIN = "retrain the model with `suggest train` (only load model folders you or your team trained)"

# Every type a suggest classifier holds beyond those skops trusts by default (numpy arrays,
# scikit-learn estimators...). A new head class must be added here to be loadable.
ALLOWED_TYPES = frozenset({
    "suggest.classify.combined.CombinedClassifier",
    "suggest.classify.dense.DenseClassifier",
    "suggest.classify.lexical.LexicalClassifier",
    "suggest.classify.groups.GroupedClassifier",
})


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    """Every file under `folder` (a fine-tuned encoder lives in a subfolder), manifest and hidden ones aside."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def write_manifest(folder: str | Path) -> Path:
    """Record the relative path, size and SHA-256 of every file in `folder` (written last when saving)."""
    folder = Path(folder)
    files = {p.relative_to(folder).as_posix(): {"size": p.stat().st_size, "sha256": sha256(p)}
             for p in _files(folder)}
    (folder / MANIFEST).write_text(json.dumps({"files": files}, indent=2), encoding="utf-8")
    return folder / MANIFEST


def verify(folder: Path, legacy: bool = False) -> None:
    """Refuse a model folder whose files do not match its manifest (or that has none, unless `legacy`)."""
    man_path = folder / MANIFEST
    if not man_path.is_file():
        if legacy:
            return
        raise ModelError(f"{MANIFEST} is missing, so the model's files cannot be checked", path=folder,
                         hint=_RETRAIN)
    try:
        files = json.loads(man_path.read_text(encoding="utf-8"))["files"]
        expected = {str(name): (int(f["size"]), str(f["sha256"])) for name, f in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{MANIFEST} is corrupt ({type(exc).__name__})", path=man_path, hint=_RETRAIN) from None
    present = {p.relative_to(folder).as_posix() for p in _files(folder)}
    extra = sorted(present - set(expected))
    if extra:
        raise ModelError(f"unexpected file '{extra[0]}' (not in {MANIFEST})", path=folder / extra[0],
                         hint="remove it, or " + _RETRAIN)
    for name, (size, digest) in sorted(expected.items()):
        path = folder / name
        if "\\" in name or name.startswith("/") or ".." in name.split("/") or not path.is_file():
            raise ModelError(f"{name} is missing", path=folder, field=name, hint=_RETRAIN)
        if path.stat().st_size != size or sha256(path) != digest:
            raise ModelError(f"'{name}' was changed or damaged after the model was saved (size or SHA-256 differs "
                             f"from {MANIFEST})", path=path, hint=_RETRAIN)


def load_classifier(path: Path) -> Any:
    """Load classifier.skops allowing only ALLOWED_TYPES; any problem is a ModelError naming the file."""
    import skops.io as sio

    if not path.is_file():
        raise ModelError("classifier.skops is missing", path=path.parent, hint=_RETRAIN)
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises many types on a damaged or non-skops file
        raise ModelError(f"not a readable skops file ({type(exc).__name__}: {exc})", path=path,
                         hint=_RETRAIN) from None
    refused = sorted(t for t in untrusted if t not in ALLOWED_TYPES)
    if refused:
        raise ModelError(f"the classifier holds types suggest does not allow: {', '.join(refused[:3])}",
                         path=path, hint="the file was not written by suggest; " + _RETRAIN)
    try:
        return sio.load(path, trusted=list(untrusted))
    except Exception as exc:
        raise ModelError(f"the classifier cannot be loaded ({type(exc).__name__}: {exc})", path=path,
                         hint=_RETRAIN) from None


# --- writing: --out ----------------------------------------------------------------------------------
def is_model_folder(path: Path) -> bool:
    """A folder `suggest train` wrote: config.json with a format version, and a classifier."""
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(config, dict) and "format_version" in config and (path / "classifier.skops").is_file()


def check_model_out(path: str | Path) -> Path:
    """Refuse an --out that is a file, or a non-empty folder that is not a model folder; returns the path."""
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise OutputError("this exists and is not a folder; suggest will not replace it", path=path,
                          hint="give a new folder name for the model")
    if path.is_dir():
        others = sorted(p.name for p in path.iterdir())
        if others and not is_model_folder(path):
            raise OutputError(f"the folder is not empty and is not a model folder (it holds '{others[0]}'); "
                              "suggest replaces only a model folder it wrote", path=path,
                              hint="give a new or empty folder name for the model")
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def clean_stale(path: Path) -> None:
    """Remove temporary folders that a killed save left beside `path` (their process is gone)."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(?:partial|old)-(\d+)-")
    with contextlib.suppress(OSError):
        for entry in path.parent.iterdir():
            match = pattern.match(entry.name)
            if match and entry.is_dir() and not _alive(int(match.group(1))):
                if ".old-" in entry.name and (entry / path.name).is_dir() and not path.exists():
                    os.rename(entry / path.name, path)  # killed between the two renames: put it back
                shutil.rmtree(entry, ignore_errors=True)


@contextlib.contextmanager
def replacing(path: str | Path):
    """Yield a temporary folder beside `path`; once the block succeeds, it replaces `path` (a model folder).

    The old model is moved aside only after the new one is complete, then removed.
    """
    path = check_model_out(path)
    clean_stale(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.partial-{os.getpid()}-", dir=path.parent))
    try:
        yield tmp
        write_manifest(tmp)
        check_model_out(path)  # it may have changed during a long training
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-{os.getpid()}-", dir=path.parent))
            os.rename(path, old / path.name)
            os.rename(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
