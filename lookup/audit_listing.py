"""The audit list's pages and calendar without reading the whole trail.

Django's admin counts every matching entry for its pagination and lists the years, months and
days of its date hierarchy with a DISTINCT over every matching entry: at tens of millions of
entries each is seconds. Here the count stops at a bound and the calendar spans the first and
last entries' times (two reads at the ends of the time index).
"""

import datetime

from django.core.paginator import Paginator
from django.db.models import Max, Min, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property

# Beyond this many matching entries the list says "more than" and pages no further: an admin
# narrows by day, action or person rather than reading page 101.
AUDIT_COUNT_BOUND = 10_000


class AuditPaginator(Paginator):
    """Counts at most AUDIT_COUNT_BOUND + 1 entries: `count_bounded` says the count stopped."""

    @cached_property
    def _counted(self) -> int:
        # Unordered: any AUDIT_COUNT_BOUND + 1 matches will do, read by whichever index finds
        # them first (in time order, a rare match would be looked for along the whole trail).
        return self.object_list.order_by()[: AUDIT_COUNT_BOUND + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, AUDIT_COUNT_BOUND)

    @property
    def count_bounded(self) -> bool:
        return self._counted > AUDIT_COUNT_BOUND

    @property
    def bound_text(self) -> str:
        return number_format(AUDIT_COUNT_BOUND, force_grouping=True)


class AuditCalendarQuerySet(QuerySet):
    """Its `datetimes` (what the date hierarchy asks for) are every year, month or day between
    the first and the last entry, not only those holding entries: a day may list none."""

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None, is_dst=None):
        bounds = self.aggregate(first=Min(field_name), last=Max(field_name))
        if bounds["first"] is None:
            return []
        zone = tzinfo or timezone.get_current_timezone()
        first, last = (timezone.localtime(bounds[end], zone).date() for end in ("first", "last"))
        moments = []
        day = {"year": first.replace(month=1, day=1), "month": first.replace(day=1)}.get(
            kind, first
        )
        while day <= last:
            moments.append(datetime.datetime.combine(day, datetime.time(), zone))
            if kind == "year":
                day = day.replace(year=day.year + 1)
            elif kind == "month":
                day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            else:
                day += datetime.timedelta(days=1)
        return moments if order == "ASC" else moments[::-1]
