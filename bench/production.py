"""The production configuration for the benchmarks: PostgreSQL and Redis, one of each per run.

- Database("sqlite", directory): the app's SQLite file, as the benchmarks always used;
- Database("postgresql"): a database of its own on the machine's PostgreSQL
  (BENCH_PG_URL, default postgres@127.0.0.1:5432, trust auth), created for the run as
  chatwidget_bench_<pid>_<tag> and dropped (WITH (FORCE)) after it;
- Channel(): a Socket.IO channel and a rate-limit key prefix of its own on the machine's
  Redis (BENCH_REDIS_URL), so that runs and test suites sharing one Redis never cross; its
  keys are deleted after the run.

Both also read the counters that say where the time goes: commits, WAL syncs and the
backends' CPU on PostgreSQL, commands and CPU on Redis.
"""

import os
import sqlite3
import uuid

PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
DATABASES = ("sqlite", "postgresql")


def _pg(url=PG_ADMIN_URL):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def process_cpu(pid):
    """User + system CPU seconds of a process so far (Linux /proc); 0 once it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Database:
    """Where the app stores: a SQLite file in a directory, or a PostgreSQL database."""

    def __init__(self, kind, directory=None):
        self.kind = kind
        if kind == "sqlite":
            self.path = os.path.join(directory, "instance", "chatwidget.db")
            self.url = "sqlite:///" + self.path
            return
        self._backends = {}  # pid → its CPU seconds when last seen
        self.name = "chatwidget_bench_%d_%s" % (os.getpid(), uuid.uuid4().hex[:6])
        with _pg() as conn:
            conn.execute('CREATE DATABASE "%s"' % self.name)
        self.url = "%s/%s" % (PG_ADMIN_URL.rsplit("/", 1)[0], self.name)

    def describe(self):
        if self.kind == "sqlite":
            return "SQLite"
        with _pg() as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            sync = conn.execute("SHOW synchronous_commit").fetchone()[0]
        return "PostgreSQL %s (synchronous_commit=%s), database %s" % (version, sync, self.name)

    def scalar(self, sql):
        """The one value a query returns."""
        if self.kind == "sqlite":
            conn = sqlite3.connect(self.path)
            try:
                return conn.execute(sql).fetchone()[0]
            finally:
                conn.close()
        with _pg(self.url) as conn:
            return conn.execute(sql).fetchone()[0]

    def counters(self):
        """{"commits", "wal_syncs", "checkpoints", "backend_cpu"} so far; {} on SQLite.

        WAL syncs and checkpoints are the cluster's (other databases' commits and DROP
        DATABASE's checkpoints on a shared server show there), commits and backend CPU this
        database's:
        every backend's seen so far, a backend that ended with its last reading.
        """
        if self.kind == "sqlite":
            return {}
        with _pg() as conn:
            commits = conn.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (self.name,)
            ).fetchone()[0]
            syncs = conn.execute("SELECT wal_sync FROM pg_stat_wal").fetchone()[0]
            checkpoints = conn.execute(
                "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"
            ).fetchone()[0]
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.name,)
            ).fetchall()
        for (pid,) in pids:
            self._backends[pid] = max(self._backends.get(pid, 0.0), process_cpu(pid))
        cpu = sum(self._backends.values())
        return {
            "commits": commits,
            "wal_syncs": syncs,
            "checkpoints": checkpoints,
            "backend_cpu": cpu,
        }

    def drop(self):
        if self.kind == "postgresql":
            with _pg() as conn:
                conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.name)


class Channel:
    """A Socket.IO channel and rate-limit key prefix of the run's own on Redis."""

    def __init__(self):
        import redis

        self.name = "chatwidget-bench-%d-%s" % (os.getpid(), uuid.uuid4().hex[:6])
        self.url = REDIS_URL
        self.client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
        self.client.ping()

    def env(self):
        prefix = self.name
        return {"REDIS_URL": self.url, "SOCKETIO_CHANNEL": prefix, "RATELIMIT_KEY_PREFIX": prefix}

    def counters(self):
        """{"redis_cpu", "redis_commands"} so far: the Redis server's, every client's."""
        cpu = self.client.info("cpu")
        stats = self.client.info("stats")
        return {
            "redis_cpu": cpu["used_cpu_user"] + cpu["used_cpu_sys"],
            "redis_commands": stats["total_commands_processed"],
        }

    def drop(self):
        for key in self.client.scan_iter(match="*%s*" % self.name, count=1000):
            self.client.delete(key)
        self.client.close()


def deltas(before, after, seconds, messages):
    """The counters' rates over a window: per second, and CPU per message (ms)."""
    out = {}
    for name, value in after.items():
        change = value - before.get(name, 0)
        if name.endswith("_cpu"):
            out[name] = change / seconds
            out[name + "_ms_per_msg"] = change * 1000 / max(messages, 1)
        else:
            out[name + "_per_s"] = change / seconds
    return out
