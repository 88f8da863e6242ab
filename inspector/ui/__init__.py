"""The window's widgets and the parts it is composed of (docs/ARCHITECTURE.md, "Layers")."""
