"""Deterministic, realistic demo data for local runs and the browser tests (`data`), built from
small named builders over the demo's people (`people`) and link makers (`records`)."""

from lookup.demo.data import (
    AR_MOBILE_9,
    AR_WITHOUT_9,
    BJ_BEFORE_01,
    BJ_CURRENT,
    BR_BEFORE_NINTH_DIGIT,
    BR_NINTH_DIGIT,
    CUSTOMER_COUNT,
    DESIGN_RECORD,
    FAMILY_PHONE,
    LEGACY_ONLY,
    MX_CURRENT,
    MX_OLD_MOBILE_1,
    OPERATOR_NUMBERS,
    REASSIGNED,
    RECEPTION_DESK,
    SINGLE_OWNER,
    DemoData,
    demo_data,
)

__all__ = [
    "AR_MOBILE_9",
    "AR_WITHOUT_9",
    "BJ_BEFORE_01",
    "BJ_CURRENT",
    "BR_BEFORE_NINTH_DIGIT",
    "BR_NINTH_DIGIT",
    "CUSTOMER_COUNT",
    "DESIGN_RECORD",
    "FAMILY_PHONE",
    "LEGACY_ONLY",
    "MX_CURRENT",
    "MX_OLD_MOBILE_1",
    "OPERATOR_NUMBERS",
    "REASSIGNED",
    "RECEPTION_DESK",
    "SINGLE_OWNER",
    "DemoData",
    "demo_data",
]
