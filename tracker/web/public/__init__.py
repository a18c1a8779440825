"""Public progress pages: read-only, without login, for directives marked public."""
