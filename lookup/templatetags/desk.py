"""The agent's desk: one way to write a time, short ids, order links, the role a page needs."""

from datetime import date, datetime, time
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext

from lookup.access import roles
from lookup.access.permissions import permission_of_view
from lookup.domain.text import text_copyable
from lookup.languages.dates import day_local, moment_local
from lookup.languages.locales import language_is_english
from lookup.navigation import NUMBERS_PAGE_PARAM

register = template.Library()

SHORT_ID_LENGTH = 8


def _local(moment: datetime) -> datetime:
    """`moment` in the desk's time zone (TIME_ZONE, or one a request activated)."""
    if not timezone.is_aware(moment):
        return moment
    zone = timezone.get_current_timezone()
    # Stored times are UTC: a desk in UTC (the default) needs no conversion, which is most of
    # what a results page's dozens of dates would cost.
    if zone.utcoffset(moment) == moment.utcoffset() and str(zone) in ("UTC", "Etc/UTC"):
        return moment
    return timezone.localtime(moment, zone)


def _zone(local: datetime) -> str:
    """The zone's abbreviation ("UTC", "CET", "BST"), or its offset where the zone has none
    ("UTC−03" for America/Sao_Paulo, whose tz database name is "-03")."""
    name = local.tzname() or "UTC"
    if name[:1] in "+-":
        sign = "−" if name[0] == "-" else "+"
        return f"UTC{sign}{name[1:]}"
    return name


def day_start(day: date) -> datetime:
    """Where a day a person typed begins: midnight in the desk's time zone, as pages read their
    dates ("last seen before 1 Mar" is before 1 Mar there, not in UTC)."""
    return timezone.make_aware(datetime.combine(day, time()))


def moment_text(moment: datetime) -> str:
    """A time as every page writes it: "20 Nov 2026, 14:05 UTC" (24-hour, the zone named)."""
    return _moment_text(_local(moment))


def day_text(moment: datetime) -> str:
    """A day as every page writes it: "20 Nov 2026", the day in the desk's time zone."""
    return _day_text(_local(moment))


def _moment_text(local: datetime) -> str:
    language = translation.get_language()
    if not language_is_english(language=language):
        return moment_local(local=local, zone=_zone(local), language=language)
    return f"{local.day} {local:%b %Y, %H:%M} {_zone(local)}"


def _day_text(local: datetime) -> str:
    language = translation.get_language()
    if not language_is_english(language=language):
        return day_local(local=local, language=language)
    return f"{local.day} {local:%b %Y}"


@register.filter
def moment(value: datetime | None):
    """`{{ link.unlink.at|moment }}`: a `<time>` reading "20 Nov 2026, 14:05 UTC"."""
    if not isinstance(value, datetime):
        return ""
    local = _local(value)  # converted once: a results page writes dozens of times
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), _moment_text(local))


@register.filter
def day(value: datetime | None):
    """`{{ profile.created_at|day }}`: a `<time>` reading "20 Nov 2026", the full time (with
    its zone) in its title for whoever needs the hour."""
    if not isinstance(value, datetime):
        return ""
    local = _local(value)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        _moment_text(local),
        _day_text(local),
    )


@register.filter
def short_id(value: str | None) -> str:
    """A long customer id shortened for a list ("3f2a9c1e…"); the page keeps the full one in
    the title and the copy button."""
    text = str(value or "")
    return text if len(text) <= SHORT_ID_LENGTH + 2 else f"{text[:SHORT_ID_LENGTH]}…"


@register.filter
def plain(value: str | None) -> str:
    """`{{ details.customer_id|plain }}`: an id as the page shows and copies it, without the
    bidi and other invisible controls a stored one may hold (the links keep the stored id)."""
    return text_copyable(str(value or ""))


@register.filter
def order_url(order_id: str) -> str:
    """The order tool's page of an order (ORDER_URL_TEMPLATE); "" when none is configured."""
    if not settings.ORDER_URL_TEMPLATE:
        return ""
    # Whatever the order service wrote is one path segment (a stray surrogate included).
    segment = quote(str(order_id), safe="", errors="replace")
    return settings.ORDER_URL_TEMPLATE.replace("{order_id}", segment)


@register.simple_tag
def decision_url(name: str, customer_id: str, link, came_from=None, numbers_page: int = 1) -> str:
    """The unlink or restore page of `link` (`lookup:unlink`/`lookup:restore`): the legacy
    record it is, the search the lead came from and the page of numbers, in its query."""
    params = {}
    if link.legacy_id:
        params["legacy"] = link.legacy_id
    if came_from is not None:
        params.update(came_from.carry_params)
    if numbers_page > 1:
        params[NUMBERS_PAGE_PARAM] = str(numbers_page)
    url = reverse(name, args=[customer_id, link.phone])
    return f"{url}?{urlencode(params)}" if params else url


@register.simple_tag
def roles_needed(request: HttpRequest | None) -> str:
    """The roles that grant the permission the requested page needs, as configured ("Support
    lead"); "" when the page does not name one (`requires_permission`)."""
    match = getattr(request, "resolver_match", None)
    permission = permission_of_view(getattr(match, "func", None))
    if not permission:
        return ""
    app_label, codename = permission.split(".", 1)
    granting = set(
        Group.objects.filter(
            permissions__content_type__app_label=app_label, permissions__codename=codename
        ).values_list("name", flat=True)
    )
    ordered = [
        role for role in (roles.SUPPORT_AGENT, roles.SUPPORT_LEAD, roles.ADMIN) if role in granting
    ]
    names = ordered or sorted(granting)
    if len(names) <= 1:
        return names[0]
    return gettext("%(roles)s or %(last)s") % {"roles": ", ".join(names[:-1]), "last": names[-1]}
