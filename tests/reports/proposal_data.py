"""Units' proposals written from a handful of themes in varied wording, deterministically: the data the
grouping of proposals is measured on (typos, reordered words, lengths, accents lost, extra words)."""

import random
import unicodedata

# Each theme: several ways officers put the same request. The grouping must find the theme whatever the way.
THEMES = {
    "luong": [
        "điều chỉnh tăng mức lương tối thiểu vùng cho người lao động",
        "tăng lương tối thiểu vùng để đảm bảo đời sống người lao động",
        "sớm điều chỉnh mức lương tối thiểu vùng phù hợp với giá cả thị trường",
        "mức lương tối thiểu vùng cần được điều chỉnh tăng kịp thời",
    ],
    "nha_o": [
        "đầu tư xây dựng nhà ở xã hội cho công nhân lao động thuê",
        "có chính sách hỗ trợ công nhân mua, thuê nhà ở xã hội",
        "quy hoạch quỹ đất xây dựng nhà ở xã hội cho công nhân tại các khu công nghiệp",
        "sớm triển khai các dự án nhà ở xã hội dành cho công nhân",
    ],
    "nha_tre": [
        "xây dựng nhà trẻ, trường mầm non cho con công nhân tại khu công nghiệp",
        "quan tâm đầu tư nhà trẻ, trường mầm non gần khu công nghiệp để gửi con công nhân",
        "hỗ trợ kinh phí gửi trẻ tại trường mầm non cho con công nhân",
        "bố trí đủ chỗ học mầm non, nhà trẻ cho con công nhân lao động",
    ],
    "bhxh": [
        "tăng cường thanh tra, kiểm tra, xử lý nghiêm doanh nghiệp nợ đóng bảo hiểm xã hội",
        "xử lý nghiêm các doanh nghiệp chậm đóng, trốn đóng bảo hiểm xã hội cho người lao động",
        "có biện pháp mạnh đối với doanh nghiệp nợ bảo hiểm xã hội kéo dài",
        "kiểm tra việc đóng bảo hiểm xã hội, xử lý doanh nghiệp trốn đóng",
    ],
    "dien_nuoc": [
        "áp dụng giá điện, nước sinh hoạt cho phòng trọ công nhân theo giá hộ gia đình",
        "kiểm soát chủ nhà trọ thu tiền điện, nước của công nhân cao hơn giá quy định",
        "công nhân thuê trọ được tính giá điện nước sinh hoạt như hộ gia đình",
        "giám sát giá điện, nước tại các khu nhà trọ công nhân",
    ],
    "kinh_phi": [
        "tăng phụ cấp cho cán bộ công đoàn cơ sở kiêm nhiệm",
        "có chế độ phụ cấp trách nhiệm cho cán bộ công đoàn kiêm nhiệm",
        "nâng mức phụ cấp kiêm nhiệm cho chủ tịch công đoàn cơ sở",
        "điều chỉnh phụ cấp của cán bộ công đoàn không chuyên trách phù hợp hơn",
    ],
    "dao_tao": [
        "mở các lớp đào tạo nghề, nâng cao tay nghề cho người lao động",
        "hỗ trợ kinh phí đào tạo, bồi dưỡng nâng cao tay nghề cho công nhân",
        "tổ chức đào tạo lại nghề cho người lao động mất việc làm",
        "phối hợp với doanh nghiệp đào tạo nghề cho công nhân lao động",
    ],
    "van_hoa": [
        "xây dựng thiết chế văn hóa, khu vui chơi, sân thể thao cho công nhân",
        "đầu tư thiết chế công đoàn, nhà văn hóa công nhân tại khu công nghiệp",
        "bố trí quỹ đất xây dựng thiết chế văn hóa thể thao cho công nhân khu công nghiệp",
        "có điểm sinh hoạt văn hóa, thể thao cho công nhân lao động",
    ],
}

OPENINGS = ["Đề nghị", "Kiến nghị", "Đề xuất", "Đề nghị các cấp", "Công đoàn cơ sở kiến nghị", "", "Mong muốn"]
ADDRESSEES = [
    "UBND huyện",
    "Ủy ban nhân dân huyện",
    "Liên đoàn Lao động huyện",
    "các cơ quan chức năng",
    "Huyện ủy, UBND huyện",
    "",
    "",
]
ENDINGS = [
    "",
    "",
    "trong thời gian tới",
    "để chăm lo tốt hơn cho đoàn viên",
    "nhằm ổn định đời sống, yên tâm gắn bó với doanh nghiệp",
    "theo đúng quy định của pháp luật",
]
INTROS = ["Công đoàn cơ sở có một số kiến nghị sau:", "Kiến nghị, đề xuất:", "", "", ""]


def _typo(rng, text):
    """One letter doubled, dropped or two swapped, inside a longer word."""
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 4]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:j] + w[j] + w[j:]
    elif kind == 1:
        w = w[:j] + w[j + 1 :]
    else:
        w = w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]
    words[i] = w
    return " ".join(words)


def _strip_accents(text):
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _reorder(rng, text):
    """Clauses around a comma swapped, or the first words moved to the end."""
    if ", " in text:
        parts = text.split(", ")
        rng.shuffle(parts)
        return ", ".join(parts)
    words = text.split()
    k = rng.randrange(1, max(2, len(words) // 3))
    return " ".join(words[k:] + words[:k])


def proposal(rng, theme):
    """One proposal of ``theme``, worded at random."""
    core = rng.choice(THEMES[theme])
    roll = rng.random()
    if roll < 0.2:
        core = _reorder(rng, core)
    opening = rng.choice(OPENINGS)
    addressee = rng.choice(ADDRESSEES) if opening else ""
    text = " ".join(p for p in (opening, addressee, core, rng.choice(ENDINGS)) if p)
    if rng.random() < 0.35:
        text = _typo(rng, text)
    if rng.random() < 0.15:
        text = _typo(rng, text)
    if rng.random() < 0.12:
        text = _strip_accents(text)
    return text[0].upper() + text[1:] + "."


def unit_texts(units: int, *, seed: int = 2026):
    """``units`` texts of the kiến nghị section as clean HTML, with the theme of each proposal in the
    order written: [(html, [theme, …]), …]. Laid out as paragraphs, a list, or sentences of one paragraph."""
    rng = random.Random(seed)
    names = list(THEMES)
    out = []
    for _ in range(units):
        themes = rng.sample(names, rng.choice([1, 1, 2, 2, 3, 4]))
        proposals = [proposal(rng, t) for t in themes]
        intro = rng.choice(INTROS)
        layout = rng.randrange(3)
        if layout == 0:
            body = "".join(f"<p>- {p}</p>" for p in proposals)
        elif layout == 1:
            body = "<ul>" + "".join(f"<li><p>{p}</p></li>" for p in proposals) + "</ul>"
        else:
            body = "<p>" + " ".join(proposals) + "</p>"
        out.append(((f"<p>{intro}</p>" if intro else "") + body, themes))
    return out
