"""curation layer: raw tables -> canonical incident table + rejects.

Schema, mapping to the canonical table, alert clustering, locality matching.
"""
