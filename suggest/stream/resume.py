"""The work folder of a streaming batch: finished chunks kept as complete files, so a run can resume.

Beside the first output, `.<name>.suggest-run/` holds `run.json` (what the run reads and how:
inputs with size and modification time, model version, options), and per finished chunk a
`part-NNNNNN.parquet` (its suggestions and scores) and then `chunk-NNNNNN.json` (its counts).
Both are written under a temporary name and renamed, the record last, so a chunk counts as done
only once both are complete; a run killed mid-chunk redoes just that chunk. The folder is
removed when the outputs are in place, or when the run fails with an error (a run that was
interrupted, by Ctrl-C or a kill, keeps it for `--resume`).
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from suggest.errors import OutputError

if TYPE_CHECKING:
    import pandas as pd

_RECORD = re.compile(r"^chunk-(\d{6})\.json$")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def fingerprint(inputs, model, options: dict) -> dict:
    """What must be unchanged for a resumed run to continue the same batch."""
    from suggest.ingest import list_files

    files = []
    for given in inputs:
        for _, path in list_files([given]):
            st = path.stat()
            files.append([str(path.resolve()), st.st_size, st.st_mtime_ns])
    return {"inputs": files, "model_version": model.version, "codebook_hash": model.codebook.hash,
            "options": options}


class WorkFolder:
    """Finished chunks of one streaming batch (see the module docstring)."""

    def __init__(self, first_output: str | Path):
        out = Path(first_output)
        self.path = out.parent / f".{out.name}.suggest-run"

    def part(self, index: int) -> Path:
        return self.path / f"part-{index:06d}.parquet"

    def record(self, index: int) -> Path:
        return self.path / f"chunk-{index:06d}.json"

    def start(self, stamp: dict, resume: bool) -> dict[int, dict]:
        """Open the folder for this run; returns the finished chunks (number -> record) when resuming.

        Without `resume`, a folder left by an interrupted run is refused (its work would be lost);
        with it, a folder written for other inputs, another model or other options is refused.
        """
        run = self.path / "run.json"
        if run.is_file():
            done = self.finished()
            if not resume:
                raise OutputError(f"an earlier run of this batch was interrupted after {len(done)} finished "
                                  "chunk(s)", path=self.path,
                                  hint="add --resume to continue it, or delete this folder to start again")
            try:
                old = json.loads(run.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old = None
            if old != stamp:
                what = _difference(old, stamp)
                raise OutputError(f"cannot resume: {what} changed since the interrupted run", path=self.path,
                                  hint="run the same command as before with --resume, or delete this folder to "
                                       "start again")
            return done
        if self.path.exists():  # a folder without run.json never got past its first step
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        _write_atomic(run, json.dumps(stamp, indent=1).encode("utf-8"))
        return {}

    def finished(self) -> dict[int, dict]:
        """Chunks whose part and record are both complete; stray temporary files are removed."""
        done: dict[int, dict] = {}
        for entry in self.path.iterdir():
            if entry.name.endswith(".tmp"):
                entry.unlink()
                continue
            m = _RECORD.match(entry.name)
            if m and self.part(int(m.group(1))).is_file():
                done[int(m.group(1))] = json.loads(entry.read_text(encoding="utf-8"))
        return done

    def save(self, index: int, table: "pd.DataFrame", record: dict, schema) -> None:
        """Keep one finished chunk: its table as Parquet, then its record (the chunk is done once both exist)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        tmp = self.part(index).with_name(self.part(index).name + ".tmp")
        pq.write_table(pa.Table.from_pandas(table, schema=schema, preserve_index=False), tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.part(index))
        _write_atomic(self.record(index), json.dumps(record).encode("utf-8"))

    def parts(self) -> list[Path]:
        return sorted(self.path.glob("part-*.parquet"))

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _difference(old: dict | None, new: dict) -> str:
    if not isinstance(old, dict):
        return "the record of the earlier run is unreadable, so what it read"
    if old.get("inputs") != new.get("inputs"):
        return "an input file (its size or modification time)"
    if old.get("model_version") != new.get("model_version") or old.get("codebook_hash") != new.get("codebook_hash"):
        return "the model"
    return "an option (" + ", ".join(k for k in new.get("options", {})
                                     if (old.get("options") or {}).get(k) != new["options"][k]) + ")"
