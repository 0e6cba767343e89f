class BackupError(Exception):
    """A backup or a restore refused, with the reason (the commands show it as it is)."""
