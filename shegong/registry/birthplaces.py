"""Which birthplace codes (the first 6 characters of an ID number) the platform knows: Henan's
current counties and cities, from the region table. A number from another province is not
checked (that province's division list is not loaded). An unknown code is a warning, never a
rejection (DOMAIN.md: counties were renumbered, people keep their numbers)."""

from __future__ import annotations

HENAN = "41"


class HenanCodes:
    """A container of birthplace codes: every code outside Henan, and Henan's current ones."""

    def __init__(self, county_prefixes: set[str]):
        self.prefixes = county_prefixes

    def __contains__(self, code: object) -> bool:
        return not str(code).startswith(HENAN) or code in self.prefixes


def henan_counties() -> set[str]:
    """The 6-digit prefixes of Henan's current counties and cities."""
    from shegong.core.models import Region

    return {
        code[:6]
        for code in Region.objects.filter(level__in=("county", "city")).values_list(
            "code", flat=True
        )
    }


def known_birthplaces() -> HenanCodes:
    return HenanCodes(henan_counties())
