"""E-mail subjects are shortened at a word's end."""

from reports.notify import _subject


def test_a_long_message_is_shortened_at_a_word_end_with_an_ellipsis():
    message = "Đợt báo cáo giữa nhiệm kỳ thực hiện Nghị quyết Đại hội CĐCS, nhiệm kỳ 2025–2030 đã mở: mời đồng chí soạn"
    subject = _subject(message)
    assert len(subject) <= 81 and subject.endswith("…")
    assert message.startswith(subject[:-1]) and message[len(subject) - 1] == " "
    assert _subject("Ngắn gọn") == "Ngắn gọn"
