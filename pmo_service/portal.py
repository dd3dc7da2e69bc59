"""Shared plumbing of the server-rendered portal pages (no domain code)."""


class ForgivingPaginationMixin:
    """Pagination that never fails on the page number: garbage is page 1, too far is the last.

    The page number is typed by people and kept in bookmarks after rows disappear; a listing
    is more useful than a 404 there. For Django's ``MultipleObjectMixin`` list views.
    """

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset, page_size, orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()
