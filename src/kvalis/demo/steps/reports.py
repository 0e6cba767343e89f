"""The public summary of the demo project, generated from the data and published, so that the
public project page shows the news text the seed article is (run after every other step)."""

from kvalis.demo import data
from kvalis.projects.models import Project
from kvalis.reports import services
from kvalis.reports.models import PublicSummary


def load(*, stdout=None) -> dict[str, int]:
    project = Project.objects.get(code=data.PROJECT_CODE)
    if not PublicSummary.objects.filter(project=project).exists():
        summary = services.public_summary_generate(project=project, actor=None)
        services.public_summary_publish(summary=summary, actor=None, published=True)
    return {"public summaries": PublicSummary.objects.filter(published=True).count()}
