"""The Qt-free part of the engine: what a task is and how it runs, in any process.

Nothing in this package imports Qt, by construction (a test checks the
imports): worker processes import only these modules, and stay small and
quick to start. The engine (``offthread.engine``) builds on it with Qt.
"""
