"""Bundled plan files (TOML), one per plan."""
