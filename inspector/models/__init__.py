"""Qt item models: the request table, its filter proxy, the detail pane's tables.

See docs/ARCHITECTURE.md, "Layers".
"""
