from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "kvalis.organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        # Registers the Lithuanian collation on every new SQLite connection.
        from kvalis.lib import collation  # noqa: F401
