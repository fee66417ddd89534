"""一张表采集: importing and exporting the registry as Excel sheets in a fixed Chinese format.

- ``labels`` and ``columns``: the exchange format (headers, choice labels) and header matching;
- ``reader``: rows of the first sheet, read with python-calamine;
- ``kinds``: one module per sheet (areas, residents, houses, courtyards) that parses, plans and
  writes rows, and exports them;
- ``runner``: the modes (apply the valid rows / all or nothing / check only), batches and
  transactions, progress, and the result workbook (``results``);
- ``sql`` and ``audit``: the bulk write path (``executemany`` and one audit entry per row);
- ``workbooks``: the downloadable templates and the masked exports.

Callers: ``gridgov import`` / ``gridgov export``, the import pages (through the task in
``registry/tasks.py``) and ``gridgov bench import``.
"""
