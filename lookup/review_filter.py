"""The review queue's filter (`ReviewFilter`): what the page's query string asks for, read into
a `ReviewQuery`; `items()` gives every row it matches, so a page and a bulk action on "all
matching this filter" read the same rows."""

from datetime import timedelta

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lookup.languages.countries import country_name, name_sort_key
from lookup.models import ReviewItem
from lookup.selectors import policy
from lookup.selectors.review import ReviewQuery, review_items
from lookup.templatetags.desk import day_start

MAX_DAYS = 36_500


class ReviewFilter(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("Any reason")), *ReviewItem.Reason.choices],
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    unseen_days = forms.IntegerField(
        label=_("Not seen for more than (days)"),
        required=False,
        min_value=1,
        max_value=MAX_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 6}),
    )
    seen_before = forms.DateField(
        label=_("Last seen before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data=None, *, countries: list[str] = (), **kwargs) -> None:
        super().__init__(data, **kwargs)
        named = sorted(
            ((code, country_name(region=code)) for code in countries),
            key=lambda choice: name_sort_key(choice[1]),
        )
        self.fields["country"].choices = [("", _("Any country")), *named]

    def query(self) -> ReviewQuery:
        """The filter as asked; a field that is not valid (its error shown) filters nothing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        cutoffs = []
        if days := data.get("unseen_days"):
            cutoffs.append(policy.utc_now() - timedelta(days=days))
        if day := data.get("seen_before"):
            cutoffs.append(day_start(day))
        return ReviewQuery(
            country=data.get("country") or None,
            reason=data.get("reason") or None,
            seen_before=min(cutoffs) if cutoffs else None,
        )

    def items(self) -> QuerySet[ReviewItem]:
        """Every row this filter matches, in the queue's order."""
        return review_items(query=self.query())

    @property
    def page_number(self) -> int:
        self.is_valid()
        return getattr(self, "cleaned_data", {}).get("page") or 1
