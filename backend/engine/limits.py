"""The engine's limits and defaults: plain numbers, for the manager and for a command line."""

#: How long a shutdown waits for running tasks, by default.
DEFAULT_SHUTDOWN_TIMEOUT_MS = 2000

#: The most threads a pool may have.
MAX_THREADS = 256

#: The most worker processes process mode may have.
MAX_PROCESSES = 256

#: How many ended tasks the task model keeps, by default; older ones leave it.
DEFAULT_HISTORY = 1000

#: The most ended tasks a history limit may keep.
MAX_HISTORY = 100_000_000
