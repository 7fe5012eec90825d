"""Sphinx configuration: MyST Markdown, autodoc with Google-style docstrings, furo.

Build (warnings are errors)::

    .venv/bin/sphinx-build --fail-on-warning --keep-going -q -b html docs docs/_build/html

No extension here reaches the network: intersphinx is deliberately not used,
so references to the standard library and to attrs/pluggy render as code.
"""

from __future__ import annotations

import inspect
import re
import sys
from typing import Any

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import PycodeError
from sphinx.pycode import ModuleAnalyzer

import participatie

# -- Project -------------------------------------------------------------------

project = "participatie"
author = "The participatie developers"
copyright = "2020-2026, The participatie developers"
release = participatie.__version__
version = ".".join(release.split(".")[:2])

# -- General -------------------------------------------------------------------

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "sphinx_click",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
language = "en"

myst_enable_extensions = ["colon_fence", "deflist"]

# Quotes and ellipses only: "--apply" in the command reference must stay two
# hyphens, not become an en dash.
smartquotes_action = "qe"
myst_heading_anchors = 3

# -- autodoc and napoleon ------------------------------------------------------

# Every public object is documented once, in api.md (hooks in hooks.md), under
# the name users import it by (participatie.Event, not participatie.model.Event).
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_member_order = "bysource"
autodoc_class_signature = "mixed"

napoleon_google_docstring = True
napoleon_numpy_docstring = False
# ``Attributes:`` sections become ``.. attribute::`` entries of their class, so
# :attr:`Session.offer_period` resolves. autodoc itself is never asked for the
# attrs fields (no ``:undoc-members:`` on attrs classes), so each attribute is
# described exactly once.
napoleon_use_ivar = False
napoleon_attr_annotations = True

# -- HTML ----------------------------------------------------------------------

html_theme = "furo"
html_title = f"participatie {release}"
html_static_path: list[str] = []

# -- Cross-references to re-exported objects -----------------------------------

# Docstrings in the package name objects where they are defined
# (:class:`~participatie.exceptions.UnknownSessionError`, or just
# :class:`LedgerStore` inside participatie.storage), while this documentation
# describes them where users import them from (participatie.UnknownSessionError).
# When such a reference does not resolve, retry it as ``participatie.<name>``.


def _public_twin(target: str) -> str | None:
    parts = target.split(".")
    if parts[0] in participatie.__all__:
        # An unqualified name (:class:`LedgerStore`) in a submodule's docstring.
        return ".".join(["participatie", *parts])
    if len(parts) < 3 or parts[0] != "participatie":
        return None
    for start in range(2, len(parts)):
        name = parts[start]
        if name in participatie.__all__:
            return ".".join(["participatie", *parts[start:]])
    return None


def _resolve_public_twin(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.reference | None:
    if node.get("refdomain") != "py":
        return None
    twin = _public_twin(node.get("reftarget", ""))
    if twin is None:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(  # type: ignore[no-any-return]
        env, node.get("refdoc", ""), app.builder, node["reftype"], twin, node, contnode
    )


# -- Docstrings of re-exported constants ----------------------------------------

# A constant's documentation is a ``#:`` comment (or a string after it) in the
# module that defines it; autodoc looks for it only in the module named in the
# directive (participatie), finds nothing and falls back to the docstring of
# the value's *type* (str, dict, tuple...). Fetch the comment from the
# submodule that defines the same object instead, and never show a builtin
# type's docstring for a constant.


def _comment_doc(name: str, value: object) -> list[str] | None:
    modules = sorted(m for m in sys.modules if m.startswith("participatie."))
    for module_name in modules:
        if getattr(sys.modules[module_name], name, _MISSING) is not value:
            continue
        try:
            docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
        except PycodeError:  # no source to read the comment from
            continue
        if ("", name) in docs:
            return list(docs["", name])
    return None


_MISSING = object()


def _constant_docstring(
    app: Sphinx, what: str, name: str, obj: object, options: Any, lines: list[str]
) -> None:
    if what != "data":
        return
    comment = _comment_doc(name.rpartition(".")[2], obj)
    if comment is not None:
        lines[:] = comment
        return
    type_doc = inspect.getdoc(type(obj))
    if type_doc and lines and lines[0].strip() == type_doc.splitlines()[0].strip():
        lines[:] = []


# -- Properties and constants whose first line holds a colon -------------------

# napoleon reads the first line of a property's or constant's docstring as
# "type: description", so "The instant registration closes: the deadline, or
# else the start." came out as a property of type "The instant registration
# closes". When the "type" is plainly prose (it has spaces and none of the
# characters of an annotation), put the sentence back together.

_ANNOTATION_CHARACTERS = re.compile(r"[\[\]|.,`]")


def _rejoin_property_sentence(
    app: Sphinx, what: str, name: str, obj: object, options: Any, lines: list[str]
) -> None:
    if what not in {"property", "data", "attribute"}:
        return
    for index, line in enumerate(lines):
        if not line.startswith(":type: "):
            continue
        prose = line.removeprefix(":type: ")
        if " " in prose and not _ANNOTATION_CHARACTERS.search(prose):
            del lines[index]
            if index and not lines[index - 1].strip():
                del lines[index - 1]
            lines[0] = f"{prose}: {lines[0]}"
        return


# -- No "Return type" for constants -------------------------------------------

# participatie.hookimpl is a callable object (pluggy's marker); autodoc records
# its __call__ annotations and would describe the constant with a meaningless
# "Return type". Type hints are only wanted for functions, methods and classes.


def _forget_constant_typehints(
    app: Sphinx,
    what: str,
    name: str,
    obj: object,
    options: Any,
    signature: str | None,
    return_annotation: str | None,
) -> None:
    if what == "data":
        annotations = getattr(app.env.current_document, "autodoc_annotations", {})
        annotations.pop(name, None)


def setup(app: Sphinx) -> None:
    app.connect("missing-reference", _resolve_public_twin)
    # Before napoleon (priority 500) sees the lines, and after it respectively.
    app.connect("autodoc-process-docstring", _constant_docstring, priority=100)
    app.connect("autodoc-process-docstring", _rejoin_property_sentence, priority=900)
    # After autodoc's own handler (priority 500) has recorded the type hints.
    app.connect("autodoc-process-signature", _forget_constant_typehints, priority=900)
