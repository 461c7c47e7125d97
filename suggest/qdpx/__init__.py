"""REFI-QDA projects (.qdpx) in and out: coding moves between `suggest` and NVivo, ATLAS.ti, MAXQDA, QualCoder.

read.py: a .qdpx -> documents, codebook and coded selections (checked before anything is returned);
coded.py: those selections -> the long coded-data table `train` and `agree` read;
write.py: a project's reviewed coding (and, if asked, the model's suggestions) -> a .qdpx.
"""
from suggest.qdpx.coded import coded_long, load_qdpx_coded
from suggest.qdpx.read import QdaProject, Selection, read_qdpx
from suggest.qdpx.write import export_qdpx

__all__ = ["read_qdpx", "QdaProject", "Selection", "coded_long", "load_qdpx_coded", "export_qdpx"]
