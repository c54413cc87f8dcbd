"""Search across everything: the index (`index`) and the search page (`views`)."""
