"""curation layer: raw tables -> canonical incident table + rejects (schema, mapping, clustering)."""
