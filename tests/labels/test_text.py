"""Label text: accents measured with the label font, long names wrapped or cut, never wider."""
from warehouse_app.labels import text


def test_the_label_font_has_accents():
    assert text.FONT_NOTE == "", "install fonts-dejavu-core (make test does)"
    assert text.FONTS["sans"] == "Labels-sans"


def test_wrap_keeps_within_room_and_marks_a_cut():
    name = "Organic cotton T-shirt, medium, ocean blue, with reinforced seams and more words"
    lines = text.wrap(name, 3.0, 40.0, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(text.width(line, 3.0) <= 40.0 for line in lines)
    assert text.wrap("Crème brûlée", 3.0, 40.0, 2) == ["Crème brûlée"]


def test_a_word_longer_than_the_room_is_broken():
    lines = text.wrap("X" * 80, 3.0, 30.0, 2)
    assert len(lines) == 2 and all(text.width(line, 3.0) <= 30.0 for line in lines)


def test_fit_shrinks_a_code_to_its_room():
    size = text.fit("A-01-02-03", 30.0, 20.0, 2.0)
    assert 29.9 < text.width("A-01-02-03", size, "bold") <= 30.0
