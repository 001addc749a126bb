"""flask ledger verify."""
from sqlalchemy import text


def test_verify_exits_0_on_an_empty_database(runner):
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output


def test_verify_exits_0_when_balances_equal_the_ledger(runner, make_product, make_location,
                                                       stock):
    stock(make_product("TEE-BLK-M"), make_location("A-01-02"), 5)
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output


def test_verify_exits_1_naming_sku_and_location_of_a_tampered_balance(db, runner, make_product,
                                                                       make_location, stock):
    stock(make_product("TEE-BLK-M"), make_location("A-01-02"), 5)
    stock(make_product("MUG-WHT"), make_location("B-03-01"), 2)
    db.session.execute(text("UPDATE stock_level SET on_hand = 7 WHERE on_hand = 5"))
    db.session.commit()

    result = runner.invoke(args=["ledger", "verify"])

    assert result.exit_code == 1
    wrong = [line for line in result.output.splitlines() if "TEE-BLK-M" in line]
    assert len(wrong) == 2  # the bin, and its warehouse's total that no longer adds up
    assert "A-01-02" in wrong[0] and "5" in wrong[0] and "7" in wrong[0]
    assert "warehouse WH1" in wrong[1]
    assert "MUG-WHT" not in result.output
    assert "2 mismatch" in result.output


def test_verify_finds_a_balance_the_ledger_never_posted(db, runner, make_product,
                                                        make_location):
    product, bin_ = make_product("GHOST-1"), make_location("C-01-01")
    db.session.execute(text("INSERT INTO stock_level (product_id, location_id, on_hand, reserved)"
                            " VALUES (:p, :l, 3, 0)"), {"p": product.id, "l": bin_.id})
    db.session.commit()

    result = runner.invoke(args=["ledger", "verify"])

    assert result.exit_code == 1
    assert "GHOST-1 in C-01-01" in result.output


def test_verify_finds_a_serial_in_stock_twice_or_against_its_flag(db, runner, make_product,
                                                                 make_location, stock):
    phone = make_product("PHONE-1", tracking="serial")
    stock(phone, make_location("A-01"), 1, lot="SN-7")
    stock(phone, make_location("A-02"), 1, lot="SN-8")
    assert runner.invoke(args=["ledger", "verify"]).exit_code == 0
    # As if two receipts of SN-7 had both won (the write path refuses the second; a tampered
    # database can still hold it).
    db.session.execute(text("UPDATE stock_level SET on_hand = 2 WHERE lot_id = "
                            "(SELECT id FROM lot WHERE code = 'SN-7')"))
    db.session.execute(text("UPDATE lot SET serial_in_stock = 0 WHERE code = 'SN-8'"))
    db.session.commit()

    result = runner.invoke(args=["ledger", "verify"])

    assert result.exit_code == 1
    assert "PHONE-1 serial SN-7: 2 units in stock (a serial is one)" in result.output
    assert "PHONE-1 serial SN-8: 1 in stock, but lot.serial_in_stock says 0" in result.output
