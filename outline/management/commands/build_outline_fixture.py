"""Generate the outline fixture from an outline text file (the seed), byte-exact and NFC."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from outline.parsing import fixture_objects

DEFAULT_SEED = settings.BASE_DIR / "fixtures" / "seed" / "de-cuong-bao-cao-giua-nhiem-ky.txt"
DEFAULT_OUTPUT = settings.BASE_DIR / "fixtures" / "outline_gnk_2018_2023.json"


class Command(BaseCommand):
    help = "Write the outline fixture (natural keys) generated from an outline text file."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=Path, default=DEFAULT_SEED)
        parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
        parser.add_argument("--code", default="gnk-cdcs-2018-2023")
        parser.add_argument(
            "--name",
            default="Đề cương báo cáo đánh giá giữa nhiệm kỳ thực hiện Nghị quyết Đại hội CĐCS (nhiệm kỳ 2018–2023)",
        )

    def handle(self, *args, seed, output, code, name, **options):
        source = seed.read_text(encoding="utf-8")
        objects = fixture_objects(source, code=code, name=name)
        output.write_text(json.dumps(objects, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        self.stdout.write(f"{output}: {len(objects) - 1} nodes")
