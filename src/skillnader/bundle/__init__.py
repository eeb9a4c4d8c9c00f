"""The bundled real Stockholm data and its loader."""
