"""The product pages' panels: what rooms above the catalog provide at registration."""
import pytest

from warehouse_app.catalog import panels


def test_web_and_insight_provide_the_product_pages_panels(app):
    assert set(app.extensions[panels.KEY]) == set(panels.SLOTS)


def test_an_unknown_panel_is_refused_and_changes_nothing(app):
    before = dict(app.extensions[panels.KEY])
    with pytest.raises(TypeError, match="stock_value"):
        panels.provide(app, stock_value=lambda ids: {})
    assert app.extensions[panels.KEY] == before


@pytest.mark.fresh_app  # it takes the providers out of the app
def test_without_providers_the_pages_show_no_stock_and_no_point(app, make_product):
    product = make_product("BARE-1")
    app.extensions.pop(panels.KEY)
    assert panels.on_hand([product.id]) == {}
    assert panels.reorder_point(product) is None
