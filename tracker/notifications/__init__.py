"""The bell: a person's notifications (services.notifications writes and mails them)."""
