"""The domain core: every rule lives here; adapters only translate."""
