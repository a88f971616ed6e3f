"""The media store: where attachment bytes live, behind a small interface.

store.py holds the interface and the local-files backend, signing.py the signed GET
links and the S3-style POST policies, sniff.py the content checks and thumbnails.
None of it knows Flask: the verbs in chatwidget.core.media hand it settings.
"""
