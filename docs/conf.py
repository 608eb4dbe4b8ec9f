"""Sphinx configuration of netsim's reference site (``make docs`` writes it to ``site/``).

The pages are Markdown (MyST); the API reference is read from the numpydoc docstrings. The
build is strict (``-W -n``): a warning, a docstring numpydoc cannot parse, or a
cross-reference to a netsim name that does not exist fails it, which
``tests/test_docs_site.py`` checks in the default test run. The site loads nothing from the
network: the theme's assets and the search index are files beside the pages.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import netsim  # noqa: E402

project = "netsim"
author = "the netsim developers"
copyright = "the netsim developers, MIT licence"
release = netsim.__version__

extensions = [
    "sphinx.ext.autodoc",
    "numpydoc",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# Markdown pages: headings get anchors so that pages can link to sections.
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# Docstrings: numpydoc sections, which carry the types (signatures show names and defaults:
# the annotations of pydantic fields would bury them).
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# A reference to a netsim name that does not exist fails the build; names of Python and of
# the libraries netsim uses are not documented here (no inventories are fetched: offline).
nitpicky = True
_EXTERNAL = (
    "builtins|typing|collections|concurrent|pathlib|os|io|json|sqlite3|datetime|enum|types|"
    "numpy|np|pandas|pd|scipy|matplotlib|networkx|nx|simpy|pydantic|dask|distributed|"
    "ema_workbench|SALib|babel|numba|argparse|contextlib|dataclasses|abc|re|tomllib|"
    "pyarrow|threading|multiprocessing|logging|functools|itertools|csv|annotated_types|pydantic_core"
)
nitpick_ignore_regex = [
    (r"py:.*", rf"({_EXTERNAL})(\..*)?"),
    (
        r"py:.*",
        r"(int|float|str|bytes|bool|dict|list|tuple|set|frozenset|object|type|None|Any|"
        r"Callable|Iterable|Iterator|Sequence|Mapping|Literal|TypeVar|NamedTuple|Path|"
        r"Executor|Future|DataFrame|Series|ndarray|Generator|Axes|Figure|Graph)",
    ),
]

html_theme = "furo"
html_title = f"netsim {release}"
html_show_sourcelink = False
html_copy_source = False
