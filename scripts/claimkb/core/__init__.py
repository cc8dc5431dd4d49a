"""Load and validate: files to a typed model and every problem in it, as data. Depends on no engine and no other layer."""
