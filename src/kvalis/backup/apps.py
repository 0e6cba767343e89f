from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "kvalis.backup"
    verbose_name = "Backup and restore"
