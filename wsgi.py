"""Production entry for gunicorn (see README: one gevent worker per process).

gunicorn -k chatwidget.gunicorn_worker.Worker -w 1 -b 127.0.0.1:5000 wsgi:app
"""

from gevent import monkey

monkey.patch_all()  # first: gunicorn imports this module before its worker patches

from chatwidget import create_app  # noqa: E402

app = create_app()
