"""The nginx block of docs/deploy.md, as an operator copies it: it does not tell its version, and it
sets the one address header the login throttle reads."""

import re

from django.conf import settings


def nginx_block() -> str:
    text = (settings.BASE_DIR / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", text, re.S)
    assert len(blocks) == 1
    return blocks[0]


def directives(block: str) -> list[str]:
    return [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]


def test_the_documented_nginx_does_not_send_its_version():
    assert "server_tokens off;" in directives(nginx_block())


def test_the_documented_nginx_sets_the_address_header_the_throttle_reads():
    assert "proxy_set_header X-Real-IP $remote_addr;" in directives(nginx_block())
