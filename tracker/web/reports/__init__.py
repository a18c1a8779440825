"""Report screens: the supervisor's overdue board, a directive's progress, the CSV export."""
