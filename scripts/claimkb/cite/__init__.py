"""Citing and exporting: formatted references, BibTeX, CSL-JSON and the dataset."""
