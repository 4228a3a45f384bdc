"""Django admin: accounts and roles, the read-only audit trail, API clients."""

import csv
import re
from collections.abc import Iterator
from datetime import UTC

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from lookup.access import roles
from lookup.audit import audit_record
from lookup.audit_listing import AuditCalendarQuerySet, AuditPaginator
from lookup.audit_search import audit_search_filter
from lookup.bulk_models import BulkUnlink
from lookup.models import AuditEntry
from lookup.templatetags.desk import moment_text

ROLES = {
    roles.SUPPORT_AGENT: gettext_lazy("search and view customers"),
    roles.SUPPORT_LEAD: gettext_lazy("also unlink and restore order links"),
    roles.ADMIN: gettext_lazy(
        "accounts, roles, audit trail, API clients (gives staff status, which the "
        "Django admin needs)"
    ),
}
# Longer customer ids are shortened in the audit list (the entry's page shows them whole).
_LISTED_ID_LENGTH = 40

admin.site.site_header = gettext_lazy("Phone lookup administration")
admin.site.site_title = gettext_lazy("Phone lookup admin")
admin.site.index_title = gettext_lazy("Access, audit trail and API clients")

User = get_user_model()

_CSV_COLUMNS = [
    ("at", "Time (UTC)"),
    ("actor", "User or API client"),
    ("action", "Action"),
    ("action_label", gettext_lazy("Action (label)")),  # beside the code: what the list shows
    ("phone", "Phone (E.164)"),
    ("customer_id", "Customer id"),
    ("result_count", "Customers matched"),
    ("reason", "Reason"),
    ("client_address", "Client address"),
    ("request_id", "Request id"),
    ("path", "Path"),
    ("subject", "Account or client"),  # last: columns added later keep earlier ones in place
]


class _Echo:
    """A file-like object csv.writer can write to, returning each line for streaming."""

    def write(self, value: str) -> str:
        return value


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: entries can be filtered and exported, never added, edited or deleted."""

    # Fits 1366 px beside the filters, the reason included: the account an entry is about
    # shares the customer's column (an entry names one or the other), and the client address is
    # on the entry's page and in the export.
    list_display = ("when", "actor", "action", "phone", "customer", "matched", "short_reason")
    list_filter = ("action", ("at", admin.DateFieldListFilter), "user")
    # What the search box searches depends on what was typed (audit_search_filter); declared
    # so that the admin shows the box.
    search_fields = ("phone", "customer_id", "request_id", "actor", "subject")
    search_help_text = gettext_lazy(
        "A phone number in any format, the beginning of a customer id, a request id, or a user "
        "or API client name (or its beginning)."
    )
    date_hierarchy = "at"
    list_per_page = 100
    # A year's trail is tens of millions of entries: counting them all on every page would cost
    # seconds (audit_paginator counts up to a bound instead).
    show_full_result_count = False
    # Counts beside each filter's choices would count the whole trail once per choice.
    show_facets = admin.ShowFacets.NEVER
    change_list_template = "admin/lookup/auditentry/change_list.html"

    def get_queryset(self, request):
        # The date hierarchy's years, months and days come from the entries' first and last
        # times (two index reads) rather than a scan of the whole trail.
        queryset = super().get_queryset(request)
        return AuditCalendarQuerySet(model=queryset.model, query=queryset.query, using=queryset.db)

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return AuditPaginator(queryset, per_page, orphans, allow_empty_first_page)

    def get_search_results(self, request, queryset, search_term):
        """Only the column what was typed can be (audit_search_filter), each read by its
        index: a search never reads the whole trail."""
        condition = audit_search_filter(term=search_term)
        if condition is None:
            return queryset, False
        return queryset.filter(condition), False

    @admin.display(description=gettext_lazy("Time"), ordering="at")
    def when(self, entry: AuditEntry) -> str:
        # The day and the time each on one line, the pair on two when the column is narrow.
        day, _, time = moment_text(entry.at).partition(", ")
        return format_html(
            '<span class="nowrap">{},</span> <span class="nowrap">{}</span>', day, time
        )

    @admin.display(description=gettext_lazy("Customer id or account"), ordering="customer_id")
    def customer(self, entry: AuditEntry) -> str:
        if not entry.customer_id and (batch := BulkUnlink.id_from_subject(entry.subject)):
            # A bulk unlink's entry: its batch page, where it can be undone.
            return format_html(
                '<a href="{}">{}</a>', reverse("lookup:bulk_batch", args=[batch]), entry.subject
            )
        if not entry.customer_id:
            return entry.subject or "-"
        if len(entry.customer_id) <= _LISTED_ID_LENGTH:
            return entry.customer_id
        return f"{entry.customer_id[: _LISTED_ID_LENGTH - 1]}…"

    @admin.display(description=gettext_lazy("Matched"), ordering="result_count")
    def matched(self, entry: AuditEntry) -> int | None:
        """The customers a search matched, under a header as narrow as its numbers."""
        return entry.result_count

    @admin.display(description=gettext_lazy("Reason"))
    def short_reason(self, entry: AuditEntry) -> str:
        return entry.reason if len(entry.reason) <= 60 else f"{entry.reason[:57]}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv),
            name="lookup_auditentry_export",
        )
        return [export, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        export_url = reverse("admin:lookup_auditentry_export")
        query = request.GET.urlencode()
        extra_context = {
            **(extra_context or {}),
            "export_url": f"{export_url}?{query}" if query else export_url,
        }
        return super().changelist_view(request, extra_context)

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        """The entries the change list shows with the same filters and search, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # What the change list does with a filter it cannot apply.
            return HttpResponseRedirect(f"{reverse('admin:lookup_auditentry_changelist')}?e=1")
        # The export's own entry is not in it. By time, not by id: counting a month of a
        # year's trail then reads the time index alone, and the first byte follows at once.
        entries = changelist.get_queryset(request).filter(at__lte=timezone.now())
        entries = entries.order_by("-at", "-id")
        # The export holds numbers and customer ids: who took which slice is on the record too.
        audit_record(
            request=request,
            action=AuditEntry.Action.AUDIT_EXPORT,
            result_count=entries.count(),
            reason=f"filters: {request.GET.urlencode() or 'none'}",
        )
        filename = f"audit-trail-{timezone.now():%Y%m%d-%H%M%S}.csv"
        response = StreamingHttpResponse(
            self._csv_rows(entries.iterator(chunk_size=2000)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @staticmethod
    def _csv_rows(entries) -> Iterator[str]:
        writer = csv.writer(_Echo())
        # The byte-order mark tells Excel the file is UTF-8: without it, accented names garble.
        yield "\ufeff" + writer.writerow([label for _, label in _CSV_COLUMNS])
        for entry in entries:
            row = []
            for field, _ in _CSV_COLUMNS:
                if field == "action_label":
                    value = entry.get_action_display()
                else:
                    value = getattr(entry, field)
                if field == "at":
                    value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                row.append(_csv_safe("" if value is None else str(value)))
            yield writer.writerow(row)


_PLAIN_NUMBER = re.compile(r"^[+-]?[0-9]+$")
# A formula character at the start of the cell, or after a separator a spreadsheet may split the
# cell on when importing (its locale's `;`, a `,`, a tab, a `|`): each piece becomes a cell of
# its own, so `reason;=HYPERLINK(...)` would start a formula too.
_FORMULA_START = re.compile(r"(?:^|[;,\t|])\s*[=+\-@\t\r]")


def _csv_safe(value: str) -> str:
    """Defuse spreadsheet formulas in a CSV cell, keeping plain numbers (E.164 phones) readable.

    The leading apostrophe makes the whole cell text; one after each such separator does the
    same for the piece a split import would make of it.
    """
    if _PLAIN_NUMBER.match(value) or not _FORMULA_START.search(value):
        return value
    return "'" + re.sub(r"([;,\t|])(?=\s*[=+\-@\t\r])", r"\1'", value)


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Accounts and roles. Only superusers may grant superuser status or one-off permissions."""

    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "roles",
        "last_login",
    )
    list_filter = ("is_active", "is_staff", "groups")

    @admin.display(description=gettext_lazy("Roles"))
    def roles(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        if obj is not None and obj.pk == request.user.pk:
            # Nobody grants themselves a role or re-enables their own access: a second admin
            # does, and the audit trail shows who.
            readonly += [f for f in _ACCESS_FIELDS if f not in readonly]
        return readonly

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:  # the form was saved
            # Whoever sets a password can sign in as that person: the trail must say who did.
            user = self.get_object(request, unquote(id))
            reason = "password set" if user.has_usable_password() else "password sign-in turned off"
            _account_audit(request, user, AuditEntry.Action.PASSWORD_SET, reason)
        return response

    def save_model(self, request, obj, form, change) -> None:
        before = type(obj).objects.filter(pk=obj.pk).values(*_FLAGS).first() if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            _account_audit(request, obj, AuditEntry.Action.ACCOUNT_CREATED, "")
            return
        if before["is_active"] != obj.is_active:
            action = (
                AuditEntry.Action.ACCOUNT_ACTIVATED
                if obj.is_active
                else AuditEntry.Action.ACCOUNT_DEACTIVATED
            )
            _account_audit(request, obj, action, "")
        flags = [
            f"{label} {'granted' if getattr(obj, flag) else 'removed'}"
            for flag, label in (("is_staff", "staff status"), ("is_superuser", "superuser status"))
            if before[flag] != getattr(obj, flag)
        ]
        if flags:
            _account_audit(request, obj, AuditEntry.Action.STAFF_STATUS_CHANGED, "; ".join(flags))

    def save_related(self, request, form, formsets, change) -> None:
        user = form.instance
        before = set(user.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(user.groups.values_list("name", flat=True))
        _staff_follow_admin_role(request, user, had_admin=roles.ADMIN in before)
        if before != after:
            changes = [f"added {name}" for name in sorted(after - before)]
            changes += [f"removed {name}" for name in sorted(before - after)]
            roles_now = ", ".join(sorted(after)) or "none"
            _account_audit(
                request,
                user,
                AuditEntry.Action.ROLES_CHANGED,
                f"{'; '.join(changes)} (roles now: {roles_now})",
            )

    def delete_model(self, request, obj) -> None:
        _account_audit(request, obj, AuditEntry.Action.ACCOUNT_DELETED, "")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset:
            _account_audit(request, user, AuditEntry.Action.ACCOUNT_DELETED, "")
        super().delete_queryset(request, queryset)

    # An Admin manages staff accounts, not superusers: otherwise changing a superuser's
    # password would hand over every right the role was meant not to have.
    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=ROLES)
            kwargs["help_text"] = gettext("The person's roles: %(roles)s") % {
                "roles": "; ".join(f"{name}: {summary}" for name, summary in ROLES.items())
            }
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _staff_follow_admin_role(request: HttpRequest, user, *, had_admin: bool) -> None:
    """The Admin role gives staff status (the Django admin needs it) and taking the role away
    takes it away, unless the account is a superuser. Staff ticked by hand without the role
    is left alone."""
    has_admin = user.groups.filter(name=roles.ADMIN).exists()
    if has_admin and not user.is_staff:
        staff, why = True, "staff status granted with the Admin role"
    elif had_admin and not has_admin and user.is_staff and not user.is_superuser:
        staff, why = False, "staff status removed with the Admin role"
    else:
        return
    user.is_staff = staff
    user.save(update_fields=["is_staff"])
    _account_audit(request, user, AuditEntry.Action.STAFF_STATUS_CHANGED, why)


_FLAGS = ("is_active", "is_staff", "is_superuser")
_ACCESS_FIELDS = (*_FLAGS, "groups", "user_permissions")


def _account_audit(request: HttpRequest, user, action: str, reason: str) -> None:
    audit_record(request=request, action=action, subject=user.get_username(), reason=reason)
