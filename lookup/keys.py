"""Key builders for the shared single-table design (DESIGN.md section 3).

These prefixes and their casing are a contract with the other services writing the table:
change nothing here without them. Each builder documents the record whose key it makes.
"""

USER_PREFIX = "user#"
PHONE_PREFIX = "phone#"
PHONE_USER_PREFIX = "phone_user#"
CREATED_AT_PREFIX = "createdAt#"
PROFILE_SK = "profile"


def user_pk(customer_id: str) -> str:
    """Partition of a customer's own records: `user#<cognitoId>` (profile and UserPhone)."""
    return f"{USER_PREFIX}{customer_id}"


def profile_key(customer_id: str) -> dict[str, str]:
    """Customer profile: pk=`user#<cognitoId>`, sk=`profile`; not in the index."""
    return {"pk": user_pk(customer_id), "sk": PROFILE_SK}


def phone_sk(e164: str) -> str:
    """Sort key of a number inside a customer partition: `phone#<E164>`."""
    return f"{PHONE_PREFIX}{e164}"


def phone_pk2(e164: str) -> str:
    """Index partition every link of a number shares: pk2=`phone#<E164>`."""
    return f"{PHONE_PREFIX}{e164}"


def user_phone_keys(customer_id: str, e164: str) -> dict[str, str]:
    """UserPhone (phone on the profile), written by the users service.

    pk=`user#<cognitoId>`, sk=`phone#<E164>`, pk2=`phone#<E164>`, sk2=`user#<cognitoId>`.
    """
    return {
        "pk": user_pk(customer_id),
        "sk": phone_sk(e164),
        "pk2": phone_pk2(e164),
        "sk2": user_pk(customer_id),
    }


def lookup_pk(customer_id: str) -> str:
    """Partition of a customer's order-derived links: `phone_user#<cognitoId>`."""
    return f"{PHONE_USER_PREFIX}{customer_id}"


def lookup_key(customer_id: str, e164: str) -> dict[str, str]:
    """Primary key of a UserPhoneLookUp: pk=`phone_user#<cognitoId>`, sk=`phone#<E164>`.

    One item per (customer, phone) by construction, which makes ingestion an idempotent upsert.
    """
    return {"pk": lookup_pk(customer_id), "sk": phone_sk(e164)}


def lookup_index_keys(customer_id: str, e164: str) -> dict[str, str]:
    """Index keys of a live UserPhoneLookUp: pk2=`phone#<E164>`, sk2=`phone_user#<cognitoId>`.

    Removing them (an unlink tombstone) drops the item from the sparse index and every search.
    """
    return {"pk2": phone_pk2(e164), "sk2": lookup_pk(customer_id)}


def legacy_keys(customer_id: str, e164: str, created_at: str) -> dict[str, str]:
    """Legacy lookup from the one-customer-per-phone design (read-only until migrated).

    pk=`phone_user#<cognitoId>`, sk=`createdAt#<ISO>`, pk2=`phone#<E164>`, sk2=`createdAt#<ISO>`.
    """
    return {
        "pk": lookup_pk(customer_id),
        "sk": f"{CREATED_AT_PREFIX}{created_at}",
        "pk2": phone_pk2(e164),
        "sk2": f"{CREATED_AT_PREFIX}{created_at}",
    }


def customer_id_from_pk(pk: str) -> str | None:
    """The cognitoId in a `user#…` or `phone_user#…` partition key, else None."""
    for prefix in (PHONE_USER_PREFIX, USER_PREFIX):
        if pk.startswith(prefix):
            return pk[len(prefix) :]
    return None
