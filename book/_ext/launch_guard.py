"""Show Binder/Colab launch buttons only when `repository: url:` is set in _config.yml.

Jupyter Book copies `repository.url` to the theme option `repository_url`. When it is empty,
sphinx-book-theme would still try to build launch links (and fail); this extension removes the
launch-button configuration instead, so an unset URL means: no buttons at all.
"""


def _guard(app, config):
    options = dict(config.html_theme_options or {})
    if not str(options.get("repository_url") or "").strip():
        options.pop("launch_buttons", None)
        config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _guard, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
