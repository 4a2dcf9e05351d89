import factory

from outline.models import NodeKind, OutlineNode, OutlineVersion


class OutlineVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutlineVersion

    code = factory.Sequence(lambda n: f"outline-{n}")
    name = factory.Sequence(lambda n: f"Đề cương thử {n}")
    source_text = ""


def make_outline(sections: int = 5, *, version=None) -> OutlineVersion:
    """A small outline: a title, one part, one section holding ``sections`` writable items,
    each with a guidance bullet, and a closing note."""
    version = version or OutlineVersionFactory()
    position = iter(range(10_000))

    def node(key, kind, text, parent=None, number="", writable=False):
        return OutlineNode.objects.create(
            version=version,
            key=key,
            kind=kind,
            text=text,
            raw=text,
            number=number,
            parent=parent,
            line_no=next(position),
            position=0,
            is_writable=writable,
            is_required=writable,
        )

    node("title", NodeKind.TITLE, "ĐỀ CƯƠNG BÁO CÁO")
    node("summary", NodeKind.SUMMARY, "Đánh giá giữa nhiệm kỳ thực hiện Nghị quyết Đại hội CĐCS……")
    part = node("p1", NodeKind.PART, "PHẦN THỨ NHẤT")
    section = node("p1.II", NodeKind.SECTION, "KẾT QUẢ THỰC HIỆN NGHỊ QUYẾT ĐẠI HỘI ……", part, "II")
    for i in range(1, sections + 1):
        item = node(f"p1.II.{i}", NodeKind.ITEM, f"Nội dung số {i}", section, str(i), True)
        node(f"p1.II.{i}.g1", NodeKind.GUIDANCE, f"Gợi ý cho mục {i}.", item)
    node("closing", NodeKind.CLOSING, "(Báo cáo cần có số liệu minh họa.)")
    for index, n in enumerate(OutlineNode.objects.filter(version=version).order_by("line_no")):
        n.position = index
        n.save(update_fields=["position"])
    return version
