"""QuantConnect REST API v2 served by QuantDesk, so the ``lean`` CLI and QC scripts work here.

Views translate QC's request and response shapes onto the same services the native API uses.
"""
