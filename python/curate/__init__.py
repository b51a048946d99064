"""curate: curate text corpora with a C++ engine, through NeMo Curator's Python API.

Replace ``nemo_curator`` with ``curate`` in a script's imports::

    from curate.pipeline import Pipeline
    from curate.stages.text.io.reader import JsonlReader
    from curate.stages.text.filters import ScoreFilter
    from curate.stages.text.filters.heuristic import WordCountFilter
    from curate.stages.text.io.writer import JsonlWriter

Importing the package needs only the standard library; pyarrow and pandas (the
``parquet`` extra) are needed only by what converts to them.
"""

import pkgutil

# In a source checkout the compiled module lives in the build folder
# (build/python/curate/_curate*.so) while this file lives in python/curate/: both
# folders on sys.path make one package.
__path__ = pkgutil.extend_path(__path__, __name__)

__version__ = "0.1.0"

__all__ = ["__version__"]
