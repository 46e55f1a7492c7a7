"""Reading the bureau's files and writing ours — the only package that touches files.

Every file is read **once**, as bytes (:mod:`casplan.io.sources`): its SHA-256 is taken from those
bytes and the parsers work on the same bytes. Workbooks are checked before a parser allocates anything
(:mod:`casplan.io.workbook`), text tables decoded in the encodings units use (:mod:`casplan.io.text`),
tables found below title rows with merged cells filled (:mod:`casplan.io.tables`). Every YAML file goes
through one loader (:mod:`casplan.io.yamlfile`); every output through one atomic writer
(:mod:`casplan.io.write`).
"""

from casplan.io.grid import excel_column
from casplan.io.sources import DEFAULT_LIMITS, TABLE_SUFFIXES, Limits, Source, expand_paths, one_line, read_source
from casplan.io.tables import (HEADER_SCAN_ROWS, MIN_HEADER_MATCHES, RawTable, read_file_tables, read_plain_table,
                               read_plain_table_source, read_tables)
from casplan.io.write import (EXCEL_MAX_CELL, SheetTitle, excel_bytes, neutralise_formula, os_reason, write_atomic, write_frame, write_json,
                              write_text_atomic, write_workbook)
from casplan.io.yamlfile import (YAML_MAX_BYTES, YAML_MAX_DEPTH, decode_text, load_yaml, read_json, read_yaml,
                                 read_yaml_source)

__all__ = [
    "Source", "Limits", "DEFAULT_LIMITS", "TABLE_SUFFIXES", "read_source", "expand_paths", "one_line",
    "RawTable", "read_file_tables", "read_tables", "read_plain_table", "read_plain_table_source",
    "HEADER_SCAN_ROWS", "MIN_HEADER_MATCHES", "excel_column",
    "EXCEL_MAX_CELL", "neutralise_formula", "write_atomic", "write_text_atomic", "write_json", "write_frame",
    "write_workbook", "SheetTitle", "excel_bytes", "os_reason",
    "YAML_MAX_BYTES", "YAML_MAX_DEPTH", "load_yaml", "read_yaml", "read_yaml_source", "decode_text", "read_json",
]
