"""The rows of a results page, rendered in Python.

A number shared by a hundred customers shows 25 rows, and rendering them through the template
language (a dozen filters and a URL per row) was most of the page's own time. The markup is the
same as a template would write; `templates/lookup/search.html` places it.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from lookup.converters import IdentifierConverter
from lookup.domain.pages import CustomerMatch
from lookup.domain.text import text_copyable
from lookup.templatetags.desk import day, short_id
from lookup.templatetags.phones import country_name, international
from lookup.templatetags.privacy import email_in_results

register = template.Library()

_STALE = (
    '<span class="badge badge-stale" title="Not seen on any order for a long time: may no '
    "longer be this customer's number\">possibly stale</span>"
)
_PLACEHOLDER = "customer-id-goes-here"


@register.simple_tag
def result_rows(matches: tuple[CustomerMatch, ...], carry_query: str) -> SafeString:
    """`<tr>`s of the results table, one per customer, each opening the customer's page."""
    customer_url = reverse("lookup:customer", args=[_PLACEHOLDER])
    to_url = IdentifierConverter().to_url
    return mark_safe(  # noqa: S308 - every piece below is escaped by format_html
        "".join(
            _row(
                match,
                href=f"{customer_url.replace(_PLACEHOLDER, to_url(match.customer_id))}"
                f"?{carry_query}",
            )
            for match in matches
        )
    )


def _row(match: CustomerMatch, *, href: str) -> str:
    profile, orders = match.profile, match.orders
    # Stored texts are isolated (<bdi>, dir="auto"): a right-to-left override in one customer's
    # name must not reorder the rest of the row. Ids are shown, and copied, without such controls.
    name = (profile.name if profile else None) or "Unknown name"
    # An email is an identifier, like the ids: shown (and masked) as the customer page copies it.
    stored_email = text_copyable(profile.email) if profile and profile.email else None
    email = email_in_results(stored_email) or "No email"
    customer_id = text_copyable(match.customer_id)
    created = profile.created_at if profile else None
    status = profile.status if profile else None
    sources = format_html_join(
        "",
        '<span class="badge badge-{}">{}</span> ',
        ((source.value, source.label) for source in match.sources),
    )
    matched_as = format_html_join(
        "",
        '<div class="matched-as small">matched as <span class="phone">{}</span>, {}</div>',
        ((international(equivalent.e164), equivalent.label) for equivalent in match.matched_as),
    )
    if orders.count is not None:
        count = str(orders.count)
    else:
        count = "Unknown" if orders.has_orders else "0"
    if orders.last_at:
        last_order = format_html('<span class="nowrap">{}</span>', day(orders.last_at))
        if orders.last_id:
            last_order += format_html(
                ' <code class="order-id" dir="auto">{}</code>', text_copyable(orders.last_id)
            )
    elif orders.has_orders:
        last_order = "Unknown"
    else:
        last_order = mark_safe('<span class="muted">none</span>')  # noqa: S308
    return format_html(
        "<tr data-row-link>"
        '<td class="card-title"><a data-row-target class="customer-name" href="{href}" '
        'dir="auto">{name}</a>'
        '\n              <span class="email" dir="auto">{email}</span></td>'
        '<td data-label="Country"><div class="cell">{country}</div></td>'
        '<td data-label="Customer since" class="nowrap"><div class="cell">{since}</div></td>'
        '<td data-label="Status"><div class="cell">{status}</div></td>'
        '<td data-label="Linked through"><div class="cell">{sources}{stale}{matched_as}</div></td>'
        '<td data-label="Orders on this number"><div class="cell">{count}</div></td>'
        '<td data-label="Last order"><div class="cell">{last_order}</div></td>'
        '<td data-label="Customer id" class="nowrap"><div class="cell">'
        '<code class="customer-id" dir="auto" title="{customer_id}">{short}</code>'
        '\n              <button type="button" class="copy" data-copy="{customer_id}" hidden>'
        'Copy<span class="visually-hidden"> customer id</span></button></div></td>'
        "</tr>",
        href=href,
        name=name,
        email=email,
        country=country_name(profile.country if profile else None),
        since=day(created) if created else "Unknown",
        status=format_html(
            '<span dir="auto" class="badge badge-status-{}">{}</span>', slugify(status), status
        )
        if status
        else "Unknown",
        sources=sources,
        stale=mark_safe(_STALE) if match.possibly_stale else "",  # noqa: S308
        matched_as=matched_as,
        count=count,
        last_order=last_order,
        customer_id=customer_id,
        short=short_id(customer_id),
    )
