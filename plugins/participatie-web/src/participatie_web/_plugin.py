"""The site's entry in the ``participatie`` plugin group.

The site keeps no personal data of its own: personal links are derived
from what the core stores (see :mod:`participatie_web._links`), so erasing
a person in the core voids their links, and there is nothing for this
plugin to erase, export or purge. It declares exactly that, so the core's
personal-data check knows the site was looked at. Importing this module is
cheap: the web framework is only imported when the site runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from participatie import hookimpl
from participatie.privacy import PersonalField

__all__ = ["participatie_personal_data"]


@hookimpl
def participatie_personal_data() -> Iterable[PersonalField]:
    """Nothing: the site stores no field of its own."""
    return ()
