"""Backup and restore: one archive holding the database, every uploaded or generated file and a
manifest with checksums (`kvalis backup`, `kvalis restore ARCHIVE`)."""
