"""Phone numbers: reading what agents type or paste, describing stored keys, equivalent forms.

- `reading`: what is pasted (URIs, labels, extensions, invisible characters) to the number part;
- `normalize`: the number part to a `PhoneNumber` keyed by E.164 (`phone_read`, `phone_normalize`);
- `alternatives`: other countries' readings of a national-format number (`phone_other_readings`);
- `equivalents`: the forms a renumbering gave one number (`phone_equivalents`, `phone_canonical`);
- `regions`: region names, the country choices, case-insensitive codes.

Pure functions: nothing here reads settings; callers pass regions in. docs/phone-numbers.md
explains the rules.
"""

from lookup.phones.alternatives import phone_other_readings
from lookup.phones.equivalents import Equivalent, phone_canonical, phone_equivalents
from lookup.phones.normalize import PhoneReading, phone_normalize, phone_read
from lookup.phones.number import (
    PhoneNumber,
    PhoneNumberError,
    is_e164,
    phone_describe,
    phone_from_e164,
)
from lookup.phones.regions import region_choices, region_name, region_normalize

__all__ = [
    "Equivalent",
    "PhoneNumber",
    "PhoneNumberError",
    "PhoneReading",
    "is_e164",
    "phone_canonical",
    "phone_describe",
    "phone_equivalents",
    "phone_from_e164",
    "phone_normalize",
    "phone_other_readings",
    "phone_read",
    "region_choices",
    "region_name",
    "region_normalize",
]
