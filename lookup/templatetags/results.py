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
from django.utils.translation import gettext, pgettext

from lookup.converters import IdentifierConverter
from lookup.domain.pages import CustomerMatch
from lookup.domain.text import text_copyable
from lookup.templatetags.desk import day, short_id
from lookup.templatetags.phones import country_name, international
from lookup.templatetags.privacy import email_in_results

register = template.Library()

_PLACEHOLDER = "customer-id-goes-here"


@register.simple_tag
def result_rows(matches: tuple[CustomerMatch, ...], carry_query: str) -> SafeString:
    """`<tr>`s of the results table, one per customer, each opening the customer's page."""
    customer_url = reverse("lookup:customer", args=[_PLACEHOLDER])
    to_url = IdentifierConverter().to_url
    words = _words()
    return mark_safe(  # noqa: S308 - every piece below is escaped by format_html
        "".join(
            _row(
                match,
                href=f"{customer_url.replace(_PLACEHOLDER, to_url(match.customer_id))}"
                f"?{carry_query}",
                words=words,
            )
            for match in matches
        )
    )


def _words() -> dict[str, str]:
    """The table's words in the active language, looked up once per table, not once a row."""
    unknown = pgettext("missing value", "Unknown")
    return {
        "unknown": unknown,
        "unknown_name": gettext("Unknown name"),
        "no_email": gettext("No email"),
        "none": pgettext("no orders", "none"),
        "country": gettext("Country"),
        "since": gettext("Customer since"),
        "status": gettext("Status"),
        "linked_through": gettext("Linked through"),
        "orders": gettext("Orders on this number"),
        "last_order": gettext("Last order"),
        "customer_id": gettext("Customer id"),
        "copy": pgettext("button", "Copy"),
        "the_customer_id": gettext("customer id"),
        "stale": format_html(
            '<span class="badge badge-stale" title="{}">{}</span>',
            gettext(
                "Not seen on any order for a long time: may no longer be this customer's number"
            ),
            gettext("possibly stale"),
        ),
        # Translators: a search result whose customer no longer orders to the number; {date}
        # is the day another customer's orders to it began.
        "passed": gettext("Since {date} this number is used by another customer"),
        # Translated once each: a table shows the same few sources and renumbering forms.
        "matched_as": gettext("matched as {number}, {form}"),
    }


def _standing(match: CustomerMatch, *, words: dict[str, str]) -> str:
    """The row's warning: the number passed to another customer (the stronger evidence, so
    alone), else possibly stale, else nothing."""
    if match.superseded_since:
        return format_html(
            '<div class="passed-on small">{}</div>',
            format_html(
                words["passed"],
                date=format_html('<span class="nowrap">{}</span>', day(match.superseded_since)),
            ),
        )
    return words["stale"] if match.possibly_stale else ""


def _row(match: CustomerMatch, *, href: str, words: dict[str, str]) -> str:
    profile, orders = match.profile, match.orders
    # Stored texts are isolated (<bdi>, dir="auto"): a right-to-left override in one customer's
    # name must not reorder the rest of the row. Ids are shown, and copied, without such controls.
    name = (profile.name if profile else None) or words["unknown_name"]
    # An email is an identifier, like the ids: shown (and masked) as the customer page copies it.
    stored_email = text_copyable(profile.email) if profile and profile.email else None
    email = email_in_results(stored_email) or words["no_email"]
    customer_id = text_copyable(match.customer_id)
    created = profile.created_at if profile else None
    status = profile.status if profile else None
    sources = format_html_join(
        "",
        '<span class="badge badge-{}">{}</span> ',
        ((source.value, gettext(source.label)) for source in match.sources),
    )
    matched_as = format_html_join(
        "",
        '<div class="matched-as small">{}</div>',
        (
            (
                format_html(
                    words["matched_as"],
                    number=format_html(
                        '<span class="phone">{}</span>', international(equivalent.e164)
                    ),
                    form=gettext(equivalent.label),
                ),
            )
            for equivalent in match.matched_as
        ),
    )
    if orders.count is not None:
        count = str(orders.count)
    else:
        count = words["unknown"] if orders.has_orders else "0"
    if orders.last_at:
        last_order = format_html('<span class="nowrap">{}</span>', day(orders.last_at))
        if orders.last_id:
            last_order += format_html(
                ' <code class="order-id" dir="auto">{}</code>', text_copyable(orders.last_id)
            )
    elif orders.has_orders:
        last_order = words["unknown"]
    else:
        last_order = format_html('<span class="muted">{}</span>', words["none"])
    return format_html(
        "<tr data-row-link>"
        '<td class="card-title"><a data-row-target class="customer-name" href="{href}" '
        'dir="auto">{name}</a>'
        '\n              <span class="email" dir="auto">{email}</span></td>'
        '<td data-label="{w_country}"><div class="cell">{country}</div></td>'
        '<td data-label="{w_since}" class="nowrap"><div class="cell">{since}</div></td>'
        '<td data-label="{w_status}"><div class="cell">{status}</div></td>'
        '<td data-label="{w_linked_through}"><div class="cell">{sources}{stale}{matched_as}</div>'
        "</td>"
        '<td data-label="{w_orders}"><div class="cell">{count}</div></td>'
        '<td data-label="{w_last_order}"><div class="cell">{last_order}</div></td>'
        '<td data-label="{w_customer_id}" class="nowrap"><div class="cell">'
        '<code class="customer-id" dir="auto" title="{customer_id}">{short}</code>'
        '\n              <button type="button" class="copy" data-copy="{customer_id}" hidden>'
        '{w_copy}<span class="visually-hidden"> {w_the_customer_id}</span></button></div></td>'
        "</tr>",
        href=href,
        name=name,
        email=email,
        country=country_name(profile.country if profile else None),
        since=day(created) if created else words["unknown"],
        status=format_html(
            '<span dir="auto" class="badge badge-status-{}">{}</span>', slugify(status), status
        )
        if status
        else words["unknown"],
        sources=sources,
        stale=_standing(match, words=words),
        matched_as=matched_as,
        count=count,
        last_order=last_order,
        customer_id=customer_id,
        short=short_id(customer_id),
        w_country=words["country"],
        w_since=words["since"],
        w_status=words["status"],
        w_linked_through=words["linked_through"],
        w_orders=words["orders"],
        w_last_order=words["last_order"],
        w_customer_id=words["customer_id"],
        w_copy=words["copy"],
        w_the_customer_id=words["the_customer_id"],
    )
