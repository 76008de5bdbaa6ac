"""The registry import (建档立卡导入): reader → rows → engine; see `engine` for the rules."""
