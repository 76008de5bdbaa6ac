from django import template

from ..audit import action_label as _action_label

register = template.Library()


@register.filter
def action_label(code: str):
    """The readable name of an audit action code."""
    return _action_label(code)


@register.inclusion_tag("core/_chart.html")
def chart(chart):
    """A chart and the table of its figures (see core.charts)."""
    return {"chart": chart, "data": chart.data(), "island": f"chart-{chart.key}-data"}
