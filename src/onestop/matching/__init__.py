"""The master citizen index: source profiles, extract import, linkage, clerical review."""
