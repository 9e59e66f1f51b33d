"""What the benchmark (``run.py``) and the load test (``loadtest.py``) both need."""

import os
import signal
import subprocess

import dj_database_url


def _maintenance_connection(url):
    """A connection to the server's ``postgres`` database, and the name of the database ``url`` names."""
    import psycopg

    config = dj_database_url.parse(url)
    params = {"host": config["HOST"] or None, "port": config["PORT"] or None, "user": config["USER"] or None,
              "password": config["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}  # fmt: skip
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}), config["NAME"]


def ensure_postgresql_database(url):
    """Create the PostgreSQL database that ``url`` names when it does not exist yet."""
    conn, name = _maintenance_connection(url)
    with conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            print(f"creating database {name}", flush=True)
            conn.execute(f'create database "{name}"')


def recreate_postgresql_database(url):
    """Drop the PostgreSQL database that ``url`` names, if it exists, and create it empty."""
    conn, name = _maintenance_connection(url)
    with conn:
        conn.execute(f'drop database if exists "{name}" with (force)')
        conn.execute(f'create database "{name}"')


def stop_server(server):
    """Stop a server started with ``start_new_session=True``, and whatever it started (a whole process group)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
