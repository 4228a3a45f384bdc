"""Django admin for API clients: create (key shown once), revoke, regenerate the key.

Only a SHA-256 of a key is stored, so the plain key is shown in one place only: the message on
the page right after it was issued (the messages framework drops it once shown). Admins copy it
into the client's secret store; a lost key is regenerated, never recovered.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from lookup.audit import audit_record
from lookup.models import ApiClient, AuditEntry

_REGENERATED = "Regenerated the API key; the old key no longer works."


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ApiClient.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Which endpoints the client may call."),
    )

    class Meta:
        model = ApiClient
        fields = ("name", "scopes", "is_active")


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ("name", "scope_list", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    actions = ("regenerate_key",)

    def get_fields(self, request: HttpRequest, obj: ApiClient | None = None):
        if obj is None:
            return ("name", "scopes")  # active by default; the key is issued on save
        return (
            "name",
            "scopes",
            "is_active",
            "key_hint",
            "created_at",
            "created_by",
            "last_used_at",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: ApiClient | None = None):
        return ("key_hint", "created_at", "created_by", "last_used_at") if obj else ()

    @admin.display(description=gettext_lazy("Scopes"))
    def scope_list(self, client: ApiClient) -> str:
        return ", ".join(client.scopes or []) or "—"

    @admin.display(description=gettext_lazy("Key"))
    def key_hint(self, client: ApiClient) -> str:
        # Enough to tell which key a client is configured with; never the secret part.
        return f"{ApiClient.KEY_PREFIX}_{client.key_prefix[:4]}…" if client.key_prefix else "—"

    def save_model(self, request: HttpRequest, obj: ApiClient, form, change: bool) -> None:
        key = None
        before = (
            ApiClient.objects.filter(pk=obj.pk).values("is_active", "scopes").first()
            if change
            else None
        )
        if not change:
            obj.created_by = request.user
            key = obj.issue_key()
        super().save_model(request, obj, form, change)
        if key is not None:
            _show_key_once(request, obj, key)
        _changes_audit(request, obj, before)

    def delete_model(self, request: HttpRequest, obj: ApiClient) -> None:
        _client_audit(request, obj, AuditEntry.Action.API_KEY_REVOKED, "client deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            _client_audit(request, client, AuditEntry.Action.API_KEY_REVOKED, "client deleted")
        super().delete_queryset(request, queryset)

    @admin.action(
        description=gettext_lazy("Regenerate the key of the selected API clients"),
        permissions=["change"],
    )
    def regenerate_key(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            key = client.issue_key()
            client.save(update_fields=["key_prefix", "key_hash"])
            self.log_change(request, client, _REGENERATED)
            _client_audit(request, client, AuditEntry.Action.API_KEY_REGENERATED, "")
            _show_key_once(request, client, key)


def _show_key_once(request: HttpRequest, client: ApiClient, key: str) -> None:
    if client.is_active:
        text = gettext(
            "New API key for “{name}”: <code>{key}</code> — copy it now into the client's secret "
            "store. It is stored only as a hash and cannot be shown again; if it is lost, "
            "regenerate it."
        )
    else:
        text = gettext(
            "New API key for “{name}”: <code>{key}</code> — copy it now into the client's secret "
            "store. It is stored only as a hash and cannot be shown again; if it is lost, "
            "regenerate it. The client is revoked: tick Active to use the key."
        )
    messages.success(request, format_html(text, name=client.name, key=key))


def _changes_audit(request: HttpRequest, client: ApiClient, before: dict | None) -> None:
    """Key issued, revoked or re-enabled, scopes changed: each on the tool's audit trail."""
    scopes = ", ".join(client.scopes or []) or "none"
    if before is None:
        _client_audit(request, client, AuditEntry.Action.API_CLIENT_CREATED, f"scopes: {scopes}")
        return
    if before["is_active"] != client.is_active:
        action = (
            AuditEntry.Action.API_KEY_REACTIVATED
            if client.is_active
            else AuditEntry.Action.API_KEY_REVOKED
        )
        _client_audit(request, client, action, "")
    if sorted(before["scopes"] or []) != sorted(client.scopes or []):
        _client_audit(
            request,
            client,
            AuditEntry.Action.API_CLIENT_SCOPES_CHANGED,
            f"from {', '.join(before['scopes'] or []) or 'none'} to {scopes}",
        )


def _client_audit(request: HttpRequest, client: ApiClient, action: str, reason: str) -> None:
    # The admin acts: the entry's actor is the admin, its subject the client (no api_client link,
    # which would attribute the entry to the client itself).
    audit_record(request=request, action=action, subject=client.name, reason=reason)
