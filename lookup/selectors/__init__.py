"""Reads only: what the pages and the API ask of the phone directory, sorted, paged and flagged
by the one policy in `lookup.domain.ranking`. Nothing here writes, not even an audit entry: the
pages and the API go through `lookup.services.search` and `lookup.services.customers`, which
read with these and record what they showed.

* `numbers`: the customers of a number (`customers_of_number`) and the other readings of what
  was typed that find some (`number_alternatives`);
* `customers`: a customer's page of numbers (`customer_details`), one of their links
  (`link_of_customer`), whether a profile exists (`customer_exists`);
* `audit_trail`: the features that read the audit trail as data (`searches_recent`), so what
  they show lasts only as long as the trail's retention;
* `unlinked`: a lead's hint at a number's unlinked links, from their tombstones (read with the
  search's Queries);
* `policy`: the staleness policy as of now (`freshness`).
"""
