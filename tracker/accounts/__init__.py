"""People and how they prove who they are: user accounts, password rules and hashes, API
tokens, and browser sessions kept on the server."""
