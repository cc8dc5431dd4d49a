"""The site: render (a pure function of the knowledge base), sanitize, and the engine adapters."""
