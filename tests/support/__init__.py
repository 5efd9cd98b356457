"""Helpers that more than one test module uses: no tests here, no fixtures registered by import."""
