from django.contrib import admin

from kvalis.budget.models import BudgetLine, Expense


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "category", "source", "planned_amount"]
    list_filter = ["category", "source"]
    search_fields = ["title", "project__code"]


@admin.register(Expense)
class ExpenseAdmin(admin.ModelAdmin):
    list_display = ["date", "document_number", "supplier", "amount", "line"]
    search_fields = ["document_number", "supplier", "line__project__code"]
    raw_id_fields = ["line"]
    # The scan is served only through the access-checked view, never as a media link.
    exclude = ["scan"]
