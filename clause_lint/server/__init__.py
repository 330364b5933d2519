"""``clause-lint serve``: a web page for people and an HTTP API for systems.

Needs the ``serve`` extra (``pip install 'clause-lint[serve]'``): Starlette on
uvicorn. :mod:`.work` does the checking (in worker processes), :mod:`.app` is the
HTTP layer, :mod:`.openapi` the API's description, ``static/`` the page.
See docs/serve.md.
"""
