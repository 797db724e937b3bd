"""``python -m offthread`` runs the app, as the ``offthread`` command does."""

from .app.launch import console

if __name__ == "__main__":
    console()
