"""Shared set-up for the hardening tests: a report with every section written, and its submission."""

from django.urls import reverse

from outline.models import OutlineNode
from reports.services import report_submit, section_save


def writable_nodes(report):
    return list(OutlineNode.objects.filter(version=report.round.outline_version, is_writable=True).order_by("position"))


def section_url(report, node=None):
    node = node or writable_nodes(report)[0]
    return reverse("reports:section_edit", args=[report.pk, node.key])


def write_all(report, user):
    for node in writable_nodes(report):
        section_save(
            report=report, node=node, base_version=0, is_done=True, actor=user, content=f"<p>Mục {node.number}</p>"
        )


def submit(report, user):
    write_all(report, user)
    return report_submit(report=report, actor=user)
