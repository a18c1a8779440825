"""Vietnamese alphabetical order of people's names: the alphabet's own letters (ă, â, đ,
ê, ô, ơ, ư) after their bases, the tones deciding only between names spelt alike."""

from tracker.domain.vietnamese_order import sort_key


def test_names_in_the_order_of_the_vietnamese_alphabet():
    names = [
        "Vũ Thị Hà",
        "Đặng Văn Nam",
        "Ánh Dương",
        "Âu Thị Lan",
        "Anh",
        "Bùi Quang Huy",
        "Dương Minh",
        "Đinh Tiến",
        "Ơn Văn",
        "Ưng Hoàng",
        "Ô Quan",
        "Zoe Nguyễn",
        "Ăn Thị",
        "Nguyễn Văn 2",
        "Nguyễn Văn 10",
        "Nguyễn Văn",
    ]
    assert sorted(names, key=sort_key) == [
        "Anh",
        "Ánh Dương",
        "Ăn Thị",
        "Âu Thị Lan",
        "Bùi Quang Huy",
        "Dương Minh",
        "Đặng Văn Nam",
        "Đinh Tiến",
        "Nguyễn Văn",
        "Nguyễn Văn 10",
        "Nguyễn Văn 2",
        "Ô Quan",
        "Ơn Văn",
        "Ưng Hoàng",
        "Vũ Thị Hà",
        "Zoe Nguyễn",
    ]


def test_the_tones_decide_between_names_spelt_alike_in_their_order():
    tones = ["Mạ", "Má", "Mã", "Mả", "Mà", "Ma"]
    assert sorted(tones, key=sort_key) == ["Ma", "Mà", "Mả", "Mã", "Má", "Mạ"]
    # A letter's own mark and its tone, in whichever order they were written (ệ: e with a
    # dot below and a circumflex), and precomposed or not.
    assert (
        sort_key("Nguyễn Thị Huệ")[:2]
        == sort_key("Nguye\u0302\u0303n Thi\u0323 Hue\u0323\u0302")[:2]
    )
    assert sorted(["Huệ", "Huế", "Hue"], key=sort_key) == ["Hue", "Huế", "Huệ"]
