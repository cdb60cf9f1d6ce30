"""LEAN on-disk data: bar types, readers, factor/map files, market hours."""
