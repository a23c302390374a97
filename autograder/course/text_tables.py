"""Plain-text tables, as the commands print them (``grade``, ``report``, ``selfcheck``) and the similarity report.

Here, in the room every other room may import, so that a command and a safety layer format a table
the same way without one importing the other.
"""


def format_table(headers, rows):
    """Rows as a plain-text table with aligned columns."""
    rows = [[str(value) for value in row] for row in rows]
    widths = [max([len(header)] + [len(row[i]) for row in rows]) for i, header in enumerate(headers)]
    lines = ["  ".join(header.ljust(width) for header, width in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * width for width in widths)]
    lines += ["  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)
