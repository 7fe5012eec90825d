"""Privacy: personal data that is declared, minimal, exportable and erasable.

- :class:`PersonalField`, :func:`declare`, :class:`PersonalDataRegistry`: the
  registry of every stored field (the ``participatie_personal_data`` hook).
- :class:`Pseudonymiser`: keyed pseudonyms for exports and reports, fresh per
  export so that two exports cannot be joined.
- :class:`Erased`, :class:`ErasureReport`, :class:`PurgeReport`: what
  erasure and retention purges did (the ``participatie_erase_person`` and
  ``participatie_purge_event`` hooks).
- :data:`SUBJECT_ACCESS_FORMAT`: the format of a subject-access export (the
  ``participatie_subject_access`` hook).

The organiser's steps are methods of :class:`participatie.Participatie`:
``erase_person``, ``subject_access``, ``export_subject_access``,
``purge_expired`` and ``privacy_log``; the personal-data registry is
``Participatie.personal_data_registry()``.
"""

from participatie.privacy.access import SUBJECT_ACCESS_FORMAT
from participatie.privacy.erasure import Erased, ErasureReport, PurgeReport
from participatie.privacy.pseudonyms import PSEUDONYM_PREFIX, Pseudonymiser
from participatie.privacy.registry import (
    DataKind,
    PersonalDataRegistry,
    PersonalField,
    declare,
)

__all__ = [
    "PSEUDONYM_PREFIX",
    "SUBJECT_ACCESS_FORMAT",
    "DataKind",
    "Erased",
    "ErasureReport",
    "PersonalDataRegistry",
    "PersonalField",
    "Pseudonymiser",
    "PurgeReport",
    "declare",
]
