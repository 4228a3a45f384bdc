"""What differs between the unlink and the restore page, and what they say when a decision
applied or was refused."""

from dataclasses import dataclass

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from lookup.domain.decisions import LinkDecision
from lookup.domain.errors import LinkAlreadyUnlinked, LinkNotUnlinked, LinkRefused
from lookup.domain.links import LinkSource, PhoneLink
from lookup.forms import RestoreForm, UnlinkForm
from lookup.phones import phone_from_e164
from lookup.templatetags.desk import moment_text


@dataclass(frozen=True)
class DecisionPage:
    """What differs between the unlink and the restore page."""

    form: type[forms.Form]
    template: str
    done: str  # the message after it applied, with {number} and {name}
    changed: str  # the message when the link changed while the page was open


DECISION_PAGES = {
    LinkDecision.UNLINK: DecisionPage(
        form=UnlinkForm,
        template="lookup/unlink.html",
        done=gettext_lazy(
            "{number} is no longer linked to {name}; searches stop finding them within seconds."
        ),
        changed=gettext_lazy(
            "This link changed while you were looking at it (a new order arrived or "
            "someone else edited it). Check the details below and confirm again."
        ),
    ),
    LinkDecision.RESTORE: DecisionPage(
        form=RestoreForm,
        template="lookup/restore.html",
        done=gettext_lazy("{number} is linked to {name} again; searches find them within seconds."),
        changed=gettext_lazy(
            "This link changed while you were looking at it. Check and confirm again."
        ),
    ),
}


def unlink_done_still_found(
    *, number: str, name: SafeString, link: PhoneLink, still_finding: tuple[PhoneLink, ...]
) -> SafeString:
    """The success message of an unlink after which searches still list the customer: what
    was unlinked, and through what they are still found (the confirmation said so too)."""
    done = format_html(
        _("The {source} link of {number} to {name} is unlinked."),
        source=gettext(link.source.label_in_text),
        number=number,
        name=name,
    )
    if any(other.source is LinkSource.PROFILE for other in still_finding):
        why = _(
            "Searches still find {name}: the number is also the phone on their account, which "
            "belongs to the users service and cannot be unlinked here."
        )
    else:
        why = ngettext(
            "Searches still find {name} through their other link to this number ({links}); "
            "unlink it too to stop that.",
            "Searches still find {name} through their other links to this number ({links}); "
            "unlink them too to stop that.",
            len(still_finding),
        )
    links = ", ".join(
        f"{gettext(other.source.label_in_text)} {phone_from_e164(other.phone).international}"
        for other in still_finding
    )
    return format_html("{} {}", done, format_html(why, name=name, links=links))


def refusal_message(refusal: LinkRefused, *, before: bool) -> str:
    """Why nothing was done: the link is already in the state asked for."""
    number = phone_from_e164(refusal.link.phone).international
    if isinstance(refusal, LinkAlreadyUnlinked):
        unlink = refusal.link.unlink
        by = unlink.by if unlink and unlink.by else None
        when = moment_text(unlink.at) if unlink and unlink.at else None
        # One sentence per case: word order differs between languages.
        if by and when:
            text = _("{number} was already unlinked by <bdi>{by}</bdi> on {when}.")
        elif by:
            text = _("{number} was already unlinked by <bdi>{by}</bdi>.")
        elif when:
            text = _("{number} was already unlinked on {when}.")
        else:
            text = _("{number} was already unlinked.")
        return format_html(text, number=number, by=by, when=when)
    assert isinstance(refusal, LinkNotUnlinked)
    if before:
        return _("This link is already active; nothing to restore.")
    return _("This link is already active again; nothing was changed.")
