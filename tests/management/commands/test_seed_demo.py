from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lookup import demo
from lookup.repository import get_table
from tests.lookups import search


@pytest.fixture
def local_demo(dynalite_table, settings, db):
    """What make run gives seed_demo: LOCAL_DEMO and a local DynamoDB (dynalite)."""
    settings.LOCAL_DEMO = True
    return dynalite_table


def scan_all(table) -> list[dict]:
    items, request = [], {"TableName": table.name}
    while True:
        response = table.client.scan(**request)
        items += response["Items"]
        if "LastEvaluatedKey" not in response:
            return items
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


@pytest.mark.dynalite
def test_demo_data_is_realistic_enough_to_try_every_feature(local_demo):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    items = scan_all(local_demo)

    profiles = [i for i in items if i["sk"]["S"] == "profile"]
    assert len(profiles) >= 500
    assert len({p["country"]["S"] for p in profiles}) >= 5

    customers_per_number = Counter(i["pk2"]["S"] for i in items if "pk2" in i)
    shared = [n for n, count in customers_per_number.items() if 2 <= count <= 6]
    assert len(shared) >= 5
    assert customers_per_number[f"phone#{demo.RECEPTION_DESK}"] > 100
    assert sum(1 for i in items if i["sk"]["S"].startswith("createdAt#")) >= 3
    order_links = [
        i
        for i in items
        if i["sk"]["S"].startswith("phone#") and i["pk"]["S"].startswith("phone_user#")
    ]
    design = [i for i in order_links if "lastSeenAt" not in i]
    assert order_links and all("recentOrders" in i for i in order_links if i not in design)
    # One record in the users service's own shape: keys, cognitoId, phoneNumber, createdAt.
    assert [sorted(i) for i in design] == [
        sorted(["pk", "sk", "pk2", "sk2", "cognitoId", "phoneNumber", "createdAt"])
    ]

    assert out.getvalue().startswith(
        f"Writing demo data to DynamoDB table {local_demo.name} (eu-west-1) in local endpoint "
        f"{local_demo.client.meta.endpoint_url}."
    )
    # The numbers the README suggests are in the output.
    assert demo.RECEPTION_DESK in out.getvalue() and demo.FAMILY_PHONE in out.getvalue()

    family = search(demo.FAMILY_PHONE)
    assert {s.value for m in family.matches for s in m.sources} == {"profile", "order", "legacy"}


@pytest.mark.dynalite
def test_seeding_is_deterministic_and_idempotent(local_demo):
    call_command("seed_demo", stdout=StringIO())
    first = scan_all(local_demo)
    call_command("seed_demo", stdout=StringIO())
    assert sorted(map(repr, scan_all(local_demo))) == sorted(map(repr, first))


@pytest.mark.dynalite
def test_if_empty_leaves_existing_data_alone(local_demo):
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "already present" in out.getvalue()


@pytest.mark.dynalite
@pytest.mark.parametrize(
    ("searched", "stored_as"),
    [
        (demo.BR_NINTH_DIGIT, demo.BR_BEFORE_NINTH_DIGIT),
        (demo.MX_CURRENT, demo.MX_OLD_MOBILE_1),
        (demo.AR_MOBILE_9, demo.AR_WITHOUT_9),
        (demo.BJ_CURRENT, demo.BJ_BEFORE_01),
    ],
)
def test_each_renumbering_the_readme_lists_has_a_customer_found_through_the_other_form(
    local_demo, searched, stored_as
):
    call_command("seed_demo", stdout=StringIO())

    found = search(searched)

    through_other_form = [
        match for match in found.matches if stored_as in {e.e164 for e in match.matched_as}
    ]
    assert through_other_form, f"no customer of {searched} found through {stored_as}"


@pytest.mark.parametrize(
    ("typed", "country", "offered"),
    [
        ("(11) 91234-5678", "GB", demo.FAMILY_PHONE),
        ("020 7946 0018", "US", demo.RECEPTION_DESK),
        ("5511912345678", "GB", demo.FAMILY_PHONE),
        ("07700 900461", "BR", demo.SINGLE_OWNER),
    ],
)
@pytest.mark.dynalite
def test_each_wrong_country_example_offers_the_demo_customers_reading(
    local_demo, agent_client, settings, typed, country, offered
):
    # The issue's examples, on `make run`'s data and countries: a "did you mean", never a dead end.
    settings.PHONE_REGIONS = ["GB", "BR", "MX", "DE", "IN", "US", "AR"]
    call_command("seed_demo", stdout=StringIO())

    html = agent_client.get("/", {"phone": typed, "country": country}).content.decode()

    assert "Did you mean:" in html
    assert f"?phone=%2B{offered[1:]}&amp;" in html


@pytest.mark.dynalite
def test_the_design_shaped_record_is_a_current_customer_and_the_operator_a_shared_account(
    local_demo, agent_client, settings
):
    settings.RATE_LIMIT_LOOKUPS_PER_MINUTE = 0
    call_command("seed_demo", stdout=StringIO())
    [match] = search(demo.DESIGN_RECORD).matches
    assert match.profile.name == "Dana Whitfield" and not match.possibly_stale
    assert match.orders.last_at is not None
    response = agent_client.get("/", {"phone": demo.DESIGN_RECORD, "open": "1"})
    assert response.status_code == 302  # a single current match opens

    operator = demo.demo_data().profiles[-1]
    page = agent_client.get(f"/customers/{operator.customer_id}/").content.decode()
    assert "2,000 numbers" in page and "probably a shared account" in page


@pytest.mark.dynalite
def test_refused_outside_local_demo_and_writes_nothing(dynalite_table, settings):
    settings.LOCAL_DEMO = False
    with pytest.raises(CommandError, match="local runs only"):
        call_command("seed_demo", stdout=StringIO())
    assert scan_all(dynalite_table) == []


def test_refused_on_aws_own_endpoint_even_as_a_local_demo(moto_table, settings):
    """No endpoint override: boto3 would write to AWS (here moto stands in for it)."""
    settings.LOCAL_DEMO = True
    with pytest.raises(CommandError, match="Refusing to write demo data to AWS"):
        call_command("seed_demo", stdout=StringIO())
    assert scan_all(moto_table) == []


def test_refused_on_an_explicit_amazonaws_endpoint(moto_table, settings, monkeypatch):
    settings.LOCAL_DEMO = True
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "https://dynamodb.eu-west-1.amazonaws.com")
    get_table.cache_clear()
    with pytest.raises(CommandError, match=r"AWS \(https://dynamodb.eu-west-1.amazonaws.com\)"):
        call_command("seed_demo", stdout=StringIO())
    get_table.cache_clear()
    assert scan_all(moto_table) == []


@pytest.mark.dynalite
def test_the_demo_fills_the_review_queue_with_a_reassigned_and_an_old_shared_number(local_demo):
    from lookup.models import ReviewItem

    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert f"Review queue filled: {ReviewItem.objects.count()}" in out.getvalue()
    reassigned = ReviewItem.objects.get(phone=demo.REASSIGNED)
    assert reassigned.reason == "superseded" and reassigned.superseded_by
    desk = ReviewItem.objects.filter(phone=demo.RECEPTION_DESK)
    # Enough on one shared number to try a bulk unlink of 50.
    assert desk.count() >= 55
