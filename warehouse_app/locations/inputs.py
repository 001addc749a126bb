"""What a warehouse, zone or bin may be given as, checked once for every road: the API's JSON,
the location pages' forms and a row of a locations CSV file (with `text=True`) load through
these schemas, and editing.create/update carry out what they loaded."""
from marshmallow import validate

from warehouse_app.inputs import Count, Flag, Input, Text, choice

CODE_MAX, NAME_MAX = 40, 120
SEQUENCE_MAX, CAPACITY_MAX = 1_000_000, 1_000_000_000
CREATABLE = ("warehouse", "zone", "bin")
NO_SPACE = validate.Regexp(r"^\S*$", error="{{field}} has no spaces.")


class LocationPatchSchema(Input):
    """What may change about a location (its code and kind stay)."""

    name = Text(NAME_MAX, blank="", metadata={"description": "Empty: the code"})
    sequence = Count(0, SEQUENCE_MAX, blank=0,
                     metadata={"description": "Walking order among siblings"})
    capacity = Count(1, CAPACITY_MAX, allow_none=True, metadata={
        "description": "Units it holds at most; null: no limit"})
    active = Flag(metadata={"description": "false deactivates it and everything below it "
                                           "(only when empty)"})
    hold = Flag(blank=False, metadata={"description": "true: a hold bin (returns, quarantine, "
                                                      "damaged); its stock is not available"})


class LocationCreateSchema(Input):
    """A new warehouse, or a zone or bin under a parent."""

    code = Text(CODE_MAX, required=True, validate=NO_SPACE)
    name = Text(NAME_MAX, blank="")
    kind = choice(CREATABLE, required=True)
    parent = Text(CODE_MAX, allow_none=True, metadata={"description": "Code of a warehouse or "
                                                                      "zone"})
    sequence = Count(0, SEQUENCE_MAX, blank=0,
                     metadata={"description": "Walking order among siblings"})
    capacity = Count(1, CAPACITY_MAX, allow_none=True)
    hold = Flag(blank=False, metadata={"description": "A hold bin (returns, quarantine, "
                                                      "damaged)"})
