"""Real-browser tests of the offline build (see conftest.py and build_offline.py)."""
