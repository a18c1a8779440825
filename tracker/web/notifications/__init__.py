"""The bell: a person's notifications (work.notifications writes and mails them)."""
