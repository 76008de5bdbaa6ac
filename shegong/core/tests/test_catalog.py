from pathlib import Path

from babel.messages.pofile import read_po

import shegong

PO = Path(shegong.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_english_catalog_is_complete_and_keeps_placeholders():
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    missing, fuzzy, broken = [], [], []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strs = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strs):
            missing.append(ids[0])
        if message.fuzzy:
            fuzzy.append(ids[0])
        for placeholder in ("%(" + p for p in ids[0].split("%(")[1:]):
            name = placeholder.split(")")[0] + ")"
            if not all(name in s for s in strs):
                broken.append(ids[0])
    assert (missing, fuzzy, broken) == ([], [], [])
