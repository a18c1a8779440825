"""SQLAlchemy 2.0 typed models, one module per aggregate; importing this package registers all."""

from .account_link import AccountLink
from .audit import AuditEvent, AuditHead
from .calendar import CalendarFeed
from .closing import ClosingTask, PeriodClosing
from .comment import Comment
from .day_end import OverdueAtDayEnd
from .directive import Directive, Target, TargetValue
from .evidence import Evidence
from .extension import ExtensionRequest
from .job import Job
from .login_session import LoginSession
from .notification import Notification
from .past_period import PastPeriodFigures
from .recurring import RecurringTask
from .reminder import DigestSent, ReminderSent
from .report_export import ReportExport
from .tally import TaskTally
from .task import StatusUpdate, Task, task_coordinating_units
from .unit import Unit
from .urging import UrgingNotice
from .user import ApiToken, Delegation, RecoveryCode, User

__all__ = [
    "AccountLink",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "CalendarFeed",
    "ClosingTask",
    "Comment",
    "Delegation",
    "DigestSent",
    "Directive",
    "Evidence",
    "ExtensionRequest",
    "Job",
    "LoginSession",
    "OverdueAtDayEnd",
    "Notification",
    "PastPeriodFigures",
    "PeriodClosing",
    "RecurringTask",
    "RecoveryCode",
    "ReminderSent",
    "ReportExport",
    "StatusUpdate",
    "Target",
    "TargetValue",
    "Task",
    "TaskTally",
    "Unit",
    "UrgingNotice",
    "User",
    "task_coordinating_units",
]
