"""The project's benchmark (``make bench``): measured figures, printed and written as JSON."""
