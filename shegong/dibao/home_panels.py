"""What Dibao shows on the home page: the officer's overdue and nearly-due steps."""


def register() -> None:
    """Called from `DibaoConfig.ready`."""
