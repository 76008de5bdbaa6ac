from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with its message in our own catalog: Django's zh_Hans catalog
    lacks the plural of "This password is too short", so it showed in English."""

    def get_error_message(self):
        return ngettext(
            "密码太短,至少需要 %(min_length)d 个字符。",
            "密码太短,至少需要 %(min_length)d 个字符。",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self):
        return ngettext(
            "密码至少需要 %(min_length)d 个字符。",
            "密码至少需要 %(min_length)d 个字符。",
            self.min_length,
        ) % {"min_length": self.min_length}


class MixedCharactersValidator:
    """A password must mix letters and digits: the simplest rule clerks understand."""

    def validate(self, password, user=None):
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(_("密码必须同时包含字母和数字。"), code="password_not_mixed")

    def get_help_text(self):
        return _("密码必须同时包含字母和数字。")
