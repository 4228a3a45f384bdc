"""The person's language (docs/languages.md): which one a page speaks, and the data written in
it (country names). Imports the models and Django only; views, forms, templates and the SSO
sign-in import it."""
