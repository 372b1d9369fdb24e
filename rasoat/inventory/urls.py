from django.urls import path

from rasoat.inventory.views import entry, general, grid, workflow

unit = "dot/<str:code>/don-vi/<int:pk>/"
sheet = unit + "nhap/<str:sheet>/"

urlpatterns = [
    # Data entry (views/entry.py)
    path(unit + "nhap/", entry.entry_overview, name="entry_overview"),
    path(unit + "nhap/B01/", general.general_form, name="entry_general"),
    path(unit + "nhap/xac-nhan/", entry.confirm_carried, name="entry_confirm_carried"),
    path(sheet, entry.sheet_table, name="entry_sheet"),
    path(sheet + "bang-tinh/", grid.sheet_grid, name="entry_grid"),
    path(sheet + "them/", entry.row_create, name="entry_row_create"),
    path(sheet + "<int:row>/", entry.row_edit, name="entry_row_edit"),
    path(sheet + "<int:row>/nhan-ban/", entry.row_duplicate, name="entry_row_duplicate"),
    path(sheet + "<int:row>/xoa/", entry.row_delete, name="entry_row_delete"),
    # Workflow (views/workflow.py; return, accept, reopen and recall are in desk.views.actions)
    path(unit + "gui/", workflow.submit, name="workflow_submit"),
    path(unit + "tiep-tuc/", workflow.carry_forward, name="workflow_carry_forward"),
    path(unit + "lich-su/", workflow.history, name="workflow_history"),
    path(unit + "so-sanh/", workflow.diff, name="workflow_diff"),
    path(
        "dot/<str:code>/xa/<int:pk>/gui-tat-ca/", workflow.commune_submit_all, name="workflow_commune_submit"
    ),
]
