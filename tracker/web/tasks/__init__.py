"""Task screens: home, "My unit", the task list, a task's page and its progress form."""
