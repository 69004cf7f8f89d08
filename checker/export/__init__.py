"""Trace and verdict printers: each module turns data into text; none of them prints."""
