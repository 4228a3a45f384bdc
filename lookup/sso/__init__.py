"""Single sign-on through the company's OpenID Connect identity provider (docs/sso.md).

mozilla-django-oidc runs the protocol (authorization code flow with state, nonce and PKCE); this
package decides what a sign-in means for the tool: `claims` reads the provider's claims, `accounts`
creates, updates or deactivates the account and sets its roles, `backend` plugs both into the
library, and `views` holds the login page and the callback that audits every outcome. An open
session is confirmed with the provider at an interval: `recheck` runs the silent check,
`middleware` decides what a request gets while one is due, `resume` keeps a form posted then.
"""
