"""Sphinx settings of the student edition (loaded only by book/_ext/student_edition.py).

The student edition does not copy the page sources (they hold the solutions), so the theme's
download button, which links to them, is switched off as well.
"""


def _no_download_button(app, config):
    options = dict(config.html_theme_options or {})
    options["use_download_button"] = False
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _no_download_button, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
