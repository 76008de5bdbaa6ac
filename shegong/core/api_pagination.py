from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class CodeCursorPagination(CursorPagination):
    """Cursor pages over an indexed unique key; never counts, never offsets."""

    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"

    def get_ordering(self, request, queryset, view):
        return (getattr(view, "cursor_ordering", "pk"),)

    def get_page_size(self, request):
        """The page size asked for; one that is not a whole number from 1 to 500 is refused.

        DRF falls back to the default instead, so a typo silently gave another page size than
        the one asked for, and the schema's integer promised more than was checked.
        """
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # an empty parameter is one not given, as for every optional parameter
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("每页条数须是 1 到 %(max)d 之间的整数。") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters
