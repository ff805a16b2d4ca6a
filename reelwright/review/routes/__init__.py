"""The review app's routers, one per concern: `api` (JSON, bearer tokens), `pages` (HTML,
sign-in sessions and forms) and `files` (package files for both). `create_app` assembles
them; `common` holds what they share."""
