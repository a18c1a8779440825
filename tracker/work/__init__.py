"""The work on tasks, every write through one of these: creating and changing tasks and
their progress (`tasks`), evidence, deadline extensions, comments and obstacles, urging
notices, recurring tasks, and what reaches people about them: reminders and digests,
calendar feeds, in-app notifications."""
