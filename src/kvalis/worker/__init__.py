"""The background worker: django-tasks-db's `db_worker`, made to outlast a busy database."""
