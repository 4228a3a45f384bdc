"""Customer profiles in the table (written by the users service): read by id, nothing more."""

from lookup.domain.links import CustomerProfile
from lookup.repository import schema
from lookup.repository.dynamo import Table, storage_errors_as_unavailable
from lookup.repository.items import profile_from_item


class ProfileRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    @storage_errors_as_unavailable
    def profiles_get(self, *, customer_ids: list[str]) -> dict[str, CustomerProfile]:
        """The profiles of these customers that exist, by id: one BatchGetItem per 100."""
        keys = [schema.profile_key(customer_id) for customer_id in customer_ids]
        profiles = (profile_from_item(item) for item in self.table.batch_get(keys))
        return {profile.customer_id: profile for profile in profiles}

    @storage_errors_as_unavailable
    def profile_exists(self, *, customer_id: str) -> bool:
        response = self.table.client.get_item(
            TableName=self.table.name,
            Key={
                schema.PK: {"S": schema.user_pk(customer_id)},
                schema.SK: {"S": schema.PROFILE_SK},
            },
            ProjectionExpression=schema.PK,
        )
        return "Item" in response
