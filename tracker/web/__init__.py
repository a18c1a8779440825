"""The web layer: the blueprints (pages in `tasks`, `directives`, `reports`, `admin`, `auth`,
`notifications`, `public`; JSON in `api`) and what they share: error pages and problem+json
(`errors`), form helpers (`formkit`), template globals (`templating`), download names
(`downloads`), query-string arguments (`request_args`), failed-login throttling
(`login_limits`) and HTTP security headers (`security`). Views load, check the policy, call
one capability function and render or redirect; nothing here builds a query or commits."""
