"""The webhook delivery worker: claims due outbox rows, posts them, retries with backoff.

claims: which process delivers a row, and what its answer does to the row (backoff,
dead letter); post: the signed HTTP POST of one row; worker: the loop that ties them.
"""
