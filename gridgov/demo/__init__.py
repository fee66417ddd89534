"""The demo data set: a fictional street with its communities, grids, staff and (later) residents,
houses and cases. Loading is idempotent: a second run refreshes without duplicating anything.
"""
