"""The Qt part of the engine: the task manager, its signals, its model and its modes.

It imports nothing of ``offthread.app``: another app builds its own UI on
:class:`~offthread.engine.manager.TaskManager` (a test checks the imports).
"""
