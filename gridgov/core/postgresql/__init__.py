"""PostgreSQL as Django's own backend, with a health check that costs no round trip while the
connection is quiet (see ``base.DatabaseWrapper.is_usable``)."""
