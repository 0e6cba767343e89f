from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "kvalis.worker"
    label = "kvalis_worker"
    verbose_name = "Background worker"
