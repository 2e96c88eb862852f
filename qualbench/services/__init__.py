"""Use cases over an open project. Functions that write take a ``Session`` inside the caller's
transaction (one user action = one transaction) or, for long work, the ``Project`` itself, and
return what changed (:class:`qualbench.changes.Changes`)."""
