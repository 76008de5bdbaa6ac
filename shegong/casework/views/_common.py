"""Small pieces every casework page shares: running a service behind a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from shegong.core.forms import apply_validation_error
from shegong.core.services import StaleEdit


def run(form: forms.Form, call: Callable[[], Any]) -> bool:
    """Call a service for a valid form; show what it refused on the form. True on success.

    A stale edit shows its message at the top and keeps what the user typed; a rule the
    service enforces shows next to its field, or at the top when it names none."""
    if not form.is_valid():
        return False
    try:
        call()
    except StaleEdit as exc:
        form.add_error(None, exc.messages)
        return False
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return False
    return True


def version_of(form: forms.Form) -> int | None:
    return form.cleaned_data.get("version")
