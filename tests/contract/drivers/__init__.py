"""One contract driver per registered marketplace: ``<registry name>.py`` (see ../driver.py)."""
