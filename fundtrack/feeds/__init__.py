"""Feed ingestion: open calls from fund databases, with deadlines found, de-duplicated and passed on."""
