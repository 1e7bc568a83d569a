"""Build-time static previews of the widgets: set ``LCNN_STATIC_PREVIEWS=1`` for the kernels.

On the website no kernel runs, so a live widget would show controls that move nothing. While the
book is built, every :class:`lcnn_widgets.widgets.Explorer` therefore displays as its *static
preview* (its pictures over the values of its main control, scrubbable without a kernel); in a
running notebook the variable is not set and the live widget is shown instead. The kernels that
execute the chapters are started by this build process and inherit its environment.
"""

import os

PREVIEW_ENV = "LCNN_STATIC_PREVIEWS"  # the same name as lcnn_widgets.widgets._base.PREVIEW_ENV


def setup(app):
    os.environ[PREVIEW_ENV] = "1"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
