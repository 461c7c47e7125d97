"""Streaming batch: pre-annotate inputs of any size a chunk at a time, with flat memory and `--resume`.

read.py (tables in row chunks, documents in groups of files) -> run.py (the stages: segment,
[transform], embed, score, evidence; the progress bar) -> resume.py (finished chunks kept as
complete files) -> write.py (the outputs, written from the finished chunks and renamed at the end).
spark.py runs the same model over a Spark DataFrame.
"""
from suggest.stream.run import BatchResult, stream_batch

__all__ = ["BatchResult", "stream_batch"]
