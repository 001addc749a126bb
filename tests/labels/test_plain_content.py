"""Labels print plain data: a receipt label from a Receipt, the receipts read by orders."""
from datetime import date, datetime

import pytest

from warehouse_app.errors import NotFound
from warehouse_app.labels import content, selection
from warehouse_app.orders import receipt_labels


def test_a_receipt_label_renders_from_plain_data(app, shop):
    receipt = content.Receipt(product=shop["tee"], qty=3, received_at=datetime(2026, 5, 1, 9),
                              to_code="A-01-02", reference="DN-1", lot="LOT42A",
                              expiry=date(2026, 12, 31))
    labels = content.receipt_labels(receipt)
    assert len(labels) == 3
    assert labels[0].lines == ("TEE-M · 1 unit", "Lot LOT42A · Exp 2026-12-31",
                               "Received 2026-05-01 · DN-1 · → A-01-02")
    assert labels[0].spec.hri == "(01)04006381333931(17)261231(10)LOT42A"


def test_orders_provide_the_receipts_kind(app):
    assert app.extensions[selection.PROVIDED] == {"receipts": receipt_labels.labels}


@pytest.mark.parametrize("kind", ["products", "pallets"])
def test_only_a_kind_without_its_own_source_may_be_provided(app, kind):
    with pytest.raises(ValueError, match=kind):
        selection.provide(app, kind, receipt_labels.labels)
    assert app.extensions[selection.PROVIDED] == {"receipts": receipt_labels.labels}


@pytest.mark.fresh_app  # it takes the providers out of the app
def test_a_kind_nobody_provides_is_not_found(app):
    app.extensions.pop(selection.PROVIDED)
    with pytest.raises(NotFound) as err:
        selection.source("receipts")
    assert err.value.field == "kind"
