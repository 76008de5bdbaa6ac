"""Every write of casework: open a case, move it through the stages, record its work.

Each service is keyword-only and atomic, checks who may do it, checks the version the caller
saw (a second save of the same case or plan is refused, nothing is lost), and writes the audit
trail in the same transaction.
"""

from .access import *  # noqa: F403
from .cases import *  # noqa: F403
from .outcomes import *  # noqa: F403
from .plans import *  # noqa: F403
from .records import *  # noqa: F403
from .studies import *  # noqa: F403
