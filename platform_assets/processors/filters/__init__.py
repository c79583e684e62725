"""One document filter per module; `registry` imports every module here, so adding a file adds a filter."""
