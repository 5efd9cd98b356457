"""Event contracts shared by producers and consumers, so no service imports another's code."""
