from rest_framework.pagination import CursorPagination


class CodeCursorPagination(CursorPagination):
    """Cursor pages over an indexed unique key; never counts, never offsets."""

    page_size = 50
    max_page_size = 500
    page_size_query_param = "page_size"

    def get_ordering(self, request, queryset, view):
        return (getattr(view, "cursor_ordering", "pk"),)
