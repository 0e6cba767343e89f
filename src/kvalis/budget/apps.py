from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class BudgetConfig(AppConfig):
    name = "kvalis.budget"
    verbose_name = pgettext_lazy("budget", "Budget")
