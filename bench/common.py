"""What the benchmark (``run.py``) and the load test (``loadtest.py``) both need."""

import os
import signal
import subprocess

import dj_database_url


def ensure_postgresql_database(url):
    """Create the PostgreSQL database that ``url`` names when it does not exist yet."""
    import psycopg

    config = dj_database_url.parse(url)
    params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None,
              "password": config["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}  # fmt: skip
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [config["NAME"]]).fetchone():
            print(f"creating database {config['NAME']}", flush=True)
            conn.execute(f'create database "{config["NAME"]}"')


def stop_server(server):
    """Stop a server started with ``start_new_session=True``, and whatever it started (a whole process group)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
