"""Use cases: what a user does with the store, in one place for the app, the CLI and the Python API.

Each module is a set of plain functions ``f(store, actor, ...)`` over
:class:`gisplan.store.Store`; every write runs in one
:meth:`~gisplan.store.Store.transaction` (permission re-checked, versioned,
audited), so a refused or failed call leaves the store as it was.

- :mod:`~gisplan.workflows.submissions`: a municipality submits sites (an upload, a
  drawing, or one shape through the API), always through the intake's checks;
- :mod:`~gisplan.workflows.moderation`: the moderation loop (accept, reject, return,
  resubmit, withdraw) with notices; **the** one accept path, which scores the new site
  with every applicable profile and sets its region code;
- :mod:`~gisplan.workflows.site_scoring`: score one site with every applicable profile
  (used by the accept and by the intake preview alike);
- :mod:`~gisplan.workflows.ingest`: load a scored GeoPackage into the store (re-ingest
  keeps notes, links and statuses; ``COPY`` on PostGIS);
- :mod:`~gisplan.workflows.shortlists`: named shortlists built by status, filter or hand.

Site notes, statuses and links are single permission-checked writes of the store
(:class:`gisplan.store.Tx`, or the one-call shortcuts on :class:`~gisplan.store.Store`).
Layering (checked by import-linter, see ``pyproject.toml``): workflows stand above
the store, the intake and the scoring core, and below the app and the CLI; the
store imports none of them.
"""

from __future__ import annotations
