"""responses layer (see DESIGN.md)."""
