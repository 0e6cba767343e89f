from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "kvalis.accounts"
    verbose_name = _("Accounts")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin with Kvalis' site: it asks for the second factor (accounts.admin_site)."""

    default = False  # named in INSTALLED_APPS; AccountsConfig stays this module's default
    default_site = "kvalis.accounts.admin_site.AdminSite"
