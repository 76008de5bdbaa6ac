"""What the case page knows about a case and its actor, shared by the action builders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import rules, selectors
from ..models import Case


@dataclass
class Page:
    """What the case page knows about the case and the actor."""

    actor: Any
    case: Case
    file: selectors.CaseFile
    work: bool = False
    approve: bool = False
    assign: bool = False
    domains: list[dict[str, Any]] = field(default_factory=list)

    @property
    def plan(self) -> Any:
        return self.file.plan

    def actions(self) -> frozenset[str]:
        """The actions the rules offer this actor on this case now."""
        c, plan = self.case, self.plan
        facts = rules.ActionFacts(
            work=self.work,
            approve=self.approve,
            assign=self.assign,
            plan_status=plan.status if plan is not None else "",
            plans_need_approval=c.organisation.plans_need_approval,
            has_first_assessment=self.file.first_assessment is not None,
            consent=c.consent,
            consent_withdrawn=c.consent_withdrawn,
            closure_pending=c.closure_pending,
        )
        return rules.case_actions(c.stage, facts)


Built = tuple[Any, Callable[[], Any]]
