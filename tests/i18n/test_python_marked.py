"""Every string built in Python that a person reads is marked for translation (issue 22).

The code under lookup/ is read as Python syntax trees. Each place a string reaches a person is a
sink: a message (`messages.success(request, …)`), a form's label, help text, placeholder or error,
a `ValidationError`, `add_error`, an `Http404` the 404 page shows, a model's or the admin's
verbose names, descriptions, choices labels and titles, a page's title, message or heading in a
template's context, the words of a decision page (`done=`, `changed=`), and the text and
read-out attributes of HTML built with `format_html`/`mark_safe`. A sink fed a string literal
with a letter in it (or an f-string, a `%`/`.format`/`+` built on one, either branch of an
`if`/`or`) fails the test; a sink fed a call to gettext and friends, a name or anything else
does not. A name bound once in the module to such a literal, and a call to a function of the
same module whose `return` is one, count as that literal.

Not read here: the JSON API (machine clients), management commands' output, the Django-free
domain and phone packages (their words are marked with `lookup.wording.gettext_noop` and
translated where shown), the repository and the worker (no person reads them), migrations.
"""

import ast
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

LOOKUP = Path(settings.BASE_DIR) / "lookup"
NOT_READ = {"api", "management", "migrations", "domain", "phones", "repository", "worker"}
# The API clients' admin lives beside the API, and people use it.
READ_ANYWAY = {"api/admin.py"}

MARKERS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# A word: two letters or more ("E.164" is a notation, not words to translate).
LETTER = re.compile(r"[^\W\d_]{2,}")
# Keyword arguments whose value a person reads, wherever they are passed.
READ_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "description",
    "title",
    "heading",
    "message",
    "search_help_text",
    "empty_value_display",
}
# Class or object attributes a person reads (forms, models' Meta, the admin, list filters).
READ_ATTRIBUTES = {
    "verbose_name",
    "verbose_name_plural",
    "short_description",
    "site_header",
    "site_title",
    "index_title",
    "search_help_text",
    "empty_value_display",
    "title",
}
# Keys of a template context, of a widget's attrs and of error_messages a person reads.
# The pages' own texts, passed by keyword to the few calls that make a page of them (the 429
# page, a rate limit's refusal, the unlink and restore pages); elsewhere `what=` is a log's.
PAGE_TEXT_KEYWORDS = {"what", "done", "changed"}
PAGE_TEXT_CALLS = {"too_many", "RateLimit", "DecisionPage"}
# The API's one JSON error shape: its messages are for machine clients, in English.
API_CALLS = {"api_error"}
READ_KEYS = {"title", "heading", "message", "what", "placeholder", "aria-label"}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}
HTML_BUILDERS = {"format_html", "mark_safe", "format_html_join"}
HTML_READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-label"}
# Model fields whose first positional argument is the verbose name (not the related model).
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}


@dataclass(frozen=True)
class Unmarked:
    path: str
    line: int
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.where}): {self.text!r}"


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


class _Text(HTMLParser):
    """The words of an HTML fragment a person reads: text and read-out attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.words += [value or "" for name, value in attrs if name in HTML_READ_ATTRIBUTES]

    def handle_data(self, data) -> None:
        self.words.append(data)


def html_words(markup: str) -> str:
    # `{…}` are format_html's placeholders: values, not words.
    parser = _Text()
    parser.feed(re.sub(r"\{[^{}]*\}", "", markup))
    parser.close()
    return " ".join(word for word in parser.words if LETTER.search(word))


class Module:
    """One module's sinks and what feeds them."""

    def __init__(self, source: str, *, path: str) -> None:
        self.path = path
        self.tree = ast.parse(source, filename=path)
        self.bound: dict[str, list[ast.expr]] = {}
        self.returns: dict[str, list[ast.expr]] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.bound.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.returns[node.name] = [
                    inner.value
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.Return) and inner.value is not None
                ]
        self.found: list[Unmarked] = []
        self.neighbours: list[Module] = []

    # --- what a sink is fed ----------------------------------------------------------------

    def literal_text(self, node: ast.expr | None, *, html: bool = False, depth: int = 0) -> str:
        """The unmarked words `node` evaluates to, "" if none (marked, or not a literal)."""
        if node is None or depth > 4:
            return ""
        follow = {"html": html, "depth": depth + 1}
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = html_words(node.value) if html else node.value
            return text if LETTER.search(text) else ""
        if isinstance(node, ast.JoinedStr):
            pieces = [
                part.value
                for part in node.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            ]
            return self.literal_text(ast.Constant("".join(pieces)), html=html)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
            return self.literal_text(node.left, **follow) or (
                self.literal_text(node.right, **follow) if isinstance(node.op, ast.Add) else ""
            )
        if isinstance(node, ast.IfExp):
            return self.literal_text(node.body, **follow) or self.literal_text(
                node.orelse, **follow
            )
        if isinstance(node, ast.BoolOp):
            return next(
                (text for value in node.values if (text := self.literal_text(value, **follow))),
                "",
            )
        if isinstance(node, ast.Call):
            called = _name(node.func)
            if called in MARKERS:
                return ""
            if called == "format" and isinstance(node.func, ast.Attribute):
                return self.literal_text(node.func.value, **follow)
            if called in HTML_BUILDERS and node.args:
                return self.literal_text(node.args[0], html=True, depth=depth + 1)
            if isinstance(node.func, ast.Name):
                # A function of this module, or one another module of the app defines.
                defined = [(self, self.returns[called])] if called in self.returns else []
                defined = defined or [
                    (module, module.returns[called])
                    for module in self.neighbours
                    if called in module.returns
                ]
                if len(defined) == 1:
                    module, values = defined[0]
                    return next(
                        (
                            text
                            for value in values
                            if (text := module.literal_text(value, **follow))
                        ),
                        "",
                    )
            return ""
        if isinstance(node, ast.Name) and len(self.bound.get(node.id, [])) == 1:
            return self.literal_text(self.bound[node.id][0], **follow)
        return ""

    def check(self, node: ast.expr | None, where: str, *, html: bool = False) -> None:
        if text := self.literal_text(node, html=html):
            line = getattr(node, "lineno", 0)
            self.found.append(Unmarked(self.path, line, where, text))

    def check_read_keys(self, node: ast.expr, where: str, keys=READ_KEYS) -> None:
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in keys:
                    self.check(value, f"{where}[{key.value!r}]")

    def check_choices(self, node: ast.expr, where: str) -> None:
        if isinstance(node, ast.Name) and len(self.bound.get(node.id, [])) == 1:
            node = self.bound[node.id][0]
        if isinstance(node, ast.Call) and node.args and _name(node.func) in ("list", "tuple"):
            node = node.args[0]
        if isinstance(node, ast.Call) and _name(node.func) == "items":
            # `list(REASONS.items())`: the dict's values are the labels.
            owner = node.func.value if isinstance(node.func, ast.Attribute) else None
            if isinstance(owner, ast.Name) and len(self.bound.get(owner.id, [])) == 1:
                owner = self.bound[owner.id][0]
            if isinstance(owner, ast.Dict):
                for value in owner.values:
                    self.check(value, f"{where} label")
            return
        if isinstance(node, ast.List | ast.Tuple):
            for choice in node.elts:
                if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                    self.check(choice.elts[1], f"{where} label")

    # --- the sinks ------------------------------------------------------------------------

    def run(self) -> list[Unmarked]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                self.call(node)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self.assignment(target, node.value)
            elif isinstance(node, ast.ClassDef) and {_name(b) for b in node.bases} & CHOICES_BASES:
                for statement in node.body:
                    if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                        self.check(statement.value.elts[-1], f"{node.name} choice label")
        return self.found

    def assignment(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name | ast.Attribute) and _name(target) in READ_ATTRIBUTES:
            self.check(value, _name(target))
        elif (
            isinstance(target, ast.Subscript)
            and isinstance(target.slice, ast.Constant)
            and target.slice.value in ("help_text", "label")
        ):
            self.check(value, f"[{target.slice.value!r}]")

    def call(self, node: ast.Call) -> None:
        called = _name(node.func)
        keywords = {keyword.arg: keyword.value for keyword in node.keywords if keyword.arg}
        owner = _name(node.func.value) if isinstance(node.func, ast.Attribute) else ""
        if owner == "messages" and called in MESSAGE_LEVELS and len(node.args) >= 2:
            self.check(node.args[1], f"messages.{called}")
        if owner == "messages" and called == "add_message" and len(node.args) >= 3:
            self.check(node.args[2], "messages.add_message")
        if called in ("ValidationError", "Http404", "PermissionDenied") and node.args:
            self.check(node.args[0], called)
        if called == "add_error" and len(node.args) >= 2:
            self.check(node.args[1], "add_error")
        if called in HTML_BUILDERS and node.args:
            self.check(node.args[0], called, html=True)
        if called == "format_html":
            # The values put in the markup are read too ("Unknown" where a value is missing).
            for value in [*node.args[1:], *keywords.values()]:
                self.check(value, "format_html value")
        if (
            called.endswith("Field")
            and called not in RELATION_FIELDS
            and owner in ("models", "forms")
            and node.args
        ):
            self.check(node.args[0], f"{called} verbose name")
        # A refusal that answers the API (JSON, for machine clients) shows no page.
        answers_api = self.literal_text(keywords.get("api_message")) != ""
        for keyword, value in keywords.items():
            page_text = keyword in PAGE_TEXT_KEYWORDS and called in PAGE_TEXT_CALLS
            if (
                (keyword in READ_KEYWORDS or page_text)
                and not answers_api
                and called not in API_CALLS
            ):
                self.check(value, f"{keyword}=")
            elif keyword == "error_messages" and isinstance(value, ast.Dict):
                for message in value.values:
                    self.check(message, "error_messages")
            elif keyword == "attrs":
                self.check_read_keys(value, "attrs")
            elif keyword == "choices":
                self.check_choices(value, "choices")
        if called in ("render", "TemplateResponse", "render_to_string"):
            for argument in [*node.args, keywords.get("context")]:
                if argument is not None:
                    self.check_read_keys(argument, f"{called} context")


def modules() -> list[Path]:
    return sorted(
        path
        for path in LOOKUP.rglob("*.py")
        if not NOT_READ & set(path.relative_to(LOOKUP).parts[:-1])
        or path.relative_to(LOOKUP).as_posix() in READ_ANYWAY
    )


def unmarked_in(source: str) -> list[str]:
    """What the check finds in `source`, for the tests of the check itself."""
    return [finding.text for finding in Module(source, path="example.py").run()]


def test_the_check_reads_the_app():
    paths = {path.relative_to(LOOKUP).as_posix() for path in modules()}
    assert {"forms.py", "views.py", "admin.py", "templatetags/results.py"} <= paths
    assert "api/admin.py" in paths
    assert not any(path.startswith(("api/views", "phones/", "domain/")) for path in paths)


@pytest.fixture(scope="module")
def app() -> dict[Path, Module]:
    """Every module read, each knowing the others (a message may come from another's function)."""
    read = {
        path: Module(path.read_text(), path=path.relative_to(LOOKUP.parent).as_posix())
        for path in modules()
    }
    for module in read.values():
        module.neighbours = [other for other in read.values() if other is not module]
    return read


@pytest.mark.parametrize("path", modules(), ids=lambda path: path.relative_to(LOOKUP).as_posix())
def test_every_string_a_person_reads_is_marked(app, path):
    found = app[path].run()
    assert not found, "unmarked text a person reads:\n" + "\n".join(map(str, found))


@pytest.mark.parametrize(
    "source",
    [
        'messages.success(request, "Saved.")',
        'messages.warning(request, f"{n} links changed.")',
        'messages.info(request, "Your session ends in %d hours." % hours)',
        'field = forms.CharField(label="Reason")',
        'field = forms.CharField(help_text="Ticket number…")',
        'field = forms.CharField(error_messages={"required": "Choose a reason."})',
        'widget = forms.TextInput(attrs={"placeholder": "Number the caller gives"})',
        'raise ValidationError("Not a country.")',
        'self.add_error("details", "Explain the reason.")',
        'raise Http404("No customer with this id.")',
        'REASONS = {"other": "Other"}\nreason = forms.ChoiceField(choices=list(REASONS.items()))',
        'reason = forms.ChoiceField(choices=[("a", "Agent")])',
        'class Action(models.TextChoices):\n    SEARCH = "search", "Search by phone"',
        'class Meta:\n    verbose_name = "audit entry"',
        'actor = models.CharField("user or client", max_length=150)',
        'admin.site.site_header = "Phone lookup administration"',
        '@admin.display(description="Roles")\ndef roles(self, user): pass',
        'return render(request, "400.html", {"message": "Open the page again."})',
        '_BAD = "Open the page again."\nrender(request, "400.html", {"message": _BAD})',
        'html = format_html("<span>{}</span> was already unlinked.", number)',
        "html = mark_safe('<span title=\"May be stale\">x</span>')",
        'def why():\n    return "Already active."\nmessages.info(request, why())',
        'messages.info(request, "a" if ok else "Nothing was changed.")',
        'PAGE = DecisionPage(done="Unlinked.", changed="Changed meanwhile.")',
        'return too_many(request=request, title="Too many lookups", what="too many")',
    ],
)
def test_the_check_finds_unmarked_text(source):
    assert unmarked_in(source)


@pytest.mark.parametrize(
    "source",
    [
        'messages.success(request, _("Saved."))',
        'messages.info(request, ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n})',
        'field = forms.CharField(label=gettext_lazy("Reason"))',
        'class Action(models.TextChoices):\n    SEARCH = "search", _("Search by phone")',
        "html = format_html('<span class=\"badge badge-{}\">{}</span>', value, label)",
        'html = format_html(_("{number} was already unlinked."), number=number)',
        # Values, not words: keys, classes, URLs, a lone placeholder.
        'widget = forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})',
        'reason = forms.ChoiceField(choices=[("a", label)])',
        'return render(request, "search.html", {"form": form, "results": None})',
        # The API answers machine clients in English.
        'LIMIT = RateLimit(what="more than {limit} API calls", api_message="Too many calls.")',
        # Log lines and audit reasons are not read on a page.
        'logger.warning("Sign-in locked for %r", username)',
        'audit_record(request=request, reason="wrong username or password")',
        'link_fold_save(customer_id=c, what=f"the legacy record of {c}")',
        'phone = models.CharField(max_length=32, help_text="E.164")',
    ],
)
def test_the_check_leaves_marked_text_and_values(source):
    assert unmarked_in(source) == []
