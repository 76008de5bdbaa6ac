"""What Dibao shows on other modules' pages: the household page's Dibao record."""


def register() -> None:
    """Called from `DibaoConfig.ready`."""
